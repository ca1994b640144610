"""调度会: scheduling a meeting (by the centre or a leader, or by itself from the policy), its pack the
working day before, its 议定事项 — each a tracked item with the problem machinery — and its minutes."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import messages
from bot.domain.agenda import Agenda, agenda
from bot.domain.errors import Refused
from bot.domain.models import Issue, IssueStatus, Meeting, MeetingKind, Person, Project, Role
from bot.domain.policy import RecurringMeeting
from bot.domain.workdays import add_working_days, is_working_day
from bot.formats.ledgers import MINUTES, as_date, ledger_sheet, workbook
from bot.services import flag_watch
from bot.services import issues as issue_service
from bot.services.context import Context
from bot.services.delivery import send_file
from bot.services.notify import tell
from bot.services.permissions import ANYWHERE, Action, allowed, may_decide
from storage import issues, meetings, people, projects
from storage.db import Conn

HORIZON_DAYS = 31  # with no later meeting of the leader's yet, a pack asks about the nodes due within this
MAX_TEXT = 500


async def schedule(ctx: Context, actor: Person, kind: MeetingKind, leader_id: int | None, held_on: date) -> Meeting:
    """The centre schedules any meeting; a leader their own."""
    if not allowed(actor, Action.meet, ANYWHERE):
        raise Refused("meeting.not_allowed")
    leader = await people.get(ctx.tx, leader_id) if leader_id is not None else None
    if leader_id is not None and (leader is None or not allowed(leader, Action.meet, ANYWHERE)):
        raise Refused("meeting.no_leader")
    if leader_id != actor.id and not schedules_for_others(actor):
        raise Refused("meeting.own_only")
    if held_on < ctx.today:
        raise Refused("flow.date_past", value=held_on)
    meeting = await meetings.get(ctx.tx, await meetings.create(ctx.tx, kind.value, leader_id, held_on, actor.id,
                                                                 ctx.now))
    if leader is not None and leader.id != actor.id:
        await tell(ctx.tx, ctx.now, leader, "meeting.scheduled", meeting=meeting)
    return meeting


def schedules_for_others(person: Person) -> bool:
    """The centre schedules anyone's meeting and its own; a leader only their own."""
    return allowed(person, Action.decide, ANYWHERE)


async def leaders(conn: Conn) -> list[Person]:
    """Who may hold a meeting, besides the centre."""
    return [p for p in await people.with_role(conn, Role.leader) if p.active]


async def get(conn: Conn, meeting_id: int) -> Meeting | None:
    return await meetings.get(conn, meeting_id)


async def scope(conn: Conn, meeting: Meeting) -> list[Project]:
    """A leader's meeting is about the projects they lead; the centre's about every project."""
    if meeting.leader_id is None:
        return await projects.all_active(conn)
    return await projects.where_person(conn, meeting.leader_id, "lead_leader")


async def attendees(conn: Conn, meeting: Meeting, scoped: list[Project]) -> list[Person]:
    """The leader, the centre, and the heads of the units that lead or work on the projects."""
    found: dict[int, Person] = {}
    candidates = [await people.get(conn, meeting.leader_id)] if meeting.leader_id else []
    candidates += await people.with_role(conn, Role.admin)
    for project in scoped:
        candidates += await people.unit_heads_of_project(conn, project.id)
    for person in candidates:
        if person is not None and person.active:
            found.setdefault(person.id, person)
    return list(found.values())


async def pack(ctx: Context, meeting: Meeting) -> Agenda:
    scoped = await scope(ctx.tx, meeting)
    found = await flag_watch.standings(ctx, scoped)
    ids = {p.id for p in scoped}
    held = await issues.held_by(ctx.tx, meeting.leader_id) if meeting.leader_id else set()
    before = await meetings.previous_of(ctx.tx, meeting)
    after = await meetings.next_of(ctx.tx, meeting.leader_id, meeting.held_on + timedelta(days=1))
    horizon = after.held_on if after else meeting.held_on + timedelta(days=HORIZON_DAYS)  # due before the next
    return agenda(meeting, found, [i for i in await issues.unfinished(ctx.tx) if i.project_id in ids], held,
                  await projects.all_milestones(ctx.tx), await issues.of_meeting(ctx.tx, before.id) if before else [],
                  horizon, ctx.now)


async def next_pack(ctx: Context, person: Person) -> Agenda | None:
    """/agenda: the pack of the person's next meeting (a leader's own; for the centre, the next of anyone's)."""
    if not allowed(person, Action.meet, ANYWHERE):
        raise Refused("meeting.not_allowed")
    meeting = await meetings.next_of(ctx.tx, person.id, ctx.today, anyone=schedules_for_others(person))
    return await pack(ctx, meeting) if meeting else None


async def send_packs(ctx: Context) -> None:
    """The job: the packs of the meetings held by the next working day (a weekend's too), to each attendee,
    once."""
    for meeting in await meetings.held_between(ctx.tx, ctx.today, add_working_days(ctx.today, 1)):
        if meeting.pack_sent_at is not None:
            continue
        data = await pack(ctx, meeting)
        for person in await attendees(ctx.tx, meeting, await scope(ctx.tx, meeting)):
            await tell(ctx.tx, ctx.now, person, "meeting.pack", a=data, names=ctx.policy.flags.names)
        await meetings.mark(ctx.tx, meeting.id, "pack_sent_at", ctx.now)


async def make_recurring(ctx: Context) -> None:
    """The job: the policy's recurring meetings for the coming week or month, each made once."""
    for rule in ctx.policy.meetings.recurring:
        held_on, key = _next_occurrence(rule, ctx.today)
        leaders: list[int | None] = [None]
        if rule.per == "lead_leader":
            leaders = sorted({p.id for project in await projects.all_active(ctx.tx)
                              for p in await people.lead_leaders_of(ctx.tx, project.id)})
        for leader_id in leaders:
            made = await meetings.create(ctx.tx, rule.kind, leader_id, held_on, None, ctx.now,
                                         recurrence=f"{rule.kind}:{rule.per}:{leader_id or 0}:{key}")
            if made is not None and leader_id is not None:
                await tell(ctx.tx, ctx.now, await people.get(ctx.tx, leader_id), "meeting.scheduled",
                           meeting=await meetings.get(ctx.tx, made))


def _next_occurrence(rule: RecurringMeeting, today: date) -> tuple[date, str]:
    """The next meeting of a rule not yet past (moved to a working day), and the period it is for."""
    if rule.every == "week":
        monday = today - timedelta(days=today.weekday())
        day = monday + timedelta(days=rule.day - 1)
        if _working(day) < today:
            day += timedelta(days=7)
        iso = day.isocalendar()
        return _working(day), f"{iso.year}-W{iso.week:02d}"
    day = date(today.year, today.month, rule.day)
    if _working(day) < today:
        year, month = today.year + today.month // 12, today.month % 12 + 1
        day = date(year, month, min(rule.day, calendar.monthrange(year, month)[1]))
    return _working(day), f"{day.year}-{day.month:02d}"


def _working(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Decision:
    """议定事项 with its five fields: what, for which project, the unit, person and leader, the deadline."""

    project_id: int
    text: str
    assignment: issue_service.Assignment


async def decide(ctx: Context, actor: Person, meeting_id: int, given: Decision) -> Issue:
    """Recorded by the centre or the meeting's leader: numbered Y-YYYY-NNNN, assigned at once, and from then
    on worked like any problem (签收, 办结, confirmed by whoever recorded it, escalated when overdue)."""
    meeting = await meetings.get(ctx.tx, meeting_id)
    if meeting is None:
        raise Refused("meeting.unknown")
    if not may_decide(actor, meeting):
        raise Refused("meeting.not_decider")
    text = " ".join(given.text.split())
    if not text or len(text) > MAX_TEXT:
        raise Refused("meeting.text_length", limit=MAX_TEXT)
    if given.project_id not in {p.id for p in await scope(ctx.tx, meeting)}:
        raise Refused("meeting.out_of_scope")
    number = await issues.next_number(ctx.tx, ctx.today.year, series="Y")
    issue_id = await issues.create(ctx.tx, number=number, project_id=given.project_id, raised_by=actor.id,
                                   category=messages.label(None, "meeting.category"), category_item=None,
                                   description=text, need=None, need_by=None, photos=[], now=ctx.now,
                                   meeting_id=meeting.id)
    await issues.add_event(ctx.tx, issue_id, ctx.now, actor.id, "decide", to_status=IssueStatus.open.value, to_level=1,
                           text=messages.render_plain(None, "meeting.decided_event", meeting=meeting))
    return await issue_service.assign_checked(ctx, actor, await issues.get(ctx.tx, issue_id), given.assignment)


async def send_minutes(ctx: Context, actor: Person, meeting_id: int) -> tuple[Meeting, int]:
    """会议纪要: the meeting's decisions with who answers for them and by when, to every attendee, kept as a
    workbook too; how many were told."""
    meeting = await meetings.get(ctx.tx, meeting_id)
    if meeting is None:
        raise Refused("meeting.unknown")
    if not may_decide(actor, meeting):
        raise Refused("meeting.not_decider")
    decided = await issues.of_meeting(ctx.tx, meeting.id)
    if not decided:
        raise Refused("meeting.no_decisions")
    book = minutes_book(decided, ctx.tz)
    told = 0
    for person in await attendees(ctx.tx, meeting, await scope(ctx.tx, meeting)):
        if await tell(ctx.tx, ctx.now, person, "meeting.minutes", meeting=meeting, decisions=decided):
            await send_file(ctx.tx, ctx.now, person.telegram_id, "document",
                            messages.render_plain(None, "meeting.minutes_file", meeting=meeting), book)
            told += 1
    await meetings.mark(ctx.tx, meeting.id, "minutes_sent_at", ctx.now)
    return meeting, told


def minutes_book(decided: list[Issue], tz: ZoneInfo) -> bytes:
    """The minutes as a workbook for printing and keeping: each decision with its five fields."""
    rows = [(i.number, i.project_code, i.project_name, i.description, i.unit_name, i.leader_name, i.assignee_name,
             as_date(i.resolve_due, tz)) for i in decided]
    return workbook([ledger_sheet("minutes", MINUTES, rows, None)])


async def decidable(conn: Conn, person: Person, today: date) -> list[Meeting]:
    """The meetings whose decisions the person may record now: held in the last 30 days or to come, and
    theirs (or any, for the centre)."""
    return [m for m in await meetings.recent(conn, today - timedelta(days=30)) if may_decide(person, m)]
