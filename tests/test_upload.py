"""An administrator sends a project sheet to the bot and reads the same report the CLI gives."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from storage import projects as project_store
from tests.helpers import csv_bytes, project_row, xlsx


async def _upload(user, data: bytes, name: str):
    before = user.replies_so_far()
    await user.send_document(data, name)
    return await user.reply(before)


async def test_admin_imports_a_sheet_in_the_chat(sandbox, bot, admin, db):
    await admin.ask("/start")
    rows = [project_row("JC-1"), project_row("JC-2", name="<b>污水&厂</b>")]
    reply = await _upload(admin, xlsx(rows), "项目.xlsx")
    assert "导入完成：新增 2 个项目，更新 0 个，未变 0 个" in reply.text
    assert (await project_store.by_code(db.read, "JC-2")).name == "<b>污水&厂</b>"
    again = await _upload(admin, csv_bytes(rows, "gb18030"), "项目.csv")
    assert "新增 0 个项目，更新 0 个，未变 2 个" in again.text
    listing = await admin.ask("/projects")
    assert "<b>污水&厂</b>" in listing.text


async def test_a_bad_sheet_is_reported_row_by_row_and_nothing_kept(sandbox, bot, admin, db):
    await admin.ask("/start")
    rows = [project_row("JC-1"), project_row("JC-2", total_investment="十二", planned_start="明年")]
    reply = await _upload(admin, xlsx(rows), "项目.xlsx")
    assert "未导入" in reply.text
    assert "第 3 行 总投资(万元)：不是数字 '十二'" in reply.text
    assert "第 3 行 计划开工：日期格式无法识别 '明年'" in reply.text
    assert await project_store.count(db.read) == 0


async def test_files_that_are_not_sheets_are_explained(sandbox, bot, admin):
    await admin.ask("/start")
    assert "不是 .xlsx 或 .csv" in (await _upload(admin, b"PK\x03\x04 not really", "x.xlsx")).text
    assert "不是 .xlsx 或 .csv" in (await _upload(admin, b"%PDF-1.4", "报告.pdf")).text
    assert "缺少必填列" in (await _upload(admin, "名称,金额\n甲,1\n".encode(), "x.csv")).text


async def test_only_administrators_may_import(sandbox, bot, admin, projects):
    await admin.ask("/start")
    import re
    code = re.search(r"start=(\S+)", (await admin.ask("/invite 李娜 liaison JC-2026-001")).text).group(1)
    liaison = sandbox.user(6001, "李娜")
    await liaison.ask(f"/start {code}")
    reply = await _upload(liaison, xlsx([project_row("JC-9")]), "p.xlsx")
    assert "只有项目中心管理员" in reply.text


async def test_the_template_comes_back_as_a_document(sandbox, bot, admin):
    await admin.ask("/start")
    reply = await admin.ask("/template")
    assert reply.document_name == "项目导入模板.xlsx"
    book = load_workbook(io.BytesIO(sandbox.world.files[reply.document].data))
    assert book["项目"]["A1"].value == "项目编号"


async def test_other_kinds_of_message_get_a_hint(sandbox, bot, admin):
    await admin.ask("/start")
    before = admin.replies_so_far()
    await admin.send_raw("message", {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1,
                                                 "height": 1, "is_animated": False, "is_video": False,
                                                 "type": "regular"}})
    assert "暂不支持这类消息（sticker）" in (await admin.reply(before)).text
    assert "无法识别" in (await admin.ask("随便说点什么")).text
