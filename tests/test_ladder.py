"""The problem ladder as each county writes it: levels from the policy, by name, one at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import messages
from bot.domain.clock import FixedClock
from bot.domain.models import Role
from bot.domain.policy import load_policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import issues as issue_service
from storage import groups, issues, people
from tests.helpers import ADMIN, LEADER, TZ, WORKER, assigned_issue, bind, by_chat, local

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


async def test_existing_issues_keep_their_numbers_levels_and_history_through_the_rebuild(db, team):
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    async with db.transaction() as tx:
        await issues.update(tx, issue_id, local(2026, 11, 3), level=3)
        clock = FixedClock(local(2026, 11, 4, 10))
        worker = (await people.by_name(tx, "钱工"))[0]
        await issue_service.acknowledge(tx, clock, worker, issue_id)
    before = (await issues.get(db.read, issue_id), await issues.events(db.read, issue_id))
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM schema_version WHERE version = 11")
    assert await db.migrate() == ["0011_issue_levels.sql"]  # the rebuild, run again over the data
    after = (await issues.get(db.read, issue_id), await issues.events(db.read, issue_id))
    assert after == before and len(after[1]) >= 2
    assert await db.read.scalar("PRAGMA foreign_key_check") is None
    async with db.transaction() as tx:  # a fourth level can be stored now
        await tx.execute("UPDATE issues SET level = 4 WHERE id = ?", (issue_id,))


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

    await admin.tap("提请上级协调", message=alert)
    await admin.ask("需县领导协调电力公司")
    assert "由 王主任 提请「县领导协调」协调" in (await leader.reply(0)).text
    top_card = await leader.ask(f"/issue {number}")
    assert (await issues.get(db.read, issue_id)).level == 3 and "提请上级协调" not in top_card.button_labels
    events = [e.kind for e in await issues.events(db.read, issue_id)]
    assert events.count("request") == 2 and "escalate" not in events  # asked, not overdue
