"""A county's own questions in the monthly report (policy monthly_report.fields): asked after the next
month's plan, checked by kind, stored with the report, shown in /history and exported as columns."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from bot.app.process import BotProcess
from bot.domain.policy import Policy
from bot.services import exports
from storage import projects as project_store
from storage import reports
from tests.conftest import fast_limits
from tests.helpers import LIAISON, TZ

POLICY = Policy.model_validate({"monthly_report": {"fields": [
    {"key": "started_on", "name": "实际开工日期", "kind": "date", "required": True},
    {"key": "bonds_used", "name": "专项债支出", "kind": "money"},
    {"key": "approvals", "name": "审批手续", "kind": "choice", "choices": ["已完成", "办理中", "未启动"],
     "required": True},
    {"key": "workers", "name": "在岗人数", "kind": "number"},
]}})


async def test_the_countys_questions_are_asked_checked_stored_and_exported(settings, db, team, sandbox, clock):
    process = await BotProcess(settings, policy=POLICY, clock=clock, db=db, limits=fast_limits(), poll_timeout=5,
                               schedule=False).start()
    try:
        user = sandbox.user(LIAISON, "李娜")
        await user.ask("/report")
        await user.tap("JC-2026-001 JC-2026-001 产业园道路")
        await user.ask("1200")
        await user.tap("✅ 续建")
        await user.ask("路面施工")
        await user.tap("跳过")
        asked = await user.ask("完成路面")
        assert "实际开工日期？例如 2026-12-20 或 12月20日。" in asked.text and "跳过" not in str(asked.reply_markup)
        assert "无法识别日期“下周”" in (await user.ask("下周")).text
        await sandbox.wait_for(lambda: "实际开工日期" in user.last().text)
        money = await user.ask("2026-03-05")
        assert "专项债支出？单位万元" in money.text and "跳过" in str(money.reply_markup)
        await user.tap("跳过")
        await user.tap("办理中")
        assert "“很多”不是数字" in (await user.ask("很多")).text
        await sandbox.wait_for(lambda: "在岗人数" in user.last().text)
        summary = await user.ask("120")
        assert "实际开工日期：2026年3月5日" in summary.text and "审批手续：办理中" in summary.text
        assert "在岗人数：120" in summary.text
        await user.tap("✅ 提交")
        assert "已提交 JC-2026-001" in user.last().text
        history = (await user.ask("/history JC-2026-001")).text
        assert "实际开工日期 2026年3月5日 · 审批手续 办理中 · 在岗人数 120" in history
    finally:
        await process.stop()

    project = await project_store.by_code(db.read, "JC-2026-001")
    [report] = await reports.history(db.read, project.id)
    assert report.extra == {"started_on": "2026-03-05", "approvals": "办理中", "workers": 120}
    book = load_workbook(io.BytesIO(await exports.progress(db.read, "2026-11", POLICY, TZ, None)))
    sheet = book["进度台账"]
    header = [c.value for c in sheet[1]]
    assert header[-4:] == ["实际开工日期", "专项债支出", "审批手续", "在岗人数"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "JC-2026-001")
    assert row[-4:] == ("2026-03-05", None, "办理中", 120)


def test_a_policy_field_is_declared_once_with_choices_only_for_a_choice():
    with pytest.raises(ValidationError, match="choices are given for a choice"):
        Policy.model_validate({"monthly_report": {"fields": [{"key": "a", "name": "甲", "kind": "choice"}]}})
    with pytest.raises(ValidationError, match="names a key twice"):
        Policy.model_validate({"monthly_report": {"fields": [{"key": "a", "name": "甲"}, {"key": "a", "name": "乙"}]}})
    with pytest.raises(ValidationError):
        Policy.model_validate({"monthly_report": {"fields": [{"key": "开工", "name": "甲"}]}})
