"""Strict parsers for what a person (or a forged button) hands the bot: ids, pages, months,
quarters and dates typed in a chat. Each returns None (or raises ValueError) for anything out of
range, so no service ever sees a number SQLite cannot hold or a year `date` cannot make."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

FIRST_YEAR, LAST_YEAR = 2000, 2099  # the years a report, a ledger or a deadline can be about
MAX_ID = 2**63 - 1                  # SQLite's INTEGER
MAX_TEXT = 1000                     # the longest answer a person may type (a chat flow or the dashboard)
MAX_PAGE = 10_000

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_FULL_DATE = (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
              re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"), re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"))
_MONTH_DAY = (re.compile(r"(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{1,2})/(\d{1,2})"),
              re.compile(r"(\d{1,2})月(\d{1,2})日?"), re.compile(r"(\d{1,2})\.(\d{1,2})"))


def without_nul(value: object) -> object:
    """What came from outside (an update's JSON, a dashboard call) with every U+0000 taken out of its
    strings: no Telegram client types one, and PostgreSQL's text cannot hold it, so a forged one would
    otherwise fail there and not in SQLite."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def row_id(text: str) -> int | None:
    """A database id carried by a button: digits only, 1 … 2^63-1."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def page(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > 5:
        return None
    value = int(text)
    return value if value <= MAX_PAGE else None


def month(text: str) -> str | None:
    """A month as people type it for reports and ledgers: 2026-10, within the years we serve."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return None
    return match.group(0)


def quarter(text: str) -> str | None:
    match = _QUARTER.fullmatch(text.strip().upper())
    if match is None or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return None
    return match.group(0)


def chat_date(text: str, today: date) -> date:
    """A date typed in a chat: 2026-12-20, 2026/12/20, 2026年12月20日, 2026.12.20, or without the
    year (12-20, 12月20日: its next occurrence from today). Spreadsheet serial numbers such as 47000
    are a spreadsheet's business, not a person's: refused here. ValueError for anything else."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    for pattern in _FULL_DATE:
        if match := pattern.fullmatch(cleaned):
            year, month_, day = (int(g) for g in match.groups())
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValueError(text)
            return date(year, month_, day)
    for pattern in _MONTH_DAY:
        if match := pattern.fullmatch(cleaned):
            month_, day = (int(g) for g in match.groups())
            return _next_occurrence(today, month_, day)
    raise ValueError(text)


def _next_occurrence(today: date, month_: int, day: int) -> date:
    for year in range(today.year, today.year + 8):  # 29 February comes within eight years
        try:
            found = date(year, month_, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise ValueError(f"{month_}-{day}")
