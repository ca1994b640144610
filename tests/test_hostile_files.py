"""Damaged and hostile spreadsheets: each gets a clear answer naming what is wrong, in the chat and
in the CLI, and none can take the memory or the time of the bot."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from datetime import date

import pytest
import xlsxwriter

from bot.formats.project_sheet import PROJECT_HEADERS, read_sheet
from bot.formats.sheet_limits import SheetError
from messages.imports import sheet_error
from storage import projects as project_store
from tests.helpers import csv_bytes, project_row
from tests.test_cli import _cli

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(codes=("JC-1", "JC-2", "JC-3")) -> bytes:
    """As Excel writes it: shared strings, numbers, dates as styled serial numbers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("项目")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, list(PROJECT_HEADERS.values()))
    for r, code in enumerate(codes, start=1):
        row = project_row(code)
        for c, field in enumerate(PROJECT_HEADERS):
            if field in ("total_investment", "annual_plan"):
                sheet.write_number(r, c, float(row[field]))
            elif field in ("planned_start", "planned_end"):
                sheet.write_datetime(r, c, date.fromisoformat(row[field]), day)
            elif field in row:
                sheet.write_string(r, c, row[field])
    book.close()
    return out.getvalue()


def _patched(data: bytes, change, member: str = SHEET) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


DAMAGED = {  # each a way a file reached us broken; what the person reads about it
    "sheet not XML": (lambda b: b"this is not XML <<<", "文件已损坏，无法读取。"),
    "sheet cut off": (lambda b: b[: len(b) * 2 // 3], "文件已损坏，无法读取第 3 行"),
    "bad shared-string index": (lambda b: re.sub(rb'(<c r="A3" t="s"><v>)\d+', rb"\g<1>99999", b),
                                "文件已损坏，无法读取第 3 行"),
    "garbage in a date cell": (lambda b: re.sub(rb'<c r="O3"[^>]*><v>[^<]+</v></c>',
                                                rb'<c r="O3" t="d"><v>garbage</v></c>', b),
                               "文件已损坏，无法读取第 3 行"),
    "row number not a number": (lambda b: b.replace(b'<row r="3"', b'<row r="abc"'), "文件已损坏，无法读取第 3 行"),
}


@pytest.mark.parametrize("variant", list(DAMAGED))
def test_a_damaged_workbook_is_explained_with_its_row(variant):
    change, expected = DAMAGED[variant]
    with pytest.raises(SheetError) as caught:
        read_sheet(_patched(_workbook(), change), "项目.xlsx")
    text = sheet_error("zh", caught.value, plain=True)
    assert text.startswith(expected) and "另存为新的 .xlsx" in text


def test_an_infinite_number_is_a_cell_error_not_a_crash():
    data = _patched(_workbook(), lambda b: re.sub(rb'(<c r="M3"[^>]*><v>)[^<]+', rb"\g<1>1e309", b))
    sheet = read_sheet(data, "项目.xlsx")
    assert [(e.row, e.column, e.kind) for e in sheet.errors] == [(3, "总投资(万元)", "not_number")]
    huge = read_sheet(_patched(_workbook(), lambda b: re.sub(rb'(<c r="M3"[^>]*><v>)[^<]+', rb"\g<1>1e300", b)),
                      "项目.xlsx")
    assert [(e.row, e.kind) for e in huge.errors] == [(3, "too_large")]  # never an OverflowError in SQLite


async def test_damaged_workbooks_in_the_chat_get_the_same_words(sandbox, bot, admin, db):
    await admin.ask("/start")
    for change, expected in DAMAGED.values():
        before = admin.replies_so_far()
        await admin.send_document(_patched(_workbook(), change), "项目.xlsx")
        assert (await admin.reply(before)).text.startswith(expected)
    assert not any("出错了" in m.text for m in sandbox.messages(admin.id))
    assert await project_store.count(db.read) == 0


def test_damaged_workbooks_on_the_command_line_print_the_words_and_no_traceback(tmp_path):
    for number, (change, expected) in enumerate(DAMAGED.values()):
        path = tmp_path / f"坏{number}.xlsx"
        path.write_bytes(_patched(_workbook(), change))
        result = _cli("import", "projects", path.name, cwd=tmp_path)
        assert result.returncode == 1 and result.stdout.startswith(expected), result.stdout + result.stderr
        assert "Traceback" not in result.stderr


def _cell_bomb(path, cells: int = 4_000_000) -> None:
    """A 17 KB workbook whose one row declares millions of empty cells."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(SHEET, "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b'<sheetData><row r="1">')
            for _ in range(cells // 10_000):
                sheet.write(b"<c/>" * 10_000)
            sheet.write(b"</row></sheetData></worksheet>")


MEASURED = """
import runpy, sys
sys.argv = ["liaisonbot", "import", "projects", sys.argv[1]]
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit as exit:
    print("exit", exit.code)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print("peak_kb", peak.split()[1])
"""


def test_a_cell_bomb_is_refused_by_its_declared_size_in_little_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _cell_bomb(path)
    assert path.stat().st_size < 40_000
    result = subprocess.run([sys.executable, "-c", MEASURED, str(path)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120, env={"LIAISONBOT_DB": str(tmp_path / "cli.db"),
                                                            "PATH": "/usr/bin:/bin"})
    assert "压缩比异常" in result.stdout and "exit 1" in result.stdout, result.stdout + result.stderr
    peak_mb = int(re.search(r"peak_kb (\d+)", result.stdout).group(1)) / 1024
    assert peak_mb < 200, f"peak {peak_mb:.0f} MB"
    assert "Traceback" not in result.stderr


async def test_a_cell_bomb_sent_to_the_bot_is_refused(sandbox, bot, admin, tmp_path):
    await admin.ask("/start")
    path = tmp_path / "bomb.xlsx"
    _cell_bomb(path)
    before = admin.replies_so_far()
    await admin.send_document(path.read_bytes(), "项目.xlsx")
    assert "压缩比异常" in (await admin.reply(before)).text


def test_a_declared_dimension_past_the_limits_is_refused():
    data = _patched(_workbook(), lambda b: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', b))
    with pytest.raises(SheetError) as caught:
        read_sheet(data, "项目.xlsx")
    assert caught.value.kind == "dimension_too_big"
    assert "A1:XFD1048576 超过上限（50000 行、100 列）" in sheet_error("zh", caught.value, plain=True)


def test_a_cell_longer_than_excel_allows_is_refused_with_its_place():
    long = "长" * 40_000
    data = _patched(_workbook(), lambda b: re.sub(rb'<c r="G3" t="s"><v>\d+</v></c>',
                                                  f'<c r="G3" t="inlineStr"><is><t>{long}</t></is></c>'.encode(), b))
    with pytest.raises(SheetError) as caught:
        read_sheet(data, "项目.xlsx")
    assert sheet_error("zh", caught.value, plain=True).startswith("表格第 3 行 G 列的单元格超过 32767 个字符")


def test_a_csv_row_with_thousands_of_columns_is_refused():
    header = ",".join(PROJECT_HEADERS.values())
    data = f"{header}\n{'x,' * 5000}y\n".encode()
    with pytest.raises(SheetError) as caught:
        read_sheet(data, "p.csv")
    assert "第 2 行超过 100 列" in sheet_error("zh", caught.value, plain=True)


def test_a_csv_field_past_the_csv_modules_limit_is_damaged_not_a_crash():
    header = ",".join(PROJECT_HEADERS.values())
    data = f'{header}\n"{"x" * 200_000}",2\n'.encode()
    with pytest.raises(SheetError) as caught:
        read_sheet(data, "p.csv")
    assert caught.value.kind == "damaged" and caught.value.details["row"] == 2


async def test_sixty_rows_of_long_bad_cells_make_one_short_report(sandbox, bot, admin, db):
    await admin.ask("/start")
    rows = [project_row(f"JC-{n}", total_investment="错" * 3000) for n in range(60)]
    before = admin.replies_so_far()
    await admin.send_document(csv_bytes(rows), "项目.csv")
    report = await admin.reply(before)
    assert "发现 60 处问题" in report.text and "还有 40 处问题未列出" in report.text
    assert "不是数字 '" + "错" * 30 + "…'" in report.text
    assert len(sandbox.messages(admin.id)) - before == 1
    assert await project_store.count(db.read) == 0
