"""How dates, weeks, months and quarters are written, one form each, per locale: a county office writes
2026年12月10日, 第49周（11月30日—12月6日）, 2026年12月, 2026年第三季度 — never 2026-W49 or 2026-Q3.
Registered as template filters by messages; the English forms for the en locale."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_QUARTERS = "一二三四"
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def _local(value: datetime | date | str, zone: ZoneInfo) -> date:
    if isinstance(value, str):  # a day kept as text (a report's date answer)
        return date.fromisoformat(value)
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


def day(value: datetime | date | str | None, locale: str, zone: ZoneInfo) -> str:
    """A day (a deadline is a day): 2026年12月10日 / 10 Dec 2026."""
    if value is None:
        return "—"
    d = _local(value, zone)
    return f"{d.year}年{d.month}月{d.day}日" if locale == "zh" else f"{d.day} {_MONTHS_EN[d.month - 1][:3]} {d.year}"


def when(value: datetime | date | None, locale: str, zone: ZoneInfo) -> str:
    """An instant, to the minute: 2026年12月10日 14:30 / 10 Dec 2026 14:30 (a date alone as `day`)."""
    if value is None or not isinstance(value, datetime):
        return day(value, locale, zone)
    return f"{day(value, locale, zone)} {value.astimezone(zone):%H:%M}"


def month(period: str | None, locale: str) -> str:
    """'2026-12' → 2026年12月 / December 2026."""
    if not period:
        return "—"
    year, number = period.split("-")
    return f"{year}年{int(number)}月" if locale == "zh" else f"{_MONTHS_EN[int(number) - 1]} {year}"


def week(iso: str | None, locale: str) -> str:
    """'2026-W49' → 第49周（11月30日—12月6日） / week 49 (30 Nov – 6 Dec)."""
    if not iso:
        return "—"
    year, number = iso.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    sunday = monday + timedelta(days=6)
    if locale == "zh":
        return f"第{int(number)}周（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）"
    return (f"week {int(number)} ({monday.day} {_MONTHS_EN[monday.month - 1][:3]} – "
            f"{sunday.day} {_MONTHS_EN[sunday.month - 1][:3]})")


def quarter(period: str | None, locale: str) -> str:
    """'2026-Q3' → 2026年第三季度 / Q3 2026."""
    if not period:
        return "—"
    year, number = period.split("-Q")
    return f"{year}年第{_QUARTERS[int(number) - 1]}季度" if locale == "zh" else f"Q{number} {year}"
