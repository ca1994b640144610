"""Time away: reminders skip the person and go to the delegate; so do assignments; and the person
hears what happened when back."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.models import Role
from bot.services import people as service
from storage import issues
from tests.helpers import (
    LIAISON,
    OTHER,
    WORKER,
    assigned_issue,
    bind,
    by_chat,
    local,
    people,
    run_at,
)


async def test_away_with_a_delegate_redirects_reminders_then_welcomes_back(sandbox, db, team, bot, clock):
    liaison = sandbox.user(LIAISON, "李娜")
    noted = (await liaison.ask("/away 2026-12-20 张伟")).text
    assert "已报备：您外出至2026年12月20日，期间提醒和交办转给代理人 张伟" in noted

    sent = by_chat(await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 0)))
    assert set(sent) == {OTHER}
    assert "（代 李娜 接收）" in sent[OTHER] and "JC-2026-001" in sent[OTHER]  # hers, for him
    assert "JC-2026-003" in sent[OTHER]  # and his own

    clock.set(datetime(2026, 12, 21, 2, tzinfo=UTC))
    welcome = await liaison.ask("/help")
    assert "已返岗。您外出期间有 1 条提醒或交办转给了 张伟" in welcome.text
    assert (await people.by_name(db.read, "李娜"))[0].away_until is None


async def test_away_without_a_delegate_just_skips_reminders(sandbox, db, team, bot):
    liaison = sandbox.user(LIAISON, "李娜")
    assert "期间不再给您发提醒" in (await liaison.ask("/away 2026-12-20")).text
    sent = by_chat(await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 0)))
    assert set(sent) == {OTHER} and "李娜" not in sent[OTHER]
    assert "已返岗。您外出期间没有需要转交的事项" in (await liaison.ask("/back")).text
    assert "没有外出报备" in (await liaison.ask("/back")).text


async def test_an_assignment_to_someone_away_goes_to_the_delegate(db, team, clock):
    async with db.transaction() as tx:
        worker = (await people.by_name(tx, "钱工"))[0]
        stand_in = (await people.by_name(tx, "张伟"))[0]
        await people.set_away(tx, worker.id, local(2026, 12, 31, 23, 59), stand_in.id)
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    issue = await issues.get(db.read, issue_id)
    assert issue.assignee_name == "张伟" and "钱工 外出" in issue.plan
    assert (await people.by_name(db.read, "钱工"))[0].away_redirected == 1


async def test_bad_away_requests_are_explained(sandbox, db, team, bot):
    liaison = sandbox.user(LIAISON, "李娜")
    assert "已经过去" in (await liaison.ask("/away 2026-01-01")).text
    assert "没有找到已绑定的人员“无名氏”" in (await liaison.ask("/away 2026-12-20 无名氏")).text
    assert "不能是您自己" in (await liaison.ask("/away 2026-12-20 李娜")).text
    assert "无法识别日期" in (await liaison.ask("/away 下周")).text


async def _refused(user, text: str) -> str:
    """What the bot says of a wrong answer; it then asks the same question again."""
    before = user.replies_so_far()
    await user.send(text)
    said = (await user.reply(before)).text
    await user.reply(before + 1)
    return said


async def test_away_alone_asks_the_last_day_then_a_colleague_by_buttons(sandbox, db, team, bot):
    """李娜 shares her projects with their lead leader 周建国: he is offered with a tap."""
    liaison = sandbox.user(LIAISON, "李娜")
    assert "外出到哪一天（含当天）" in (await liaison.ask("/away")).text
    assert "已经过去" in await _refused(liaison, "2026-11-01")
    ask = await liaison.ask("12-20")
    assert "由谁代理（B角）" in ask.text and ask.button_labels == ["周建国", "跳过"]
    await liaison.tap("周建国")
    summary = liaison.last()
    assert "外出至：2026年12月20日" in summary.text and "代理人（B角）：周建国" in summary.text, summary.text
    await liaison.tap("✅ 提交")
    assert "已报备：您外出至2026年12月20日，期间提醒和交办转给代理人 周建国" in liaison.last().text
    [me] = await people.by_name(db.read, "李娜")
    assert me.away_until == local(2026, 12, 20, 23, 59) and me.delegate_id == (await people.by_name(
        db.read, "周建国"))[0].id
    assert "您已报备外出至2026年12月20日，本次填写将替换原报备" in (await liaison.ask("/away")).text


async def test_a_delegate_may_be_typed_or_skipped_and_a_wrong_one_is_explained(sandbox, db, team, bot):
    liaison = sandbox.user(LIAISON, "李娜")
    await liaison.ask("/away")
    await liaison.ask("2026-12-24")
    assert "没有找到已绑定的人员“无名氏”" in await _refused(liaison, "无名氏")
    summary = await liaison.ask("张伟")
    assert "代理人（B角）：张伟" in summary.text
    await liaison.tap("✅ 提交")
    assert "转给代理人 张伟" in liaison.last().text

    await liaison.ask("/away")
    await liaison.ask("12-31")
    await liaison.tap("跳过")
    assert "代理人（B角）：无" in liaison.last().text
    await liaison.tap("✅ 提交")
    assert "外出至2026年12月31日，期间不再给您发提醒" in liaison.last().text
    [me] = await people.by_name(db.read, "李娜")
    assert me.delegate_id is None and me.away_until == local(2026, 12, 31, 23, 59)


async def test_naming_oneself_is_refused_at_once(sandbox, db, team, bot):
    liaison = sandbox.user(LIAISON, "李娜")
    await liaison.ask("/away")
    await liaison.ask("12-20")
    assert "代理人不能是您自己" in await _refused(liaison, "李娜")
    assert "由谁代理（B角）" in liaison.last().text  # asked again, the day kept
    await liaison.tap("跳过")
    await liaison.tap("✅ 提交")
    assert "外出至2026年12月20日，期间不再给您发提醒" in liaison.last().text


async def test_stand_ins_are_bound_colleagues_of_the_unit_first_then_of_the_projects(db, team):
    await bind(db, "孙专员", WORKER + 1, role=Role.member, unit="县交通局")
    await bind(db, "李娜", LIAISON, unit="县交通局")
    async with db.transaction() as tx:
        unbound = await people.create(tx, "未绑定", local(2026, 11, 1, 9, 0))
        await people.set_unit(tx, unbound, await people.ensure_unit(tx, "县交通局"))
    [liaison] = await people.by_name(db.read, "李娜")
    found = [p.name for p in await service.stand_ins(db.read, liaison)]
    assert set(found[:2]) == {"孙专员", "赵科长"} and found[2:] == ["周建国"]  # her unit's, then her projects'
    [head] = await people.by_name(db.read, "赵科长")
    assert {p.name for p in await service.stand_ins(db.read, head)} == {"孙专员", "李娜"}  # not unbound, not himself


async def test_a_colleague_is_offered_with_the_unit(sandbox, db, team, bot):
    await bind(db, "李娜", LIAISON, unit="县交通局")
    liaison = sandbox.user(LIAISON, "李娜")
    await liaison.ask("/away")
    ask = await liaison.ask("12-20")
    assert ask.button_labels == ["赵科长（县交通局）", "周建国", "跳过"]
