"""Time away: reminders skip the person and go to the delegate; so do assignments; and the person
hears what happened when back."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import issues
from tests.helpers import (
    LIAISON,
    OTHER,
    assigned_issue,
    by_chat,
    local,
    people,
    run_at,
)


async def test_away_with_a_delegate_redirects_reminders_then_welcomes_back(sandbox, db, team, bot, clock):
    liaison = sandbox.user(LIAISON, "李娜")
    assert "代理人" in (await liaison.ask("/away")).text
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
