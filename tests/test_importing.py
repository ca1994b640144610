"""Reading and applying project sheets: every bad case is located, nothing half-imported."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from bot.formats.project_sheet import PROJECT_HEADERS, SheetError, read_sheet, template
from bot.services import registry
from bot.services.context import Context
from messages.imports import import_report, sheet_error
from storage import people
from storage import projects as project_store
from tests.helpers import POLICY, TZ, csv_bytes, project_row, xlsx


def _report_lines(report, locale: str = "zh") -> list[str]:
    return import_report(locale, report, plain=True).splitlines()


async def _apply(db, clock, data: bytes, name: str = "p.xlsx", skip_invalid: bool = False):
    async with db.transaction() as tx:
        return await registry.apply_sheet(Context(tx, clock, POLICY, TZ), read_sheet(data, name), skip_invalid)


async def test_a_bad_number_is_reported_by_row_and_column_and_nothing_is_imported(db, clock):
    rows = [project_row(f"JC-2026-{n:03d}") for n in range(1, 7)]
    rows[5]["total_investment"] = "十二"  # the sixth data row is sheet row 7
    report = await _apply(db, clock, xlsx(rows))
    assert not report.applied
    assert "第 7 行 总投资(万元)：不是数字 '十二'" in _report_lines(report)
    assert "row 7 总投资(万元): not a number '十二'" in _report_lines(report, "en")
    assert await project_store.count(db.read) == 0


async def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(db, clock):
    rows = [project_row("JC-1"), project_row("JC-2", tier="特级"), project_row("JC-3")]
    report = await _apply(db, clock, xlsx(rows), skip_invalid=True)
    assert report.applied and report.created == 2 and report.skipped == 1
    assert "第 3 行 项目层级：'特级' 不是可选的值" in _report_lines(report)
    assert [p.code for p in await project_store.all_active(db.read)] == ["JC-1", "JC-3"]


async def test_reimport_updates_by_code_and_is_idempotent(db, clock):
    rows = [project_row("JC-1"), project_row("JC-2")]
    milestones = [{"code": "JC-1", "name": "主体封顶", "due_date": "2026-09-30"}]
    first = await _apply(db, clock, xlsx(rows, milestones))
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = await _apply(db, clock, xlsx(rows, milestones))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert await project_store.count(db.read) == 2
    assert len(await people.by_name(db.read, "李娜")) == 1

    rows[1]["annual_plan"] = "5000"
    changed = await _apply(db, clock, xlsx(rows, milestones))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    project = await project_store.by_code(db.read, "JC-2")
    assert project.annual_plan == 50_000_000  # 5000 万元 in 元


async def test_units_and_people_named_in_the_sheet_are_created(db, clock):
    await _apply(db, clock, xlsx([project_row("JC-1", responsible_units="县住建局，城关镇; 县水利局")]))
    project = await project_store.by_code(db.read, "JC-1")
    assert project.lead_unit == "县交通局"
    assert set(project.responsible_units) == {"县住建局", "城关镇", "县水利局"}
    assert (project.lead_leader, project.liaison) == ("周建国", "李娜")
    assert {u.name for u in await people.units(db.read)} >= {"县交通局", "县住建局", "城关镇", "县水利局"}
    assert project.total_investment == 120_000_000 and project.tier == "key" and project.stage == "continuing"


@pytest.mark.parametrize("text", ["2026-03-01", "2026/3/1", "2026年3月1日", "2026.3.1", "46082", 46082])
def test_five_date_formats_are_understood(text):
    sheet = read_sheet(xlsx([project_row("JC-1", planned_start=text)]), "p.xlsx")
    assert sheet.errors == []
    assert sheet.projects[0].planned_start == date(2026, 3, 1)


def test_a_real_excel_date_cell_is_understood():
    sheet = read_sheet(xlsx([project_row("JC-1", planned_end=date(2027, 6, 30))]), "p.xlsx")
    assert sheet.projects[0].planned_end == date(2027, 6, 30)


def test_an_impossible_date_is_reported():
    sheet = read_sheet(xlsx([project_row("JC-1", planned_start="2026-02-30")]), "p.xlsx")
    assert [(e.row, e.column, e.kind) for e in sheet.errors] == [(2, "计划开工", "bad_date")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_chinese_excel_writes(encoding):
    sheet = read_sheet(csv_bytes([project_row("JC-1"), project_row("JC-2", name="污水处理厂")], encoding), "p.csv")
    assert sheet.errors == []
    assert [p.name for p in sheet.projects] == ["JC-1 产业园道路", "污水处理厂"]


def test_duplicate_codes_are_reported_against_the_first():
    sheet = read_sheet(xlsx([project_row("JC-1"), project_row("JC-2"), project_row("jc-1")]), "p.xlsx")
    assert [(e.row, e.kind, e.other_row) for e in sheet.errors] == [(4, "duplicate_code", 2)]


def test_a_docx_renamed_xlsx_is_not_a_spreadsheet():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SheetError) as caught:
        read_sheet(out.getvalue(), "项目.xlsx")
    assert caught.value.kind == "not_spreadsheet"
    assert "不是 .xlsx 或 .csv" in sheet_error("zh", caught.value, plain=True)


@pytest.mark.parametrize("data", [b"", b"\x00\x01garbage" * 50, "随便写的字".encode("utf-16")])
def test_random_bytes_are_not_a_spreadsheet(data):
    with pytest.raises(SheetError) as caught:
        read_sheet(data, "x.xlsx")
    assert caught.value.kind == "not_spreadsheet"


def test_an_empty_sheet_says_so():
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SheetError) as caught:
        read_sheet(out.getvalue(), "p.xlsx")
    assert caught.value.kind == "empty"
    with pytest.raises(SheetError):
        read_sheet(xlsx([]), "p.xlsx")


def test_missing_required_headers_are_named():
    headers = {k: v for k, v in PROJECT_HEADERS.items() if k not in ("total_investment", "tier")}
    with pytest.raises(SheetError) as caught:
        read_sheet(xlsx([project_row("JC-1")], headers=headers), "p.xlsx")
    assert caught.value.kind == "missing_headers"
    assert "项目层级" in sheet_error("zh", caught.value, plain=True)
    assert "总投资(万元)" in sheet_error("zh", caught.value, plain=True)


def test_headers_with_full_width_brackets_and_spaces_are_accepted():
    headers = dict(PROJECT_HEADERS, total_investment="总投资（万元）", annual_plan=" 年度计划投资(万元) ")
    sheet = read_sheet(xlsx([project_row("JC-1")], headers=headers), "p.xlsx")
    assert sheet.errors == [] and sheet.projects[0].total_investment == 120_000_000


def test_money_in_yi_and_with_separators():
    sheet = read_sheet(xlsx([project_row("JC-1", total_investment="1.2亿", annual_plan="1,200.5")]), "p.xlsx")
    assert (sheet.projects[0].total_investment, sheet.projects[0].annual_plan) == (120_000_000, 12_005_000)


def test_rules_across_columns():
    sheet = read_sheet(xlsx([project_row("JC-1", annual_plan="20000"),
                             project_row("JC-2", planned_start="2027-01-01", planned_end="2026-01-01"),
                             project_row("JC-3", total_investment="-5")]), "p.xlsx")
    assert [(e.row, e.kind) for e in sheet.errors] == [(2, "plan_over_total"), (3, "end_before_start"), (4, "negative")]


async def test_milestones_for_unknown_projects_are_reported(db, clock):
    report = await _apply(db, clock, xlsx([project_row("JC-1")],
                                          [{"code": "JC-9", "name": "开工", "due_date": "2026-05-01"}]))
    assert not report.applied
    assert "“节点”表 第 2 行 项目编号：没有该项目编号 'JC-9'" in _report_lines(report)


def test_the_template_has_the_chinese_headers_and_a_milestone_sheet():
    data = template()
    book = load_workbook(io.BytesIO(data))
    assert [c.value for c in book["项目"][1]] == list(PROJECT_HEADERS.values())
    assert [c.value for c in book["节点"][1]] == ["项目编号", "节点名称", "计划完成日期", "责任单位"]
    with pytest.raises(SheetError) as caught:  # an untouched template is empty, not broken
        read_sheet(data, "t.xlsx")
    assert caught.value.kind == "empty"


def test_a_sheet_in_the_older_words_still_reads():
    """项目类别 (now 项目层级) as the tier's header and 县列 (now 县级) as a level."""
    old = {**PROJECT_HEADERS, "tier": "项目类别"}
    parsed = read_sheet(xlsx([project_row("JC-1", level="县列")], headers=old), "p.xlsx")
    assert parsed.errors == [] and (parsed.projects[0].tier.value, parsed.projects[0].level.value) == ("key", "county")


@pytest.mark.parametrize(("longitude", "latitude", "found"), [
    ("117.23", "31.82", []),
    ("117.23°", "31.82", []),
    ("", "", []),
    ("东经117度", "31.82", [("经度", "bad_degrees")]),
    ("190", "31.82", [("经度", "bad_degrees")]),
    ("117.23", "-91", [("纬度", "bad_degrees")]),
    ("117.23", "", [("纬度", "half_coordinates")]),
])
def test_coordinates_are_decimal_degrees_both_or_neither(longitude, latitude, found):
    sheet = read_sheet(xlsx([project_row(longitude=longitude, latitude=latitude)]), "p.xlsx")
    assert [(e.column, e.kind) for e in sheet.errors] == found
    if not found and longitude:
        assert (sheet.projects[0].longitude, sheet.projects[0].latitude) == (117.23, 31.82)
