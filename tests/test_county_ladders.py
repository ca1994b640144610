"""Each seed county's policy file runs its own problem ladder: one test per county, on the rule
that sets it apart (docs/policies/, COUNTIES.md)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain.clock import FixedClock
from bot.domain.models import Role
from bot.domain.policy import Policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import escalation
from bot.services import issues as issue_service
from bot.services.context import Context
from storage import issues, people
from tests.helpers import ADMIN, HEAD, LEADER, TZ, WORKER, assigned_issue, bind, by_chat, local, raised_issue

COUNTIES = Path(__file__).parents[1] / "docs" / "policies"



async def _ask_next(db, policy: Policy, issue_id: int, who: str) -> dict[int, str]:
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM outbox")
        actor = (await people.by_name(tx, who))[0]
        await escalation.request_next(Context(tx, FixedClock(local(2026, 11, 3, 10, 0)), policy, TZ), actor,
                                      issue_id, "本单位无法解决")
        rows = await tx.all("SELECT chat_id, payload FROM outbox WHERE method = 'sendMessage'")
    return {r["chat_id"]: r["payload"] for r in rows}


async def test_jingchuan_takes_what_a_department_cannot_solve_to_the_leaders_joint_meeting(db, team, county):
    policy = county("jingchuan")
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    told = await _ask_next(db, policy, issue_id, "钱工")
    assert "提请「分管领导联席会议」协调" in told[LEADER] and ADMIN not in told  # no centre level in 000
    await bind(db, "县长", 6990, role=Role.leader)
    told = await _ask_next(db, policy, issue_id, "周建国")  # the 联席会议 cannot solve it either
    assert "由 周建国 提请「县委县政府协调」协调" in told[6990] and ADMIN not in told
    assert (await issues.get(db.read, issue_id)).level == 3


async def test_datong_never_closes_a_problem_without_the_raisers_word(db, team, county):
    policy = county("datong")
    assert policy.issue_clocks.auto_close is False and policy.top_level == 4
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    async with db.transaction() as tx:
        worker = (await people.by_name(tx, "钱工"))[0]
        await issue_service.solve(tx, FixedClock(local(2026, 11, 23, 10, 0)), worker, issue_id, "已解决")
    sent = [by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 12, day, 9, 0), policy, TZ))
            for day in (1, 2, 31)]
    assert "请电话回访" in sent[1][ADMIN] and sent[2] == {}
    assert (await issues.get(db.read, issue_id)).status == "solved"  # a month on: still waiting for a word


async def test_puyang_looks_at_a_problem_every_week(db, team, county):
    policy = county("puyang")
    offered = await issue_service.offered_deadline(db.read, policy, 1, local(2026, 11, 20).date(), False)
    assert offered == local(2026, 11, 27).date()  # 5 working days: 一周一调度
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    when = (await issues.get(db.read, issue_id)).resolve_due + timedelta(hours=1)
    sent = by_chat(await run_job(db, JOBS["issue-clocks"], when, policy, TZ))
    assert "已升级到「督导服务专班督办」" in sent[ADMIN]
    assert (await issues.get(db.read, issue_id)).resolve_due == local(2026, 11, 19, 23, 59)  # a week again


async def test_shenyang_sorts_an_unassigned_problem_then_gives_it_to_fagai(db, team, county):
    policy = county("shenyang")
    issue_id = await raised_issue(db, local(2026, 11, 16, 10, 0), "跨部门管线迁改")
    first = by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 18, 9, 0), policy, TZ))
    assert set(first) == {ADMIN, HEAD} and "仍待交办" in first[HEAD]
    then = by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 20, 9, 0), policy, TZ))
    assert "已转「发改部门协调」，请分拣交办" in then[ADMIN]
    assert (await issues.get(db.read, issue_id)).level == 2


async def test_kaizhou_routes_land_to_its_fenguan_leader_at_the_third_level(db, team, county):
    policy = county("kaizhou")
    await bind(db, "分管土地区领导", 6997, role=Role.leader)
    routed = await assigned_issue(db, local(2026, 11, 2, 10, 0))  # 用地
    plain = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    async with db.transaction() as tx:
        await tx.execute("UPDATE issues SET level = 2")
        await tx.execute("UPDATE issues SET category = '其他' WHERE id = ?", (plain,))
        when = (await issues.get(tx, routed)).resolve_due + timedelta(hours=1)
    sent = by_chat(await run_job(db, JOBS["issue-clocks"], when, policy, TZ))
    assert "Q-2026-0001" in sent[6997] and "Q-2026-0002" not in sent[6997]  # land: its 分管 leader
    assert "Q-2026-0002" in sent[LEADER] and "Q-2026-0001" not in sent[LEADER]  # the rest: the lead leader
    assert "已升级到「牵头区领导调度」" in sent[WORKER]  # the assignee hears where it went
