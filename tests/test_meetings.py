"""调度会 (000, 002, 004): a meeting scheduled for a leader, its pack the working day before with exactly
that leader's projects and problems, its 议定事项 worked like problems and escalated when overdue, the
minutes to the attendees, the next pack showing each decision's state, and Kaizhou's monthly meetings
made by themselves, one per lead leader."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot.domain.clock import FixedClock
from bot.domain.errors import Refused
from bot.domain.models import MeetingKind, Role
from bot.domain.policy import load_policy
from bot.formats.project_sheet import read_sheet
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import issues as issue_service
from bot.services import meetings as service
from bot.services import registry
from bot.services.context import Context
from storage import issues as issue_store
from storage import meetings as meeting_store
from storage import people
from tests.helpers import ADMIN, HEAD, LEADER, POLICY, TZ, WORKER, assigned_issue, by_chat, local, project_row, xlsx

KAIZHOU = load_policy(Path(__file__).parents[1] / "docs" / "policies" / "kaizhou.toml")


async def _another_leaders_project(db) -> None:
    """JC-2026-003 is led by 吴县长, not 周建国."""
    async with db.transaction() as tx:
        await registry.apply_sheet(Context(tx, FixedClock(local(2026, 11, 2, 9, 0)), POLICY, TZ), read_sheet(xlsx(
            [project_row("JC-2026-003", liaison="张伟", lead_unit="县水利局", lead_leader="吴县长")]), "p.xlsx"), False)


async def test_a_meeting_for_a_leader_sends_his_pack_the_working_day_before(db, team, sandbox, bot):
    await _another_leaders_project(db)
    waiting = await assigned_issue(db, local(2026, 11, 9, 10, 0))  # 周建国 its leader; its deadline passes
    admin, leader = sandbox.user(ADMIN, "王主任"), sandbox.user(LEADER, "周建国")
    await admin.ask("/meeting")
    await admin.tap("调度会")
    await admin.tap("周建国")
    await admin.ask("2026-11-24")
    await admin.tap("✅ 提交")
    assert "已安排周建国主持的调度会：2026年11月24日" in admin.last().text
    await sandbox.wait_for(lambda: "已安排您主持的调度会：2026年11月24日" in leader.last().text)

    friday = await run_job(db, JOBS["meeting-packs"], local(2026, 11, 20, 16, 0), POLICY, TZ)
    assert not friday.messages  # Tuesday's meeting: its pack goes on Monday
    monday = by_chat(await run_job(db, JOBS["meeting-packs"], local(2026, 11, 23, 16, 0), POLICY, TZ))
    assert set(monday) == {LEADER, ADMIN, HEAD}  # the leader, the centre, the lead unit's head
    pack = monday[LEADER]
    issue = await issue_store.get(db.read, waiting)
    assert "调度会议程</b>（周建国主持，2026年11月24日" in pack and "共 2 个项目" in pack
    assert "JC-2026-003" not in pack  # 吴县长's project
    assert f"<b>二、待协调的问题</b>（1 个）\n• {issue.number}" in pack
    assert f"<b>三、超期问题</b>（1 个）\n• {issue.number}" in pack
    again = await run_job(db, JOBS["meeting-packs"], local(2026, 11, 23, 17, 0), POLICY, TZ)
    assert not again.ran  # once a day, and the pack is marked sent


async def test_decisions_are_worked_escalated_minuted_and_followed_in_the_next_pack(db, team, sandbox, bot):
    async with db.transaction() as tx:
        ctx = Context(tx, FixedClock(local(2026, 11, 20, 10, 0)), POLICY, TZ)
        admin = (await people.by_name(tx, "王主任"))[0]
        first = await service.schedule(ctx, admin, MeetingKind.dispatch, (await people.by_name(tx, "周建国"))[0].id,
                                       date(2026, 11, 20))
        second = await service.schedule(ctx, admin, MeetingKind.dispatch, first.leader_id, date(2026, 12, 18))
    admin_user = sandbox.user(ADMIN, "王主任")
    sandbox.user(LEADER, "周建国")
    worker = sandbox.user(WORKER, "钱工")
    await admin_user.ask("/decide")
    await admin_user.tap(f"2026年11月20日 周建国调度会（第 {first.id} 号）")
    await admin_user.tap("JC-2026-001 JC-2026-001 产业园道路")
    await admin_user.ask("县住建局11月底前完成管线迁改")
    await admin_user.tap("县住建局")
    await admin_user.tap("钱工")
    await admin_user.tap("周建国")
    await admin_user.ask("2026-11-27")
    await admin_user.tap("✅ 提交")
    assert "已记录议定事项 <b>Y-2026-0001</b>，已交办 县住建局 钱工，时限 2026年11月27日" in admin_user.last().html
    await sandbox.wait_for(lambda: sandbox.messages(WORKER) and "签收" in worker.last().button_labels)
    assert "县住建局11月底前完成管线迁改" in worker.last().text

    await admin_user.ask(f"/minutes {first.id}")  # the centre attends too: its own copy comes first
    told = "会议纪要已发送给 3 位参会人员"
    await sandbox.wait_for(lambda: any(told in (m.text or "") for m in sandbox.messages(ADMIN)))
    await sandbox.wait_for(lambda: any("议定事项如下" in (m.text or "") for m in sandbox.messages(LEADER)))
    minutes = next(m.text for m in sandbox.messages(LEADER) if "议定事项如下" in (m.text or ""))
    assert ("1. Y-2026-0001 JC-2026-001 JC-2026-001 产业园道路：县住建局11月底前完成管线迁改。"
            "责任单位 县住建局") in minutes
    await sandbox.wait_for(lambda: any(m.document_name and "会议纪要" in m.document_name
                                       for m in sandbox.messages(LEADER)))

    # not signed for: the ladder takes it up like any problem
    escalated = by_chat(await run_job(db, JOBS["issue-clocks"], local(2026, 11, 24, 9, 0), POLICY, TZ))
    decision = await issue_store.by_number(db.read, "Y-2026-0001")
    assert decision.level == 2 and decision.meeting_id == first.id and "Y-2026-0001" in escalated[ADMIN]

    async with db.transaction() as tx:
        ctx = Context(tx, FixedClock(local(2026, 12, 17, 16, 0)), POLICY, TZ)
        pack = await service.pack(ctx, await meeting_store.get(tx, second.id))
        first_pack = await service.pack(ctx, await meeting_store.get(tx, first.id))
    assert first_pack.horizon == date(2026, 12, 18)  # nodes due before the leader's next meeting
    assert pack.horizon == date(2026, 12, 18) + timedelta(days=service.HORIZON_DAYS)  # none after it yet
    assert [i.number for i in pack.decisions] == ["Y-2026-0001"] and decision.id in pack.late
    monday = by_chat(await run_job(db, JOBS["meeting-packs"], local(2026, 12, 17, 16, 0), POLICY, TZ))
    due = (await issue_store.by_number(db.read, "Y-2026-0001")).resolve_due.astimezone(TZ).date()  # the new level's
    assert ("<b>五、上次会议议定事项落实情况</b>\n• Y-2026-0001 县住建局11月底前完成管线迁改 — 县住建局 钱工，"
            f"时限 {due.year}年{due.month}月{due.day}日：已交办，已超期") in monday[LEADER]

    # signed for, done, and confirmed by whoever recorded it: closed like any problem
    async with db.transaction() as tx:
        ctx = Context(tx, FixedClock(local(2026, 12, 18, 10, 0)), POLICY, TZ)
        qian, admin = (await people.by_name(tx, "钱工"))[0], (await people.by_name(tx, "王主任"))[0]
        await issue_service.acknowledge(ctx, qian, decision.id)
        await issue_service.solve(tx, ctx.clock, qian, decision.id, "管线已迁改")
        closed = await issue_service.confirm(tx, ctx.clock, admin, decision.id)
        pack = await service.pack(ctx, await meeting_store.get(tx, second.id))
    assert closed.status.value == "closed"
    assert [(i.number, i.status.value) for i in pack.decisions] == [("Y-2026-0001", "closed")] and not pack.late

async def test_only_the_centre_and_the_meetings_leader_record_decisions(db, team, sandbox, bot):
    async with db.transaction() as tx:
        ctx = Context(tx, FixedClock(local(2026, 11, 20, 10, 0)), POLICY, TZ)
        admin = (await people.by_name(tx, "王主任"))[0]
        other = await people.create(tx, "吴县长", ctx.now)
        await people.add_role(tx, other, Role.leader)
        meeting = await service.schedule(ctx, admin, MeetingKind.special, (await people.by_name(tx, "周建国"))[0].id,
                                         date(2026, 11, 20))
        decision = service.Decision(project_id=1, text="x", assignment=issue_service.Assignment(
            unit_id=1, assignee_id=1, leader_id=1, plan="x", deadline=date(2026, 12, 1), major=False))
        for person, refused in ((await people.get(tx, other), "meeting.not_decider"),
                                ((await people.by_name(tx, "李娜"))[0], "meeting.not_decider")):
            try:
                await service.decide(ctx, person, meeting.id, decision)
            except Refused as exc:
                assert exc.key == refused
            else:
                raise AssertionError(f"{person.name} recorded a decision")
        try:
            await service.schedule(ctx, await people.get(tx, other), MeetingKind.dispatch,
                                   (await people.by_name(tx, "周建国"))[0].id, date(2026, 11, 30))
        except Refused as exc:
            assert exc.key == "meeting.own_only"
    liaison = sandbox.user(6001, "李娜")
    assert "只有项目中心和领导可以安排调度会" in (await liaison.ask("/meeting")).text
    assert "近期没有您可以记录议定事项的会议" in (await liaison.ask("/decide")).text
    assert "用法：/minutes 会议编号" in (await sandbox.user(ADMIN, "王主任").ask("/minutes 第三次")).text


async def test_kaizhou_holds_one_meeting_a_month_per_lead_leader_by_itself(db, team):
    await _another_leaders_project(db)
    assert KAIZHOU.meetings.recurring  # the county file asks for them
    for day in (1, 2):  # made once, however often the job runs
        await run_job(db, JOBS["meeting-calendar"], local(2026, 12, day, 7, 0), KAIZHOU, TZ)
    made = await db.read.all("SELECT m.held_on, p.name FROM meetings m JOIN people p ON p.id = m.leader_id"
                             " ORDER BY p.name")
    rule = KAIZHOU.meetings.recurring[0]
    assert sorted(r["name"] for r in made) == sorted(["周建国", "吴县长"]) and len(made) == 2
    assert all(date.fromisoformat(r["held_on"]).month == 12 and date.fromisoformat(r["held_on"]).day >= rule.day
               for r in made)
