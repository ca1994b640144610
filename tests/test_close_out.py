"""Closing a solved problem on its raiser's word (001 "企业满意方可清零销号"): the raiser confirms, or,
silent, is reminded and the centre 回访s them and records who confirmed."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from bot.domain.models import Satisfaction
from bot.domain.policy import Policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import issues as issue_service
from storage import issues, people
from tests.helpers import ADMIN, LIAISON, TZ, WORKER, assigned_issue, local


async def _solved_and_unanswered(sandbox, db) -> tuple[int, object]:
    """A problem solved on 23 Nov whose raiser says nothing; the centre's 回访 request, as it arrives."""
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    async with db.transaction() as tx:
        worker = (await people.by_name(tx, "钱工"))[0]
        await issue_service.solve(tx, FixedClock(local(2026, 11, 23, 10, 0)), worker, issue_id, "三户均已签约搬迁")
    for day in (27, 30):
        await run_job(db, JOBS["issue-clocks"], local(2026, 11, day, 9, 0), Policy(), TZ)
    await run_job(db, JOBS["issue-clocks"], local(2026, 12, 2, 9, 0), Policy(), TZ)
    await sandbox.wait_for(lambda: any("请电话回访" in m.text for m in sandbox.messages(ADMIN))
                           and any("还在等您确认" in m.text for m in sandbox.messages(LIAISON)))
    return issue_id, next(m for m in sandbox.messages(ADMIN) if "请电话回访" in m.text)


def _revisit_button(message) -> str:
    return next(b["callback_data"] for b in message.buttons if b["text"] == "记录回访")


async def test_the_centre_records_a_satisfied_revisit_that_closes_the_problem(sandbox, db, team, bot):
    admin, liaison = sandbox.user(ADMIN, "王主任"), sandbox.user(LIAISON, "李娜")
    sandbox.user(WORKER, "钱工")
    issue_id, ask = await _solved_and_unanswered(sandbox, db)
    assert len([m for m in sandbox.messages(LIAISON) if "还在等您确认" in m.text]) == 1  # reminded first, once
    assert "记录回访" in (await admin.ask("/todo")).text  # waiting for the centre now
    await admin.tap("记录回访", message=ask)
    assert "对解决情况是否满意" in admin.last().text
    await admin.tap("基本满意")
    assert "确认人是谁" in admin.last().text
    await admin.ask("项目业主 王明 经理")
    await admin.tap("跳过")
    summary = admin.last().text
    assert "回访结果: 基本满意" in summary.replace("：", ": ") and "项目业主 王明 经理" in summary
    await admin.tap("✅ 提交")
    assert "已记录 Q-2026-0001 的回访：基本满意，已销号" in admin.last().text
    issue = await issues.get(db.read, issue_id)
    assert (issue.status, issue.satisfaction, issue.confirmed_by) == ("closed", "basic", "项目业主 王明 经理")
    assert (await issues.events(db.read, issue_id))[-1].text == "基本满意，确认人 项目业主 王明 经理"
    await sandbox.wait_for(lambda: any("项目中心就问题 Q-2026-0001 回访：基本满意" in m.text
                                       for m in sandbox.messages(LIAISON)))
    card = await liaison.ask("/issue Q-2026-0001")
    assert "满意度：基本满意（确认人 项目业主 王明 经理）" in card.text and "回访" in card.text


async def test_an_unsatisfied_revisit_sends_the_problem_back_with_its_buttons(sandbox, db, team, bot):
    admin = sandbox.user(ADMIN, "王主任")
    sandbox.user(WORKER, "钱工")
    sandbox.user(LIAISON, "李娜")
    issue_id, ask = await _solved_and_unanswered(sandbox, db)
    pressed = _revisit_button(ask)
    await admin.tap("记录回访", message=ask)
    await admin.tap("不满意")
    await admin.ask("业主 王明")
    await admin.ask("还有一户未腾空")
    await admin.tap("✅ 提交")
    assert "已退回责任人重办" in admin.last().text
    await sandbox.wait_for(lambda: any("被退回重办" in m.text and "还有一户未腾空" in m.text
                                       for m in sandbox.messages(WORKER)))
    back = next(m for m in sandbox.messages(WORKER) if "被退回重办" in m.text)
    assert "签收" in back.button_labels
    issue = await issues.get(db.read, issue_id)
    assert (issue.status, issue.satisfaction, issue.solved_at) == ("reopened", Satisfaction.unsatisfied, None)
    again = await admin.answered(await admin.press_data(pressed, ask))
    assert "这一步已不适用" in again  # the old request's button: the problem is no longer waiting for it


async def test_only_the_centre_may_record_a_revisit_and_a_confirming_raiser_is_named(sandbox, db, team, bot):
    liaison = sandbox.user(LIAISON, "李娜")
    sandbox.user(ADMIN, "王主任")
    issue_id, ask = await _solved_and_unanswered(sandbox, db)
    forged = await liaison.answered(await liaison.press_data(_revisit_button(ask), ask))
    assert "您不能办理问题 Q-2026-0001 的这一步" in forged
    reminder = next(m for m in sandbox.messages(LIAISON) if "还在等您确认" in m.text)
    await liaison.tap("满意销号", message=reminder)
    issue = await issues.get(db.read, issue_id)
    assert (issue.status, issue.satisfaction, issue.confirmed_by) == ("closed", "satisfied", "李娜")
