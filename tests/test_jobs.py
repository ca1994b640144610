"""Scheduled jobs with an injected instant: who gets what, exactly once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.domain.models import Role
from bot.jobs.catalog import JOBS
from bot.jobs.runner import last_fire, run_job
from bot.services import issues as issue_service
from storage import issues, people
from tests.helpers import (
    ADMIN,
    HEAD,
    LEADER,
    LIAISON,
    OTHER,
    POLICY,
    TZ,
    WORKER,
    assigned_issue,
    bind,
    by_chat,
    local,
    run_at,
)


async def test_weekly_request_goes_to_each_liaison_once_listing_their_projects(db, team):
    outcome = await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 0))
    sent = by_chat(outcome)
    assert set(sent) == {LIAISON, OTHER}
    assert "JC-2026-001" in sent[LIAISON] and "JC-2026-002" in sent[LIAISON] and "JC-2026-003" not in sent[LIAISON]
    assert outcome.period == "2026-W48"
    again = await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 30))
    assert (again.ran, again.reason, again.messages) == (False, "already ran", ())
    assert await db.read.scalar("SELECT COUNT(*) FROM outbox") == 2


async def test_a_dry_run_shows_the_messages_and_changes_nothing(db, team):
    dry = await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 0), dry_run=True)
    assert dry.reason == "dry run" and len(dry.messages) == 2
    assert await db.read.scalar("SELECT COUNT(*) FROM outbox") == 0
    assert await db.read.scalar("SELECT COUNT(*) FROM job_runs") == 0
    assert len((await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 0))).messages) == 2


async def test_monday_nudge_only_for_projects_without_an_update(db, team, clock):
    from storage import reports

    project_id = await db.read.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
    other_id = await db.read.scalar("SELECT id FROM projects WHERE code = 'JC-2026-003'")
    async with db.transaction() as tx:
        for pid, reporter in ((project_id, "李娜"), (other_id, "张伟")):
            person = (await people.by_name(tx, reporter))[0]
            await reports.save_weekly(tx, project_id=pid, week="2026-W48", reporter_id=person.id,
                                      done="x", plan="y", has_problem=False, now=clock.now())
    sent = by_chat(await run_at(db, "weekly-update-nudge", local(2026, 11, 30, 9, 0)))
    assert set(sent) == {LIAISON}  # 张伟 answered for his only project
    assert "JC-2026-002" in sent[LIAISON] and "JC-2026-001" not in sent[LIAISON]


@pytest.mark.parametrize(("day", "expected"), [(26, None), (27, "还有 3 天截止"), (28, None),
                                               (29, "还有 1 天截止"), (30, "今天截止")])
async def test_monthly_countdown_days(db, team, day, expected):
    sent = by_chat(await run_at(db, "monthly-report-countdown", local(2026, 11, day, 9, 0)))
    if expected is None:
        assert sent == {}
    else:
        assert set(sent) == {LIAISON, OTHER} and expected in sent[LIAISON]


async def test_late_reports_go_to_the_liaison_then_the_unit_head_then_the_centre(db, team):
    sent = by_chat(await run_at(db, "monthly-report-countdown", local(2026, 12, 1, 9, 0)))
    assert set(sent) == {LIAISON, OTHER, HEAD}
    assert "2026年11月月报已逾期" in sent[LIAISON]
    assert "JC-2026-001" in sent[HEAD] and "JC-2026-003" not in sent[HEAD]  # 003 is another unit's
    assert ADMIN not in sent
    centre = by_chat(await run_at(db, "monthly-report-countdown", local(2026, 12, 3, 9, 0)))
    assert set(centre) == {ADMIN} and "共 3 个" in centre[ADMIN]


async def test_an_unacknowledged_issue_escalates_to_the_centre(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))  # ack due Monday 23rd 23:59
    assert by_chat(await run_at(db, "issue-clocks", local(2026, 11, 23, 12, 0))) == {}
    outcome = await run_at(db, "issue-clocks", local(2026, 11, 24, 9, 0))
    sent = by_chat(outcome)
    assert set(sent) == {ADMIN, WORKER}
    assert "未按时签收，已升级到「项目中心协调」" in sent[ADMIN]
    issue = await issues.get(db.read, issue_id)
    assert issue.level == 2 and issue.ack_due is None
    escalation = [e for e in await issues.events(db.read, issue_id) if e.kind == "escalate"]
    assert [(e.from_level, e.to_level, e.text) for e in escalation] == [(1, 2, "acknowledge")]


async def test_the_ladder_climbs_one_level_at_a_time_then_flags(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    far = local(2027, 6, 1, 10, 0)  # every deadline long past
    levels = []
    for step in range(4):
        await run_at(db, "issue-clocks", far + timedelta(minutes=15 * step))
        issue = await issues.get(db.read, issue_id)
        levels.append((issue.level, issue.flagged))
        far += timedelta(days=40)
    assert levels == [(2, False), (3, False), (3, True), (3, True)]
    kinds = [e.kind for e in await issues.events(db.read, issue_id)]
    assert kinds.count("escalate") == 2 and kinds.count("flag") == 1


async def test_level_three_alerts_the_lead_leader_at_once_even_at_night(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    async with db.transaction() as tx:
        await issues.update(tx, issue_id, datetime.now(UTC), level=2)
    await run_at(db, "issue-clocks", local(2026, 12, 3, 23, 30))
    rows = await db.read.all("SELECT chat_id, urgent, deliver_after FROM outbox")
    leader_rows = [r for r in rows if r["chat_id"] == LEADER]
    assert leader_rows and all(r["urgent"] == 1 and r["deliver_after"] is None for r in leader_rows)


async def test_escalation_to_the_centre_at_night_waits_for_the_morning(db, team):
    await assigned_issue(db, local(2026, 11, 20, 10, 0))
    await run_at(db, "issue-clocks", local(2026, 11, 24, 0, 15))
    row = await db.read.one("SELECT deliver_after FROM outbox WHERE chat_id = ?", (ADMIN,))
    assert datetime.fromisoformat(row["deliver_after"]) == local(2026, 11, 24, 8, 0)


async def test_a_warning_comes_one_working_day_before_the_deadline(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))  # due 2026-12-01
    async with db.transaction() as tx:
        await issues.update(tx, issue_id, datetime.now(UTC), status="acknowledged")
    assert by_chat(await run_at(db, "issue-clocks", local(2026, 11, 27, 10, 0))) == {}
    sent = by_chat(await run_at(db, "issue-clocks", local(2026, 11, 30, 10, 0)))
    assert set(sent) == {WORKER} and "将于2026年12月1日到期" in sent[WORKER]
    assert by_chat(await run_at(db, "issue-clocks", local(2026, 11, 30, 10, 15))) == {}  # once


async def test_the_warning_for_someone_away_without_a_delegate_goes_to_their_unit_head(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))  # 钱工 of 县住建局, due 2026-12-01
    head_of_housing = 6401
    await bind(db, "孙局长", head_of_housing, role=Role.unit_head, unit="县住建局")
    async with db.transaction() as tx:
        await issues.update(tx, issue_id, datetime.now(UTC), status="acknowledged")
        worker = (await people.by_name(tx, "钱工"))[0]
        await people.set_away(tx, worker.id, local(2026, 12, 5, 23, 59), None)  # on leave, nobody named
    sent = by_chat(await run_at(db, "issue-clocks", local(2026, 11, 30, 10, 0)))
    assert set(sent) == {head_of_housing}  # not the person on leave
    assert "钱工 不在岗，由您关注" in sent[head_of_housing] and "2026年12月1日到期" in sent[head_of_housing]


async def test_with_auto_close_on_a_solved_issue_closes_after_three_silent_working_days(db, team):
    auto = POLICY.model_copy(update={"issue_clocks": POLICY.issue_clocks.model_copy(update={"auto_close": True})})
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    async with db.transaction() as tx:
        worker = (await people.by_name(tx, "钱工"))[0]
        await issue_service.solve(tx, FixedClock(local(2026, 11, 23, 10, 0)), worker, issue_id, "已解决")
    assert by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 26, 12, 0), auto, TZ)) == {}
    sent = by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 27, 0, 15), auto, TZ))
    assert set(sent) == {LIAISON, WORKER} and "3 个工作日内反映人未答复，已按默认满意销号" in sent[LIAISON]
    issue = await issues.get(db.read, issue_id)
    assert issue.status == "closed" and issue.satisfaction is None  # closed by default, nobody said so
    assert (await issues.events(db.read, issue_id))[-1].kind == "auto_close"


async def test_by_default_a_silent_raiser_is_reminded_then_the_centre_is_asked_to_call(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    async with db.transaction() as tx:
        worker = (await people.by_name(tx, "钱工"))[0]
        await issue_service.solve(tx, FixedClock(local(2026, 11, 23, 10, 0)), worker, issue_id, "已解决")
    assert by_chat(await run_at(db, "issue-clocks", local(2026, 11, 26, 12, 0))) == {}
    reminded = await run_at(db, "issue-clocks", local(2026, 11, 27, 9, 0))  # 3 working days after the 23rd
    sent = by_chat(reminded)
    assert set(sent) == {LIAISON} and "还在等您确认" in sent[LIAISON]
    buttons = [b["text"] for row in reminded.messages[0][2]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["满意销号", "不满意"]
    assert by_chat(await run_at(db, "issue-clocks", local(2026, 11, 30, 9, 0))) == {}  # once, then wait
    asked = await run_at(db, "issue-clocks", local(2026, 12, 2, 9, 0))  # 2 working days after the reminder
    sent = by_chat(asked)
    assert set(sent) == {ADMIN} and "请电话回访" in sent[ADMIN]
    assert "记录回访" in json.dumps(asked.messages[0][2]["reply_markup"], ensure_ascii=False)
    assert by_chat(await run_at(db, "issue-clocks", local(2026, 12, 9, 9, 0))) == {}  # asked once
    issue = await issues.get(db.read, issue_id)
    assert issue.status == "solved" and issue.closed_at is None  # no word from the raiser: it stays open


def test_missed_runs_are_found_within_the_grace_only():
    job = JOBS["weekly-update-request"]
    now = local(2026, 11, 27, 15, 0)
    assert last_fire(job, POLICY, TZ, now, timedelta(hours=24)) == local(2026, 11, 27, 9, 0)
    assert last_fire(job, POLICY, TZ, local(2026, 11, 29, 15, 0), timedelta(hours=24)) is None


async def test_a_bot_down_across_a_run_makes_it_once_at_start(settings, db, team, sandbox):
    from bot.app.process import BotProcess
    from tests.conftest import fast_limits

    clock = FixedClock(local(2026, 11, 27, 15, 0))  # the bot was down at 09:00
    for _ in range(2):  # two restarts: one run
        process = await BotProcess(settings, clock=clock, db=db, limits=fast_limits(), poll_timeout=5).start()
        await process.stop()
    assert await db.read.scalar("SELECT COUNT(*) FROM job_runs WHERE job = 'weekly-update-request'") == 1
    rows = await db.read.all("SELECT chat_id, payload FROM outbox WHERE method = 'sendMessage'")
    assert sorted(r["chat_id"] for r in rows if "周报" in json.loads(r["payload"])["text"]) == [LIAISON, OTHER]


async def test_a_reminder_button_starts_the_flow(sandbox, db, team, bot):
    user = sandbox.user(LIAISON, "李娜")
    await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 0))
    bot.sender.wake()
    await sandbox.wait_for(lambda: any(m.buttons for m in sandbox.messages(LIAISON)))
    await user.tap("周报")
    assert "填报哪个项目的周报" in user.last().text


async def test_the_leader_digest_says_something_only_when_there_is_something(db, team):
    assert by_chat(await run_at(db, "leader-daily-digest", local(2026, 11, 23, 8, 30))) == {}
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))  # 周建国 is its leader
    await run_at(db, "issue-clocks", local(2026, 12, 2, 10, 0))  # overdue: escalates to level 2
    sent = by_chat(await run_at(db, "leader-daily-digest", local(2026, 12, 3, 8, 30)))
    assert set(sent) == {LEADER}
    assert "近一天升级的问题" in sent[LEADER] and "Q-2026-0001" in sent[LEADER]
    saturday = await run_at(db, "leader-daily-digest", local(2026, 12, 5, 8, 30))
    assert (saturday.ran, saturday.reason) == (False, "not a working day")
    async with db.transaction() as tx:
        await issues.update(tx, issue_id, datetime.now(UTC), level=3, resolve_due=local(2026, 12, 1, 23, 59))
    later = by_chat(await run_at(db, "leader-daily-digest", local(2026, 12, 7, 8, 30)))
    assert "在您这一级（县领导协调）的问题" in later[LEADER] and "已逾期的问题" in later[LEADER]


async def test_a_project_turning_red_alerts_its_lead_leader_once(db, team):
    from bot.domain.clock import FixedClock
    from bot.services import reports as report_service

    # nothing reported this year: the projects are late (yellow), never "0% done" and red: no alert
    assert by_chat(await run_at(db, "flag-watch", local(2026, 11, 20, 7, 30))) == {}

    async def report(ytd_wan: int, day: int) -> None:
        async with db.transaction() as tx:
            liaison = (await people.by_name(tx, "李娜"))[0]
            project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
            await report_service.submit_monthly(tx, FixedClock(local(2026, 11, day, 10, 0)), POLICY, TZ, liaison,
                                                period="2026-11", project_id=project_id, ytd=ytd_wan * 10_000,
                                                stage="continuing", progress="x", photos=[], milestone_ids=[],
                                                next_plan="y")

    await report(100, 21)
    first = by_chat(await run_at(db, "flag-watch", local(2026, 11, 22, 7, 30)))
    assert set(first) == {LEADER} and first[LEADER].count("亮红牌") == 1
    assert "截至2026年11月，年度投资完成 2.1%，序时进度 91.7%，落后 89.6 个百分点" in first[LEADER]
    assert by_chat(await run_at(db, "flag-watch", local(2026, 11, 23, 7, 30))) == {}  # still red: quiet
    await report(4400, 23)
    assert by_chat(await run_at(db, "flag-watch", local(2026, 11, 24, 7, 30))) == {}  # turned green
    await report(100, 24)  # a correction: red again
    again = by_chat(await run_at(db, "flag-watch", local(2026, 11, 25, 7, 30)))
    assert set(again) == {LEADER} and again[LEADER].count("亮红牌") == 1 and "JC-2026-001" in again[LEADER]
    # no new data across midnight on the 1st: the same colours, no alert
    assert by_chat(await run_at(db, "flag-watch", local(2026, 11, 30, 23, 59))) == {}
    assert by_chat(await run_at(db, "flag-watch", local(2026, 12, 1, 0, 1))) == {}


async def test_the_weekly_digest_for_a_unit_bound_group(db, team):
    from bot.domain.clock import FixedClock
    from bot.services import reports as report_service
    from storage import groups
    from storage import reports as report_store

    async with db.transaction() as tx:
        unit_id = await people.ensure_unit(tx, "县交通局")
        admin = (await people.by_name(tx, "王主任"))[0]
        await groups.bind(tx, -3001, "交通局群", "unit", str(unit_id), admin.id, ["weekly_digest"], datetime.now(UTC))
        liaison = (await people.by_name(tx, "李娜"))[0]
        first = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
        await report_store.save_weekly(tx, project_id=first, week="2026-W48", reporter_id=liaison.id, done="x",
                                       plan="y", has_problem=False, now=datetime.now(UTC))
    await run_at(db, "flag-watch", local(2026, 11, 24, 7, 30))  # all late: yellow
    async with db.transaction() as tx:
        await report_service.submit_monthly(tx, FixedClock(local(2026, 11, 25, 10, 0)), POLICY, TZ, liaison,
                                            period="2026-11", project_id=first, ytd=44_000_000, stage="continuing",
                                            progress="x", photos=[], milestone_ids=[], next_plan="y")
    await run_at(db, "flag-watch", local(2026, 11, 26, 7, 30))  # JC-2026-001 turns green
    await assigned_issue(db, local(2026, 11, 27, 10, 0))
    sent = by_chat(await run_at(db, "weekly-digest", local(2026, 11, 30, 9, 0)))
    text = sent[-3001]
    assert "<b>第48周（11月23日—11月29日）周调度情况通报</b>（牵头单位 县交通局）" in text
    assert "应报 2 个，已报 1 个，未报：JC-2026-002（李娜）" in text
    assert "新反映问题 1 个：Q-2026-0001 用地" in text
    assert "亮牌变化：JC-2026-001 黄牌→绿牌" in text
    assert "JC-2026-003" not in text


async def test_the_leader_digest_lists_projects_that_turned_red(db, team):
    from bot.domain.clock import FixedClock
    from bot.services import reports as report_service

    async with db.transaction() as tx:  # JC-2026-003 far behind: red
        liaison = (await people.by_name(tx, "张伟"))[0]
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-003'")
        await report_service.submit_monthly(tx, FixedClock(local(2026, 11, 23, 10, 0)), POLICY, TZ, liaison,
                                            period="2026-11", project_id=project_id, ytd=1_000_000,
                                            stage="continuing", progress="x", photos=[], milestone_ids=[],
                                            next_plan="y")
    await run_at(db, "flag-watch", local(2026, 11, 24, 7, 30))  # the first computation
    sent = by_chat(await run_at(db, "leader-daily-digest", local(2026, 11, 24, 8, 30)))
    assert sent == {}  # a first snapshot is not a change
    async with db.transaction() as tx:  # pretend yesterday's snapshot of JC-2026-003 was green
        await tx.execute("UPDATE project_flags SET colour = 'green' WHERE project_id ="
                         " (SELECT id FROM projects WHERE code = 'JC-2026-003')")
    await run_at(db, "flag-watch", local(2026, 11, 25, 7, 30))
    sent = by_chat(await run_at(db, "leader-daily-digest", local(2026, 11, 25, 8, 30)))
    assert "转为红牌的项目" in sent[LEADER] and "JC-2026-003" in sent[LEADER] and "JC-2026-001" not in sent[LEADER]


async def test_groups_subscribed_to_overdue_notices_in_scope_hear_of_escalations(db, team):
    from storage import groups, people

    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))  # project JC-2026-001, led by 县交通局
    async with db.transaction() as tx:
        transport = await people.ensure_unit(tx, "县交通局")
        water = await people.ensure_unit(tx, "县水利局")
        await groups.bind(tx, -6001, "交通群", "unit", str(transport), 1, ["overdue_notices"], datetime.now(UTC))
        await groups.bind(tx, -6002, "水利群", "unit", str(water), 1, ["overdue_notices"], datetime.now(UTC))
        await groups.bind(tx, -6003, "快讯群", "all", None, 1, ["monthly_bulletin"], datetime.now(UTC))
    sent = by_chat(await run_at(db, "issue-clocks", local(2026, 11, 24, 9, 0)))
    number = (await issues.get(db.read, issue_id)).number
    assert f"问题 {number}" in sent[-6001] and "已升级到「项目中心协调」督办" in sent[-6001]
    assert -6002 not in sent and -6003 not in sent  # another unit's group; a group not subscribed
