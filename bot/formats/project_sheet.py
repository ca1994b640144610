"""Reading a project sheet (.xlsx or .csv) into validated rows, with every problem located.

Pure: bytes in, rows and cell errors out. Applying the rows to the database is the registry
service's job. Both the CLI and the bot's document upload come through here.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

import messages
from bot.domain.models import FUND_SOURCES, Level, ProjectFields, Stage, Tier
from bot.domain.money import MoneyError, parse_wan
from bot.formats.ledgers import Column, Sheet, workbook
from bot.formats.sheet_limits import (
    MAX_COLUMNS,
    MAX_ROWS,
    SheetError,
    check_rows,
    check_size,
    check_xlsx,
)

PROJECT_HEADERS = {
    "code": "项目编号", "name": "项目名称", "tier": "项目层级", "level": "项目级别",
    "stage": "建设阶段", "industry": "行业领域", "location": "建设地点", "owner": "项目业主",
    "lead_unit": "牵头单位", "responsible_units": "责任单位", "lead_leader": "包联领导",
    "liaison": "联络员", "total_investment": "总投资(万元)", "annual_plan": "年度计划投资(万元)",
    "planned_start": "计划开工", "planned_end": "计划竣工", "plan_year": "计划年度",
    "co_reporters": "协报人", "programmes": "所属清单", "longitude": "经度", "latitude": "纬度",
} | {f"fund_{source}": f"{messages.label('zh', f'fund.{source}')}(万元)" for source in FUND_SOURCES}  # 资金计划
REQUIRED = ("code", "name", "tier", "level", "stage", "total_investment", "annual_plan")
# the words earlier templates and county sheets used, still read: 项目类别 for the tier (项目类别 is what
# a project is — 产业, 民生 —, not its list), 县列 / 市列 / 省列 for the levels
HEADER_ALIASES = {"项目类别": "tier"}
VALUE_ALIASES = {"省列": "province", "市列": "city", "县列": "county"}
MILESTONE_HEADERS = {"code": "项目编号", "name": "节点名称", "due_date": "计划完成日期", "owner": "责任单位"}
MILESTONE_SHEET = "节点"
MONTHS = tuple(f"m{n}" for n in range(1, 13))
MONTH_PLAN_HEADERS = {"code": "项目编号", "plan_year": "计划年度"} | {m: f"{m[1:]}月" for m in MONTHS}
MONTH_PLAN_SHEET = "月度计划"
MAX_TEXT = 200
MAX_QUOTED = 30  # characters of a bad cell's value repeated in an error report
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"), re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
)
_EXCEL_EPOCH = date(1899, 12, 30)
_EXTRA_SHEETS = {MILESTONE_SHEET: MILESTONE_SHEET, "milestones": MILESTONE_SHEET,
                 MONTH_PLAN_SHEET: MONTH_PLAN_SHEET, "monthlyplans": MONTH_PLAN_SHEET}
_SPLIT_UNITS = re.compile(r"[、,，;；/]+")


class CellError(BaseModel):
    sheet: str | None = None  # None for the projects sheet
    row: int
    column: str
    kind: str
    value: str = ""
    other_row: int | None = None
    limit: str | None = None  # below_minimum: the 入库标准 (万元) of the project's level
    level: str | None = None


# -- value parsers (each raises PydanticCustomError with a message key) -------------------------
def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def _fail(kind: str, value: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, kind, {"value": quoted(value)})


def quoted(value: Any) -> str:
    """A cell's value as an error report repeats it: the start of it, however long it was."""
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"


def parse_date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day (1954 … 2119)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise _fail("bad_date", value)
    text = str(value).strip()
    if text.isdigit() and 20000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise _fail("bad_date", value)


def parse_year(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    year = text.removesuffix("年").removesuffix(".0")
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        raise _fail("bad_year", value)
    return int(year)


def _money(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail("required", value)
    try:
        return parse_wan(value)
    except MoneyError as exc:
        raise _fail(exc.kind, value) from None


def _take_money(record: dict, keys: Iterable[str]) -> dict[str, int | None]:
    """These cells taken out of a row and read as 万元 (empty: None); a bad one is named by its column."""
    found: dict[str, int | None] = {}
    for key in keys:
        cell = record.pop(key, None)
        try:
            found[key] = None if _text(cell) is None else _money(cell)
        except PydanticCustomError as exc:
            raise PydanticCustomError(exc.type, exc.type, {**(exc.context or {}), "field": key}) from None
    return found


def _choice(enum: type, value: Any) -> Any:
    text = _text(value)
    if text is None:
        raise _fail("required", value)
    members = tuple(member.value for member in enum)
    names = messages.names_for(enum.__name__.lower(), members)
    aliases = {old: new for old, new in VALUE_ALIASES.items() if new in members}
    for written in (text.lower().removesuffix("项目"), text.lower()):
        found = names.get(written) or aliases.get(written)
        if found is not None:
            return enum(found)
    raise _fail("bad_choice", value)


class ProjectRow(ProjectFields):
    """One row of a project sheet: the fields, parsed from what people type, and where it was."""

    model_config = ConfigDict(extra="forbid")

    row: int
    plan_year: int | None = None  # the year of its 年度计划; empty: the year it is imported in
    funds: dict[str, int] | None = None  # its 资金计划 by source for that year; None: the sheet has no such column

    @model_validator(mode="before")
    @classmethod
    def _funds(cls, record: Any) -> Any:
        if not isinstance(record, dict) or "funds" in record:
            return record
        keys = [key for key in record if key.startswith("fund_")]
        if not keys:
            return record
        amounts = _take_money(record, keys)
        return record | {"funds": {key.removeprefix("fund_"): v for key, v in amounts.items() if v is not None}}

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        text = _text(value)
        if text is None:
            raise _fail("required", value)
        if not _CODE.match(text.upper()):
            raise _fail("bad_code", value)
        return text.upper()

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        text = _text(value)
        if text is None:
            raise _fail("required", value)
        return text

    @field_validator("name", "industry", "location", "owner", "lead_unit", "lead_leader", "liaison", mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        text = _text(value)
        if text is not None and len(text) > MAX_TEXT:
            raise _fail("too_long", text[:20] + "…")
        return text

    @field_validator("tier", mode="before")
    @classmethod
    def _tier(cls, value: Any) -> Tier:
        return _choice(Tier, value)

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Level:
        return _choice(Level, value)

    @field_validator("stage", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> Stage:
        return _choice(Stage, value)

    @field_validator("responsible_units", "co_reporters", "programmes", mode="before")
    @classmethod
    def _names(cls, value: Any) -> tuple[str, ...]:
        text = _text(value)
        if text is None:
            return ()
        names = tuple(dict.fromkeys(u.strip() for u in _SPLIT_UNITS.split(text) if u.strip()))
        if any(len(name) > MAX_TEXT for name in names):
            raise _fail("too_long", text[:20] + "…")
        return names

    @field_validator("total_investment", "annual_plan", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        return _money(value)

    @field_validator("plan_year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int | None:
        return parse_year(value)

    @field_validator("longitude", "latitude", mode="before")
    @classmethod
    def _degrees(cls, value: Any, info: ValidationInfo) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        bound = 180 if info.field_name == "longitude" else 90
        try:
            degrees = float(str(value).strip().removesuffix("°"))
        except ValueError:
            raise _fail("bad_degrees", value) from None
        if not -bound <= degrees <= bound:
            raise _fail("bad_degrees", value)
        return degrees

    @field_validator("planned_start", "planned_end", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date | None:
        return parse_date(value)

    @model_validator(mode="after")
    def _consistent(self) -> ProjectRow:
        if self.annual_plan > self.total_investment:
            raise PydanticCustomError("plan_over_total", "plan_over_total",
                                      {"field": "annual_plan", "value": str(self.annual_plan // 10000)})
        if (self.longitude is None) != (self.latitude is None):
            raise PydanticCustomError("half_coordinates", "half_coordinates",
                                      {"field": "latitude" if self.latitude is None else "longitude", "value": ""})
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise PydanticCustomError("end_before_start", "end_before_start",
                                      {"field": "planned_end", "value": self.planned_end.isoformat()})
        return self


class MilestoneRow(BaseModel):
    row: int
    code: str
    name: str
    due_date: date
    owner: str | None = None  # the unit or person answering for it

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        return ProjectRow._code(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return ProjectRow._name(value)

    @field_validator("owner", mode="before")
    @classmethod
    def _owner(cls, value: Any) -> str | None:
        return ProjectRow._short(value)

    @field_validator("due_date", mode="before")
    @classmethod
    def _due(cls, value: Any) -> date:
        parsed = parse_date(value)
        if parsed is None:
            raise _fail("required", value)
        return parsed


class MonthPlanRow(BaseModel):
    """One row of the 月度计划 sheet: a project's planned investment for each month of a year (元)."""

    row: int
    code: str
    plan_year: int | None = None  # empty: the year it is imported in
    amounts: tuple[int, ...]

    @model_validator(mode="before")
    @classmethod
    def _months(cls, record: Any) -> Any:
        if not isinstance(record, dict) or "amounts" in record:
            return record
        return record | {"amounts": tuple(v or 0 for v in _take_money(record, MONTHS).values())}

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        return ProjectRow._code(value)

    @field_validator("plan_year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int | None:
        return parse_year(value)


class ParsedSheet(BaseModel):
    projects: list[ProjectRow]
    milestones: list[MilestoneRow] | None  # None: the file had no milestone sheet
    month_plans: list[MonthPlanRow] | None = None  # None: no 月度计划 sheet
    errors: list[CellError]
    rows_read: int


# -- reading files -----------------------------------------------------------------------------
def _normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


def _table(rows: list[tuple], headers: dict[str, str], required: tuple[str, ...],
           sheet: str | None) -> tuple[list[dict], list[str]]:
    """Rows as dicts keyed by field, with their sheet row number; missing required headers."""
    while rows and all(_text(c) is None for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise SheetError("empty", sheet=sheet)
    wanted = {_normalise_header(h): f for f, h in headers.items()} | {f: f for f in headers}
    if headers is PROJECT_HEADERS:
        wanted |= HEADER_ALIASES
    columns = {i: wanted[_normalise_header(h)] for i, h in enumerate(rows[0]) if _normalise_header(h) in wanted}
    missing = [headers[f] for f in required if f not in columns.values()]
    records = []
    for number, cells in enumerate(rows[1:], start=2):
        if all(_text(c) is None for c in cells):
            continue
        record: dict[str, Any] = {"row": number}
        for index, field in columns.items():
            record[field] = cells[index] if index < len(cells) else None
        records.append(record)
    if not records and not missing:
        raise SheetError("empty", sheet=sheet)
    return records, missing


def _read_xlsx(data: bytes) -> tuple[list[tuple], dict[str, list[tuple]]]:
    from openpyxl import load_workbook  # loaded with the first workbook read, not with the bot
    from openpyxl.utils.exceptions import InvalidFileException

    stream = io.BytesIO(data)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError("not_spreadsheet") from exc
    with archive:
        check_xlsx(archive)
        try:
            book = load_workbook(stream, read_only=True, data_only=True)
        except (KeyError, OSError, TypeError, InvalidFileException, zipfile.BadZipFile, RuntimeError) as exc:
            raise SheetError("not_spreadsheet") from exc  # a zip that is no workbook, or encrypted
        except Exception as exc:  # its parts are there but broken
            raise SheetError("damaged", sheet=None, row=None) from exc
        try:
            sheets = book.worksheets
            if not sheets:
                raise SheetError("empty", sheet=None)
            projects = _rows(sheets[0], None)
            others = {}
            for sheet in sheets[1:]:
                title = _EXTRA_SHEETS.get(_normalise_header(sheet.title).lower())
                if title is not None:
                    others[title] = _rows(sheet, title)
            return projects, others
        finally:
            book.close()


def _rows(sheet, title: str | None) -> list[tuple]:
    """Every row (to the limits), or where reading broke off: a damaged cell names its row."""
    rows: list[tuple] = []
    try:
        for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS):
            rows.append(tuple(row))
    except Exception as exc:  # openpyxl meets XML it cannot make sense of
        raise SheetError("damaged", sheet=title, row=len(rows) + 1) from exc
    return rows


def _read_csv(data: bytes) -> list[tuple]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("not_spreadsheet")
    if "\x00" in text:
        raise SheetError("not_spreadsheet")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[tuple] = []
    try:
        for row in reader:
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as exc:  # a field past the csv module's own limit, a stray quote, …
        raise SheetError("damaged", sheet=None, row=reader.line_num) from exc
    check_rows(rows, None)
    return rows


def read_sheet(data: bytes, filename: str) -> ParsedSheet:
    check_size(len(data))
    name = filename.lower()
    if name.endswith(".csv"):
        project_rows, others = _read_csv(data), {}
    elif name.endswith((".xlsx", ".xlsm")):
        project_rows, others = _read_xlsx(data)
    else:
        raise SheetError("not_spreadsheet")
    records, missing = _table(project_rows, PROJECT_HEADERS, REQUIRED, None)
    if missing:
        raise SheetError("missing_headers", headers="、".join(missing), sheet=None)
    errors: list[CellError] = []
    projects: list[ProjectRow] = []
    first_row_of: dict[str, int] = {}
    for record in records:
        row = _validate(ProjectRow, record, PROJECT_HEADERS, None, errors)
        if row is None:
            continue
        if row.code in first_row_of:
            errors.append(CellError(row=row.row, column=PROJECT_HEADERS["code"], kind="duplicate_code",
                                    value=row.code, other_row=first_row_of[row.code]))
            continue
        first_row_of[row.code] = row.row
        projects.append(row)
    milestones = _extra(others.get(MILESTONE_SHEET), MilestoneRow, MILESTONE_HEADERS, ("code", "name", "due_date"),
                        MILESTONE_SHEET, errors)
    month_plans = _extra(others.get(MONTH_PLAN_SHEET), MonthPlanRow, MONTH_PLAN_HEADERS, ("code", *MONTHS),
                         MONTH_PLAN_SHEET, errors)
    return ParsedSheet(projects=projects, milestones=milestones, month_plans=month_plans, errors=errors,
                       rows_read=len(records))


def _extra(rows: list[tuple] | None, model: type[BaseModel], headers: dict[str, str], required: tuple[str, ...],
           title: str, errors: list[CellError]) -> list | None:
    """The rows of a sheet beside the projects (节点, 月度计划); None when the file has none or it is empty."""
    if rows is None or not any(any(_text(c) for c in r) for r in rows):
        return None
    records, missing = _table(rows, headers, required, title)
    if missing:
        raise SheetError("missing_headers", headers="、".join(missing), sheet=title)
    return [item for r in records if (item := _validate(model, r, headers, title, errors))]


def _validate(model: type[BaseModel], record: dict, headers: dict[str, str], sheet: str | None,
              errors: list[CellError]) -> Any:
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else str(error.get("ctx", {}).get("field", ""))
            kind = error["type"] if error["type"] in KNOWN_KINDS else "invalid"
            if kind == "missing":
                kind = "required"
            value = (error.get("ctx") or {}).get("value", "")
            errors.append(CellError(sheet=sheet, row=record["row"], column=headers.get(field, field),
                                    kind=kind, value=str(value)))
        return None


KNOWN_KINDS = {"required", "missing", "not_number", "negative", "too_large", "bad_date", "bad_choice", "bad_code",
               "bad_year", "too_long", "plan_over_total", "end_before_start", "below_minimum", "bad_degrees",
               "half_coordinates"}


# -- the template --------------------------------------------------------------------------------
def template() -> bytes:
    """The empty import workbook: the project sheet, the 节点 and 月度计划 sheets and notes on what to fill in."""

    def headers(title: str, names: dict[str, str]) -> Sheet:
        return Sheet(title, [Column(f, max(12, len(h) * 2 + 4)) for f, h in names.items()], list(names.values()),
                     [], freeze=(1, 0))

    def label(key: str) -> str:
        return messages.label("zh", f"import.template.{key}")  # the sheet's headers are Chinese: so are its notes

    values = [(PROJECT_HEADERS[field], "、".join(messages.label("zh", f"{field}.{m.value}") for m in enum))
              for enum, field in ((Tier, "tier"), (Level, "level"), (Stage, "stage"))]
    notes = [*values,
             (f"{PROJECT_HEADERS['total_investment']} / {PROJECT_HEADERS['annual_plan']}", label("money")),
             (" / ".join((PROJECT_HEADERS["planned_start"], PROJECT_HEADERS["planned_end"],
                         MILESTONE_HEADERS["due_date"])), label("dates")),
             (PROJECT_HEADERS["responsible_units"], label("units")),
             (PROJECT_HEADERS["plan_year"], label("plan_year")),
             (PROJECT_HEADERS["co_reporters"], label("co_reporters")),
             (PROJECT_HEADERS["programmes"], label("programmes")),
             (f"{PROJECT_HEADERS['longitude']} / {PROJECT_HEADERS['latitude']}", label("coordinates")),
             (" / ".join(PROJECT_HEADERS[f"fund_{source}"] for source in FUND_SOURCES), label("funds")),
             (MONTH_PLAN_SHEET, label("month_plans")),
             (label("required"), "、".join(PROJECT_HEADERS[f] for f in REQUIRED))]
    return workbook([
        headers(label("projects_sheet"), PROJECT_HEADERS), headers(MILESTONE_SHEET, MILESTONE_HEADERS),
        headers(MONTH_PLAN_SHEET, MONTH_PLAN_HEADERS),
        Sheet(label("notes_sheet"), [Column("column", 36), Column("values", 70)],
              [label("column"), label("values")], notes, freeze=(1, 0)),
    ])
