"""Excel ledgers (台账) as offices keep them: a frozen header row, set column widths, amounts in
万元 with thousands separators, rates as percentages, flags coloured. Pure: rows in, .xlsx bytes
out; the words come from the message catalogs (ledger.*), so an English office gets English
headers. Written in openpyxl's write-only mode, which streams rows (10,000 projects in seconds)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

import messages
from bot.money import WAN

FILLS = {"green": "C8E6C9", "yellow": "FFF59D", "red": "EF9A9A"}
FORMATS = {"money": "#,##0.00", "pct": "0.0%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "int": "0"}
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


@dataclass(frozen=True)
class Column:
    key: str           # the header is messages' ledger.col.<key>
    width: int
    kind: str = "text"  # text | money (元 → 万元) | pct (83.3 → 83.3%) | date | datetime | int | flag


@dataclass(frozen=True)
class Sheet:
    key: str           # the title is messages' ledger.sheet.<key>
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]
    freeze: str = "B2"


PROGRESS = (Column("code", 15), Column("name", 30), Column("lead_unit", 14), Column("tier", 9),
            Column("level", 8), Column("stage", 8), Column("annual_plan", 15, "money"),
            Column("ytd", 17, "money"), Column("rate", 10, "pct"), Column("time_share", 10, "pct"),
            Column("flag", 8, "flag"), Column("reasons", 60), Column("progress", 40),
            Column("reported_at", 17, "datetime"), Column("liaison", 10))
ISSUES = (Column("number", 13), Column("project_code", 15), Column("project_name", 28), Column("category", 12),
          Column("issue_level", 8, "int"), Column("status", 12), Column("description", 40),
          Column("unit", 14), Column("leader", 10), Column("assignee", 10), Column("plan", 30),
          Column("deadline", 12, "date"), Column("raiser", 10), Column("raised_at", 17, "datetime"),
          Column("days_open", 9, "int"), Column("flagged", 8), Column("events", 80))
SUMMARY = (Column("item", 26), Column("value", 20))
RANKING = (Column("rank", 8, "int"), Column("lead_unit", 16), Column("projects", 9, "int"),
           Column("annual_plan", 15, "money"), Column("ytd", 17, "money"), Column("rate", 10, "pct"))
FLAGS = (Column("flag", 8, "flag"), Column("code", 15), Column("name", 30), Column("lead_unit", 14),
         Column("reasons", 70))
MISSING = (Column("code", 15), Column("name", 30), Column("lead_unit", 14), Column("liaison", 10))


def workbook(sheets: Sequence[Sheet], locale: str | None, flag_names: dict[str, str], tz: ZoneInfo) -> bytes:
    book = Workbook(write_only=True)
    for sheet in sheets:
        _write(book, sheet, locale, flag_names, tz)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write(book: Workbook, sheet: Sheet, locale: str | None, flag_names: dict[str, str], tz: ZoneInfo) -> None:
    ws = book.create_sheet(messages.label(locale, f"ledger.sheet.{sheet.key}"))
    ws.freeze_panes = sheet.freeze
    for number, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(number)].width = column.width
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=messages.label(locale, f"ledger.col.{column.key}"))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    for row in sheet.rows:
        ws.append([_cell(ws, column, value, flag_names, tz) for column, value in zip(sheet.columns, row, strict=True)])


def _cell(ws, column: Column, value: object, flag_names: dict[str, str], tz: ZoneInfo) -> object:
    if value is None or column.kind == "text":
        return value
    if column.kind == "flag":
        cell = WriteOnlyCell(ws, value=flag_names[value])
        cell.fill = PatternFill("solid", fgColor=FILLS[value])
        return cell
    if column.kind == "money":
        value = value / WAN
    elif column.kind == "pct":
        value = value / 100
    elif column.kind == "datetime":
        value = value.astimezone(tz).replace(tzinfo=None)  # Excel has no time zones: the county's time
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = FORMATS[column.kind]
    return cell


def as_date(value: datetime | None, tz: ZoneInfo) -> date | None:
    return value.astimezone(tz).date() if value else None
