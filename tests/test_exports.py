"""Excel ledgers: they reopen with openpyxl and hold what the database holds, formatted as offices
keep them; `liaisonbot export …`; and /export in the bot for administrators and leaders only."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.cli.main import main
from bot.services import bulletins, exports
from storage import issues as issue_store
from tests.helpers import ADMIN, LEADER, LIAISON, POLICY, TZ, assigned_issue, local
from tests.test_bulletin import _report

MONTH = "2026-10"


def _sheet(data: bytes, title: str):
    return load_workbook(io.BytesIO(data))[title]


def _rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


async def test_the_progress_ledger_holds_each_project_as_stored(db, team):
    await _report(db, "李娜", "JC-2026-001", 4000)
    await _report(db, "李娜", "JC-2026-002", 1000)
    sheet = _sheet(await exports.progress(db.read, MONTH, POLICY, TZ, None), "进度台账")
    rows = {r["项目编号"]: r for r in _rows(sheet)}
    stored = {r["code"]: r for r in await db.read.all("SELECT code, annual_plan FROM projects")}
    assert set(rows) == set(stored)
    first = rows["JC-2026-001"]
    assert first["年度计划投资（万元）"] == stored["JC-2026-001"]["annual_plan"] / 10_000 == 4800
    assert first["本年累计完成（万元）"] == 4000 and first["完成率"] == pytest.approx(4000 / 4800)
    assert first["序时进度"] == pytest.approx(10 / 12) and first["亮牌"] == "绿牌" and first["亮牌原因"] is None
    assert first["形象进度"] == "x" and first["联络员"] == "李娜"
    assert first["最近填报时间"] == datetime(2026, 10, 20, 10, 0)  # the county's time, as Excel shows it
    second = rows["JC-2026-002"]
    assert second["亮牌"] == "红牌" and "落后 62.5 个百分点" in second["亮牌原因"]
    third = rows["JC-2026-003"]  # no October report: late, not "0% done"
    assert third["本年累计完成（万元）"] == 0 and third["亮牌"] == "黄牌" and third["报送"] == "未报送"
    assert third["亮牌原因"] == "2026年10月月报未按时报送"
    assert first["报送"] == "按期"
    # formatted as an office keeps it
    assert sheet.freeze_panes == "C2" and round(sheet.column_dimensions["B"].width) == 31  # 30 characters + padding
    cells = {c.value: c for c in sheet[1]}
    column = cells["本年累计完成（万元）"].column_letter
    assert sheet[f"{column}2"].number_format == "#,##0.00"
    assert sheet[f"{cells['完成率'].column_letter}2"].number_format == "0.0%"
    flag_cells = {sheet[f"A{n}"].value: sheet[f"{cells['亮牌'].column_letter}{n}"] for n in range(2, 5)}
    assert flag_cells["JC-2026-002"].fill.fgColor.rgb.endswith("EF9A9A")
    assert flag_cells["JC-2026-001"].fill.fgColor.rgb.endswith("C8E6C9")
    assert cells["项目编号"].font.b


async def test_the_issue_ledger_holds_the_five_fields_and_the_history(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    issue = await issue_store.get(db.read, issue_id)
    now = datetime(2026, 11, 20, 2, tzinfo=UTC)
    sheet = _sheet(await exports.issue_ledger(db.read, now, POLICY, TZ, None), "问题台账")
    [row] = _rows(sheet)
    assert (row["问题编号"], row["项目编号"], row["问题类别"], row["办理层级"], row["状态"]) == (
        issue.number, "JC-2026-001", "用地", 1, "已交办")
    assert (row["责任单位"], row["责任领导"], row["责任人"], row["解决措施"]) == ("县住建局", "周建国", "钱工", "协调")
    assert row["办结时限"].date() == issue.resolve_due.astimezone(TZ).date()
    assert row["历时（天）"] == (now - issue.created_at).days == 18
    history = row["办理过程"].splitlines()
    assert history[0].startswith("2026年11月2日 10:00 反映问题（李娜）") and "交办（王主任）" in history[1]


async def test_the_bulletin_workbook_matches_the_bulletin(db, team):
    await _report(db, "李娜", "JC-2026-001", 4000)
    data = await bulletins.gather(db.read, MONTH, None, POLICY, TZ)
    book = load_workbook(io.BytesIO(await exports.bulletin(db.read, MONTH, POLICY, TZ, "en")))
    assert book.sheetnames == ["Summary", "Ranking", "Red and yellow", "Overdue problems", "Unit scorecard",
                               "Not reported"]
    summary = {r["Item"]: r["Value"] for r in _rows(book["Summary"])}
    assert summary["Projects"] == data.projects and summary["Invested this year (万元)"] == data.ytd / 10_000
    ranking = [(r["Rank"], r["Lead unit"], r["Invested this year (万元)"]) for r in _rows(book["Ranking"])]
    assert ranking == [(u.rank, u.unit, u.ytd / 10_000) for u in data.ranking]
    flagged = [(r["Flag"], r["Code"]) for r in _rows(book["Red and yellow"])]
    assert flagged == [("红牌", f.code) for f in data.red] + [("黄牌", f.code) for f in data.yellow]
    assert [r["Code"] for r in _rows(book["Not reported"])] == [p.code for p in data.missing]
    scores = [(r["Unit"], r["Reports due"], r["On time"]) for r in _rows(book["Unit scorecard"])]
    assert scores == [(s.unit, s.reports.owed, s.reports.done) for s in data.scores]


def test_the_command_line_writes_the_ledgers(settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LIAISONBOT_DB", str(settings.db))
    for argv, sheets in ((["progress", "--month", MONTH], ["进度台账", "倒计时台账"]), (["issues"], ["问题台账"]),
                         (["bulletin", "--month", MONTH],
                          ["概况", "单位排名", "红黄牌", "超期问题", "单位考核", "未报送"])):
        with pytest.raises(SystemExit) as done:
            main(["export", *argv, str(tmp_path / "ledger.xlsx")])
        assert done.value.code == 0 and load_workbook(tmp_path / "ledger.xlsx").sheetnames == sheets
    with pytest.raises(SystemExit) as done:
        main(["export", "progress", "--month", "2026-13", str(tmp_path / "x.xlsx")])
    assert done.value.code == 1 and "不是 2026-10 这样的月份" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["export", "issues", str(tmp_path / "missing-folder" / "x.xlsx")])
    assert done.value.code == 1 and "无法写入" in capsys.readouterr().out


async def test_a_leader_gets_the_ledger_as_a_document(sandbox, bot, team):
    leader = sandbox.user(LEADER, "周建国")
    menu = await leader.ask("/export")
    assert menu.text == "要导出哪一份台账？"
    assert [b["text"] for b in menu.buttons] == ["2026年11月进度台账", "问题台账", "2026年10月投资快讯"]
    assert await leader.tap("问题台账") == "正在生成，请稍候……"
    await sandbox.wait_for(lambda: leader.last().document is not None, 10)
    document = leader.last()
    assert document.document_name == "问题台账-2026-11-20.xlsx"
    assert load_workbook(io.BytesIO(sandbox.world.files[document.document].data)).sheetnames == ["问题台账"]
    typed = await leader.ask("/export 进度 2026-10")
    assert typed.document_name == "进度台账-2026-10.xlsx"


async def test_others_are_refused_and_bad_requests_explained(sandbox, bot, team):
    liaison = sandbox.user(LIAISON, "李娜")
    assert (await liaison.ask("/export")).text == "只有项目中心管理员和包联领导可以导出台账。"
    admin = sandbox.user(ADMIN, "王主任")
    menu = await admin.ask("/export")
    # the administrator's button, pressed by someone else (a forwarded message), changes nothing
    assert await liaison.answered(await liaison.press_data("x:progress:2026-10", menu)) == (
        "只有项目中心管理员和包联领导可以导出台账。")
    assert "用法：/export" in (await admin.ask("/export progress 2026-13")).text
    assert "用法：/export" in (await admin.ask("/export 全部")).text
    assert await admin.answered(await admin.press_data("x:progress:junk", menu)) == "该按钮已失效，请使用最新的消息。"
    assert liaison.last().document is None and admin.last().document is None
