"""The problem ladder as each county writes it: levels from the policy, by name, one at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

import messages
import storage.sqlite as sqlite_module
from bot.domain.clock import FixedClock
from bot.domain.models import Role
from bot.domain.policy import LevelClocks, Policy, load_policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import issues as issue_service
from bot.services.context import Context
from storage import flags, groups, issues, open_database, people, projects
from storage.db import migration_files
from tests.helpers import ADMIN, HEAD, LEADER, POLICY, TZ, WORKER, assigned_issue, bind, by_chat, local, raised_issue

KAIZHOU = load_policy(Path(__file__).parents[1] / "docs" / "policies" / "kaizhou.toml")


async def test_kaizhou_climbs_four_levels_one_at_a_time_and_names_them(db, team, monkeypatch):
    # what `liaisonbot run` does at start with the county's policy: its levels are the names people read
    monkeypatch.setattr(messages, "_level_names", tuple(level.name for level in KAIZHOU.issue_levels))
    mayor = 6999
    await bind(db, "区长", mayor, role=Role.leader)
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    async with db.transaction() as tx:
        await issues.update(tx, issue_id, local(2026, 11, 2, 10, 0), status="acknowledged")
    levels, told = [], []
    for _ in range(4):  # each deadline passes in turn
        when = (await issues.get(db.read, issue_id)).resolve_due + timedelta(hours=1)
        outcome = await run_job(db, JOBS["issue-clocks"], when, KAIZHOU, TZ)
        levels.append((await issues.get(db.read, issue_id)).level)
        told.append(by_chat(outcome))
    assert levels[:3] == [2, 3, 4] and levels[3] == 4  # never past the top, never skipping
    assert "已升级到「区项目中心协调」" in told[0][ADMIN]
    assert "已升级到「牵头区领导调度」" in told[1][LEADER] and mayor not in told[1]  # the project's leader only
    assert "已升级到「区主要领导调度」" in told[2][mayor]  # the top level: every leader
    assert "在「区主要领导调度」仍逾期未解决" in told[3][mayor]  # flagged at the top


async def test_existing_problems_and_flags_keep_their_numbers_levels_and_history_through_the_migrations(
        tmp_path, monkeypatch):
    every = migration_files()
    monkeypatch.setattr(sqlite_module, "migration_files", lambda dialect="sqlite": [m for m in every if m[0] <= 10])
    db = await open_database(tmp_path / "old.db")  # a county's database before the ladder became data
    stamp = "2026-11-02T02:00:00Z"
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO people (id, name, created_at) VALUES (1, '李娜', ?)", (stamp,))
        await tx.execute("INSERT INTO projects (id, code, name, tier, level, stage, total_investment, annual_plan,"
                         " created_at, updated_at) VALUES (1, 'JC-1', '道路', 'key', 'county', 'continuing',"
                         " 100000000, 48000000, ?, ?)", (stamp, stamp))
        await tx.execute("INSERT INTO issues (id, number, project_id, raised_by, category, description, level, status,"
                         " created_at, updated_at) VALUES (1, 'Q-2026-0007', 1, 1, '用地', '征地', 3, 'acknowledged',"
                         " ?, ?)", (stamp, stamp))
        await tx.execute("INSERT INTO issue_numbers (year, last) VALUES (2026, 7)")
        for kind in ("raise", "escalate", "escalate"):
            await tx.execute("INSERT INTO issue_events (issue_id, at, kind) VALUES (1, ?, ?)", (stamp, kind))
        await tx.execute("INSERT INTO project_flags (project_id, period, colour, computed_at) VALUES (1, '2026-10',"
                         " 'red', ?)", (stamp,))
    monkeypatch.setattr(sqlite_module, "migration_files", lambda dialect="sqlite": every)
    assert await db.migrate() == [name for version, name, _ in every if version > 10]
    issue = await issues.get(db.read, 1)
    assert (issue.number, issue.level, issue.status, issue.category) == ("Q-2026-0007", 3, "acknowledged", "用地")
    assert [e.kind for e in await issues.events(db.read, 1)] == ["raise", "escalate", "escalate"]
    assert await flags.histories(db.read, 1) == {1: [("2026-10", "red")]}
    assert list((await projects.get(db.read, 1)).plans.values()) == [48000000]  # filed under this year
    async with db.transaction() as tx:  # the numbering goes on where it was; decisions start their own series
        assert (await issues.next_number(tx, 2026), await issues.next_number(tx, 2026, series="Y")) == (
            "Q-2026-0008", "Y-2026-0001")
    assert await db.read.scalar("PRAGMA foreign_key_check") is None
    async with db.transaction() as tx:  # a fourth level and a blue card can be stored now
        await tx.execute("UPDATE issues SET level = 4 WHERE id = 1")
        await tx.execute("UPDATE project_flags SET colour = 'blue' WHERE project_id = 1")
    await db.close()


async def test_a_level_asks_the_next_one_level_at_a_time(sandbox, bot, team, db):
    issue_id = await assigned_issue(db, local(2026, 11, 16, 10, 0))
    number = (await issues.get(db.read, issue_id)).number
    async with db.transaction() as tx:
        await groups.bind(tx, -7100, "项目群", "all", None, 1, ["overdue_notices"], datetime.now(UTC))
    sandbox.group(-7100, "项目群")
    worker, admin, leader = (sandbox.user(WORKER, "钱工"), sandbox.user(ADMIN, "王主任"),
                             sandbox.user(LEADER, "周建国"))
    card = await worker.ask(f"/issue {number}")
    assert "提请上级协调" in card.button_labels
    await worker.tap("提请上级协调", message=card)
    assert "需要上级协调的原因" in worker.last().text
    assert "已提请「项目中心协调」协调" in (await worker.ask("涉及跨部门的供电线路迁改，本单位无法协调")).text
    alert = await admin.reply(0)
    assert f"问题 {number} 由 钱工 提请「项目中心协调」协调：涉及跨部门的供电线路迁改" in alert.text
    assert leader.replies_so_far() == 0  # level 3 hears nothing yet: never skipping
    assert (await issues.get(db.read, issue_id)).level == 2
    await sandbox.wait_for(lambda: any("提请「项目中心协调」协调" in m.text for m in sandbox.messages(-7100)))
    again = await worker.ask(f"/issue {number}")  # asking again is for the level it is at now (004)
    assert "提请上级协调" not in again.button_labels and "办结" in again.button_labels
    refused = await worker.answered(await worker.press_data(f"i:{issue_id}:req", again))  # the old button
    assert f"您不能办理问题 {number} 的这一步" in refused and (await issues.get(db.read, issue_id)).level == 2

    await admin.tap("提请上级协调", message=alert)
    await admin.ask("需县领导协调电力公司")
    assert "由 王主任 提请「县领导协调」协调" in (await leader.reply(0)).text
    top_card = await leader.ask(f"/issue {number}")
    assert (await issues.get(db.read, issue_id)).level == 3 and "提请上级协调" not in top_card.button_labels
    events = [e.kind for e in await issues.events(db.read, issue_id)]
    assert events.count("request") == 2 and "escalate" not in events  # asked, not overdue


async def test_a_major_problem_reaches_the_lead_leader_at_once(db, team):
    async with db.transaction() as tx:
        clock = FixedClock(local(2026, 11, 16, 10, 0))
        raiser = (await people.by_name(tx, "李娜"))[0]
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
        issue = await issue_service.raise_issue(tx, clock, raiser, project_id=project_id, category="用地",
                                                description="征地未完成", need=None, need_by=None, photos=[], tz=TZ)
        admin = (await people.by_name(tx, "王主任"))[0]
        worker = (await people.by_name(tx, "钱工"))[0]
        leader = (await people.by_name(tx, "周建国"))[0]  # the project's lead leader, and the problem's
        await tx.execute("DELETE FROM outbox")
        await issue_service.assign(Context(tx, clock, POLICY, TZ), admin, issue.id, issue_service.Assignment(
            unit_id=worker.unit_id, assignee_id=worker.id, leader_id=leader.id, plan="协调", major=True,
            deadline=local(2026, 12, 16).date()))
        sent = {r["chat_id"]: r["payload"] for r in await tx.all("SELECT chat_id, payload FROM outbox")}
    assert "重大问题" in sent[LEADER] and "特事特办" in sent[LEADER] and "callback_data" in sent[LEADER]
    assert "已交办。" not in sent[LEADER]  # one message to them, the one with their buttons


async def test_a_county_may_show_a_major_problem_to_a_level_of_its_ladder_at_once(db, team):
    policy = POLICY.model_copy(update={"major_alert_level": 3, "issue_levels": [
        *POLICY.issue_levels[:2], POLICY.issue_levels[2].model_copy(update={"holders": ["县长"]})]})
    await bind(db, "县长", 6990, role=Role.leader)
    async with db.transaction() as tx:
        clock = FixedClock(local(2026, 11, 16, 10, 0))
        raiser, admin, worker, leader = [(await people.by_name(tx, name))[0]
                                         for name in ("李娜", "王主任", "钱工", "周建国")]
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
        issue = await issue_service.raise_issue(tx, clock, raiser, project_id=project_id, category="用地",
                                                description="征地未完成", need=None, need_by=None, photos=[], tz=TZ)
        for major in (False, True):
            await tx.execute("DELETE FROM outbox")
            await issue_service.assign(Context(tx, clock, policy, TZ), admin, issue.id, issue_service.Assignment(
                unit_id=worker.unit_id, assignee_id=worker.id, leader_id=leader.id, plan="协调", major=major,
                deadline=local(2026, 12, 16).date()))
            sent = {r["chat_id"]: r["payload"] for r in await tx.all("SELECT chat_id, payload FROM outbox")}
            assert ("特事特办" in sent.get(6990, "")) is major  # the top level hears of a major one only
    with pytest.raises(ValidationError, match="major_alert_level is above the top of the ladder"):
        Policy.model_validate({"major_alert_level": 4})


async def test_a_problem_waiting_to_be_assigned_reminds_the_centre_and_the_lead_unit_once(db, team):
    await raised_issue(db, local(2026, 11, 16, 10, 0))
    assert by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 17, 16, 0), POLICY, TZ)) == {}
    sent = by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 18, 9, 0), POLICY, TZ))
    assert set(sent) == {ADMIN, HEAD} and "仍待交办" in sent[HEAD]  # 1 working day, 17 Nov 23:59, passed
    assert by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 18, 9, 15), POLICY, TZ)) == {}


async def test_a_problem_still_unassigned_after_the_reminder_goes_one_level_up_once(db, team):
    issue_id = await raised_issue(db, local(2026, 11, 16, 10, 0))
    await run_job(db, JOBS["issue-clocks"], local(2026, 11, 18, 9, 0), POLICY, TZ)  # the 分拣 reminder
    # 2 more working days after 17 Nov: it stays until 19 Nov 23:59
    assert by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 19, 16, 0), POLICY, TZ)) == {}
    sent = by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 20, 9, 0), POLICY, TZ))
    moved = await issues.get(db.read, issue_id)
    assert (moved.level, moved.status, moved.resolve_due) == (2, "open", None)  # not anyone's to solve yet
    assert set(sent) == {ADMIN} and "反映后一直未交办，已转「项目中心协调」，请分拣交办" in sent[ADMIN]
    assert "新时限" not in sent[ADMIN]
    assert by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 30, 9, 0), POLICY, TZ)) == {}
    assert (await issues.get(db.read, issue_id)).level == 2  # once: from here the centre assigns it


async def test_no_work_plan_after_signing_escalates_and_a_plan_in_time_stops_the_clock(db, team):
    late = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    on_time = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    async with db.transaction() as tx:
        worker = (await people.by_name(tx, "钱工"))[0]
        services = Context(tx, FixedClock(local(2026, 11, 20, 11, 0)), POLICY, TZ)
        for issue_id in (late, on_time):
            signed = await issue_service.acknowledge(services, worker, issue_id)
        assert signed.plan_due == local(2026, 11, 25, 23, 59)  # 3 working days
        await issue_service.submit_plan(Context(tx, FixedClock(local(2026, 11, 25, 17, 0)), POLICY, TZ), worker,
                                        on_time, "一、约谈三户；二、11月30日前签约")
        await tx.execute("DELETE FROM outbox")
        await groups.bind(tx, -7100, "项目群", "all", None, 1, ["overdue_notices"], datetime.now(UTC))
    sent = by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 26, 9, 0), POLICY, TZ))
    breached, kept = await issues.get(db.read, late), await issues.get(db.read, on_time)
    assert "签收后未按时提交办理方案，已升级到「项目中心协调」督办" in sent[-7100]  # the group reads what was missed
    assert breached.level == 2 and breached.plan_due is None and kept.level == 1
    assert "签收后未按时提交办理方案，已升级到「项目中心协调」" in sent[ADMIN]
    assert (await issues.events(db.read, late))[-1].text == "plan"


async def test_a_level_runs_at_its_own_pace(db, team):
    ladder = [POLICY.issue_levels[0], POLICY.issue_levels[1].model_copy(
        update={"clocks": LevelClocks(resolve_working_days=15)}), POLICY.issue_levels[2]]
    policy = POLICY.model_copy(update={"issue_levels": ladder})
    assert policy.clocks_at(2).resolve_working_days == 15 and policy.clocks_at(3).resolve_working_days == 7
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))  # due 11 Nov
    await run_job(db, JOBS["issue-clocks"], local(2026, 11, 12, 9, 0), policy, TZ)
    issue = await issues.get(db.read, issue_id)
    assert issue.level == 2 and issue.resolve_due == local(2026, 12, 3, 23, 59)  # 15 working days from 12 Nov


async def test_a_holder_the_ladder_names_gets_the_leaders_buttons_at_that_level(db, team):
    vice = 6998
    await bind(db, "分管财金区领导", vice, role=Role.leader)
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    async with db.transaction() as tx:
        await tx.execute("UPDATE issues SET category = '资金', level = 2 WHERE id = ?", (issue_id,))
        when = (await issues.get(tx, issue_id)).resolve_due + timedelta(hours=1)
    sent = by_chat(await run_job(db, JOBS["issue-clocks"], when, KAIZHOU, TZ))
    assert set(sent) - {WORKER} == {vice}  # the 分管 leader for funds, not the project's lead leader
    other_issue = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    him = (await people.by_name(db.read, "分管财金区领导"))[0]
    issue = await issues.get(db.read, issue_id)
    assert {"instruct", "extend", "request"} <= set(await issue_service.actions_for(db.read, him, issue, 4))
    assert await issue_service.actions_for(db.read, him, await issues.get(db.read, other_issue), 4) == []
