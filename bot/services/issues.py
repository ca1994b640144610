"""The blocking issue's life: raise, assign (五到位), acknowledge (签收), its 办理方案, progress, solve,
confirm or reject, or the centre's 回访. Every transition checks the permission table and the state machine, updates
the row, writes an event and tells the people concerned through the outbox."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import messages
from bot.domain.buttons import IssueButton, encode
from bot.domain.clock import Clock
from bot.domain.errors import Refused
from bot.domain.models import WORKED, Issue, IssueEvent, IssueStatus, Person, Project, Role, Satisfaction, Unit
from bot.domain.policy import IssueClockPolicy, Policy
from bot.domain.workdays import add_working_days, end_of_day
from bot.services.context import Context
from bot.services.delivery import inline_keyboard
from bot.services.ladder import level_holders
from bot.services.notify import tell
from bot.services.permissions import ANYWHERE, Action, allowed, may, may_lead_issue
from bot.services.registry import sees_everything, visible_projects
from storage import issues as store
from storage import people, projects
from storage.db import Conn

S = IssueStatus

# action → (statuses it may start from, status it leads to (None: unchanged), permission)
TRANSITIONS: dict[str, tuple[frozenset[IssueStatus], IssueStatus | None, Action]] = {
    "assign": (frozenset({S.open, *WORKED}), S.assigned, Action.assign),
    "acknowledge": (frozenset({S.assigned, S.reopened}), S.acknowledged, Action.acknowledge),
    "plan": (frozenset({S.acknowledged}), None, Action.progress),  # 办理方案, while one is awaited
    "progress": (frozenset(WORKED), None, Action.progress),
    "solve": (frozenset(WORKED), S.solved, Action.solve),
    "confirm": (frozenset({S.solved}), S.closed, Action.confirm),
    "reject": (frozenset({S.solved}), S.reopened, Action.confirm),
    "instruct": (frozenset({S.open, *WORKED}), None, Action.instruct),
    "extend": (frozenset(WORKED), None, Action.extend),
    "flag": (frozenset({S.open, *WORKED, S.solved}), None, Action.flag),
    "unflag": (frozenset({S.open, *WORKED, S.solved}), None, Action.flag),
    "request": (frozenset(WORKED), None, Action.request_next),  # 提请上级协调 (escalation.request_next)
    "revisit": (frozenset({S.solved}), None, Action.revisit),  # 回访: closes or reopens, as the raiser said
}
# the short names issue buttons carry (domain.buttons.IssueButton)
BUTTON_CODES = {"assign": "asg", "acknowledge": "ack", "progress": "prg", "solve": "sol",
                "confirm": "ok", "reject": "no", "instruct": "ins", "extend": "ext", "flag": "flg",
                "unflag": "ufl", "request": "req", "plan": "pln", "revisit": "rv"}
ACTIONS_BY_CODE = {code: action for action, code in BUTTON_CODES.items()}


async def checked(tx: Conn, actor: Person, issue_id: int, action: str) -> Issue:
    """The issue, if `actor` may do `action` to it now; otherwise Refused saying why."""
    issue = await store.get(tx, issue_id)
    if issue is None:
        raise Refused("issue.not_found")
    starts, _, permission = TRANSITIONS[action]
    if not await may(tx, actor, permission, issue=issue):
        raise Refused("issue.not_allowed", number=issue.number)
    if issue.status not in starts:
        raise Refused("issue.wrong_state", number=issue.number, status=issue.status.value)
    return issue


async def actions_for(conn: Conn, person: Person, issue: Issue, top_level: int | None = None) -> list[str]:
    """The transitions `person` may make on `issue` now, for its buttons. Asking the next level is
    offered only where the ladder's top (`top_level`) is known and not yet reached."""
    found = []
    for action, (starts, _, permission) in TRANSITIONS.items():
        if action == ("unflag" if not issue.flagged else "flag"):
            continue
        if action == "request" and (top_level is None or issue.level >= top_level):
            continue
        if action == "plan" and not issue.awaits_plan:
            continue
        if issue.status in starts and await may(conn, person, permission, issue=issue):
            found.append(action)
    return found


def keyboard(locale: str | None, issue: Issue, actions: list[str]) -> dict | None:
    if not actions:
        return None
    buttons = [(messages.label(locale, f"issue.button.{a}"), encode(IssueButton(issue.id, BUTTON_CODES[a])))
               for a in actions]
    return inline_keyboard([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


async def _tell_with_buttons(tx: Conn, now: datetime, person: Person | None, issue: Issue, key: str,
                             top_level: int | None = None, **values: object) -> None:
    if person is None:
        return
    actions = await actions_for(tx, person, issue, top_level)
    await tell(tx, now, person, key, keyboard(person.locale, issue, actions), issue=issue, dashboard=True, **values)


async def _move(tx: Conn, now: datetime, actor: Person | None, issue: Issue, action: str,
                text: str | None = None, **changes: object) -> Issue:
    _, target, _ = TRANSITIONS[action]
    if target is not None:
        changes["status"] = target.value
    if changes:
        await store.update(tx, issue.id, now, **changes)
    await store.add_event(tx, issue.id, now, actor.id if actor else None, action,
                          from_status=issue.status.value, to_status=changes.get("status", issue.status.value),
                          text=text)
    return await store.get(tx, issue.id)


async def raise_issue(tx: Conn, clock: Clock, raiser: Person, *, project_id: int, category: str,
                      description: str, need: str | None, need_by: date | None, category_item: str | None = None,
                      photos: list[str], tz: ZoneInfo) -> Issue:
    project = await projects.get(tx, project_id)
    if project is None or not await may(tx, raiser, Action.raise_issue, project=project):
        raise Refused("issue.not_allowed_project")
    now = clock.now()
    number = await store.next_number(tx, now.astimezone(tz).year)
    issue_id = await store.create(tx, number=number, project_id=project.id, raised_by=raiser.id,
                                  category=category, category_item=category_item, description=description, need=need,
                                  need_by=need_by, photos=photos, now=now)
    await store.add_event(tx, issue_id, now, raiser.id, "raise", to_status=S.open.value, to_level=1,
                          text=description)
    issue = await store.get(tx, issue_id)
    told = {raiser.id}
    for person in [*await people.unit_heads_of_project(tx, project.id),
                   *await people.with_role(tx, Role.admin)]:
        if person.id not in told:
            told.add(person.id)
            await _tell_with_buttons(tx, now, person, issue, "issue.raised_notice")
    return issue


def default_deadline(today: date, clocks: IssueClockPolicy, major: bool) -> date:
    """Solved within the level's working days, or its months for a major issue (by default 7 and 1: 13710)."""
    if major:
        months = today.month - 1 + clocks.major_resolve_months
        year, month = today.year + months // 12, months % 12 + 1
        return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return add_working_days(today, clocks.resolve_working_days)


async def offered_deadline(conn: Conn, policy: Policy, issue_id: int, today: date, major: bool) -> date:
    """The deadline an assignment offers: by the clocks of the level the issue is at."""
    issue = await store.get(conn, issue_id)
    return default_deadline(today, policy.clocks_at(issue.level if issue else 1), major)


@dataclass(frozen=True)
class Assignment:
    """交办 with the five fields in place (五到位): unit, person, leader, solution (plan), deadline."""

    unit_id: int
    assignee_id: int
    leader_id: int
    plan: str
    deadline: date
    major: bool


async def assign(ctx: Context, actor: Person, issue_id: int, given: Assignment) -> Issue:
    return await assign_checked(ctx, actor, await checked(ctx.tx, actor, issue_id, "assign"), given)


async def assign_checked(ctx: Context, actor: Person, issue: Issue, given: Assignment) -> Issue:
    """交办 of an issue the caller has checked `actor` may assign (a meeting's decision is assigned by whoever
    records it)."""
    tx, policy, tz = ctx.tx, ctx.policy, ctx.tz
    unit_id, assignee_id, leader_id, plan, deadline = (given.unit_id, given.assignee_id, given.leader_id,
                                                      given.plan, given.deadline)
    assignee = await people.get(tx, assignee_id)
    leader = await people.get(tx, leader_id)
    if assignee is None or assignee.unit_id != unit_id or leader is None or not may_lead_issue(leader, unit_id):
        raise Refused("issue.assign_invalid")
    now = ctx.now
    if assignee.away_at(now) and assignee.delegate_id is not None:
        plan = messages.render(None, "away.assigned_instead", name=assignee.name) + plan
        assignee = await people.get(tx, assignee.delegate_id)
        await people.count_redirect(tx, assignee_id)
    today = now.astimezone(tz).date()
    if deadline < today:
        raise Refused("issue.deadline_past")
    ack_due = end_of_day(add_working_days(today, policy.clocks_at(issue.level).acknowledge_working_days), tz)
    issue = await _move(tx, now, actor, issue, "assign", text=plan, unit_id=unit_id,
                        assignee_id=assignee.id, leader_id=leader_id, plan=plan, major=int(given.major),
                        ack_due=ack_due, resolve_due=end_of_day(deadline, tz), plan_due=None, work_plan=None,
                        planned_at=None)
    await _tell_with_buttons(tx, now, assignee, issue, "issue.assigned_to_you", policy.top_level)
    told = {actor.id, assignee.id}
    if given.major:  # 特事特办 (001): the project's lead leaders (and the level the county names) see it at once
        alerted = await people.lead_leaders_of(tx, issue.project_id)
        if policy.major_alert_level is not None:
            alerted += await level_holders(tx, issue, policy.major_alert_level, policy)
        for person in alerted:
            if person.id not in told:
                await _tell_with_buttons(tx, now, person, issue, "issue.major_notice", policy.top_level)
                told.add(person.id)
    for person in (await people.get(tx, issue.raised_by), leader):
        if person and person.id not in told:
            await tell(tx, now, person, "issue.assigned_notice", issue=issue)
    return issue


async def acknowledge(ctx: Context, actor: Person, issue_id: int) -> Issue:
    """签收; the plan clock starts unless a plan was already given (a reopened issue keeps its plan)."""
    issue = await checked(ctx.tx, actor, issue_id, "acknowledge")
    now, days = ctx.now, ctx.policy.clocks_at(issue.level).plan_working_days
    plan_due = None
    if days is not None and issue.planned_at is None:
        plan_due = end_of_day(add_working_days(ctx.today, days), ctx.tz)
    issue = await _move(ctx.tx, now, actor, issue, "acknowledge", acknowledged_at=now, plan_due=plan_due)
    await tell(ctx.tx, now, await people.get(ctx.tx, issue.raised_by), "issue.acknowledged_notice", issue=issue)
    return issue


async def submit_plan(ctx: Context, actor: Person, issue_id: int, text: str) -> Issue:
    """办理方案 (for a major problem, its dated steps): stops the plan clock; the raiser and leader see it."""
    issue = await checked(ctx.tx, actor, issue_id, "plan")
    if not issue.awaits_plan:
        raise Refused("issue.wrong_state", number=issue.number, status=issue.status.value)
    now = ctx.now
    issue = await _move(ctx.tx, now, actor, issue, "plan", text=text, work_plan=text, planned_at=now)
    for person_id in dict.fromkeys((issue.raised_by, issue.leader_id)):
        if person_id is not None and person_id != actor.id:
            await tell(ctx.tx, now, await people.get(ctx.tx, person_id), "issue.plan_notice", issue=issue)
    return issue


async def progress(tx: Conn, clock: Clock, actor: Person, issue_id: int, note: str) -> Issue:
    issue = await checked(tx, actor, issue_id, "progress")
    now = clock.now()
    issue = await _move(tx, now, actor, issue, "progress", text=note)
    await tell(tx, now, await people.get(tx, issue.raised_by), "issue.progress_notice", issue=issue, note=note)
    return issue


async def solve(tx: Conn, clock: Clock, actor: Person, issue_id: int, solution: str) -> Issue:
    issue = await checked(tx, actor, issue_id, "solve")
    now = clock.now()
    changes: dict = {"solution": solution, "solved_at": now}
    if issue.status is not S.acknowledged:
        changes["acknowledged_at"] = now  # solving it shows it was received
    issue = await _move(tx, now, actor, issue, "solve", text=solution, **changes)
    await _tell_with_buttons(tx, now, await people.get(tx, issue.raised_by), issue, "issue.solved_ask_raiser")
    return issue


async def confirm(tx: Conn, clock: Clock, actor: Person, issue_id: int) -> Issue:
    issue = await checked(tx, actor, issue_id, "confirm")
    now = clock.now()
    issue = await _move(tx, now, actor, issue, "confirm", closed_at=now, satisfaction=Satisfaction.satisfied.value,
                        confirmed_by=actor.name)
    await tell(tx, now, await people.get(tx, issue.assignee_id), "issue.closed_notice", issue=issue)
    return issue


async def revisit(ctx: Context, actor: Person, issue_id: int, outcome: Satisfaction, confirmer: str,
                  note: str | None) -> Issue:
    """回访: the centre reached the raiser; 满意 or 基本满意 closes the issue, 不满意 sends it back, and
    who confirmed is kept (001 "跟踪回访解决情况，企业满意方可清零销号")."""
    issue = await checked(ctx.tx, actor, issue_id, "revisit")
    now, unsatisfied = ctx.now, outcome is Satisfaction.unsatisfied
    said = messages.render_plain(None, "issue.revisit_record", outcome=outcome.value, confirmer=confirmer, note=note)
    changes: dict = {"satisfaction": outcome.value, "confirmed_by": confirmer}
    changes.update({"status": S.reopened.value, "solved_at": None} if unsatisfied
                   else {"status": S.closed.value, "closed_at": now})
    issue = await _move(ctx.tx, now, actor, issue, "revisit", text=said, **changes)
    assignee = await people.get(ctx.tx, issue.assignee_id)
    if unsatisfied:
        await _tell_with_buttons(ctx.tx, now, assignee, issue, "issue.reopened_notice", reason=said)
    else:
        await tell(ctx.tx, now, assignee, "issue.closed_notice", issue=issue)
    await tell(ctx.tx, now, await people.get(ctx.tx, issue.raised_by), "issue.revisited_notice", issue=issue)
    return issue


async def reject(tx: Conn, clock: Clock, actor: Person, issue_id: int, reason: str) -> Issue:
    issue = await checked(tx, actor, issue_id, "reject")
    now = clock.now()
    issue = await _move(tx, now, actor, issue, "reject", text=reason, solved_at=None,
                        satisfaction=Satisfaction.unsatisfied.value, confirmed_by=actor.name)
    await _tell_with_buttons(tx, now, await people.get(tx, issue.assignee_id), issue,
                             "issue.reopened_notice", reason=reason)
    return issue


# -- what people ask about issues ----------------------------------------------------------------
async def visible_by_number(conn: Conn, person: Person, number: str) -> tuple[Issue, list[IssueEvent]] | None:
    """The issue and its history, if it exists and the person may see it."""
    issue = await store.by_number(conn, number.strip().upper()[:20])
    if issue is None or not await may(conn, person, Action.view_issue, issue=issue):
        return None
    return issue, await store.events(conn, issue.id)


async def listed(conn: Conn, person: Person, status: IssueStatus | None) -> list[Issue]:
    """The newest issues the person sees: every one for those who see everything, else their own."""
    wanted = status.value if status else None
    if sees_everything(person):
        return await store.all_recent(conn, wanted)
    return await store.involving(conn, person.id, person.unit_id, wanted)


async def waiting_for(conn: Conn, person: Person) -> list[tuple[Issue, list[str]]]:
    """Issues waiting for the person's action (a progress note is never "waiting"), with the actions."""
    waiting = []
    for issue in await listed(conn, person, None):
        actions = [a for a in await actions_for(conn, person, issue) if a != "progress"]
        if "revisit" in actions and not await store.has_event(conn, issue.id, "revisit_ask"):
            actions.remove("revisit")  # the centre may 回访 any solved issue; it waits once asked to
        if actions:
            waiting.append((issue, actions))
    return waiting


async def project_of(conn: Conn, issue_id: int) -> int | None:
    issue = await store.get(conn, issue_id)
    return issue.project_id if issue else None


async def assignable_units(conn: Conn, project_id: int | None) -> list[Unit]:
    """Units with someone in them to assign to: the project's own first, then the others."""
    mine = await projects.unit_ids(conn, project_id) if project_id else {"lead": [], "responsible": []}
    first = [*mine["lead"], *mine["responsible"]]
    units = sorted(await people.units(conn), key=lambda u: (u.id not in first, u.name))
    return [u for u in units if await people.in_unit(conn, u.id)]


async def unit(conn: Conn, unit_id: int) -> Unit | None:
    return await people.unit(conn, unit_id)


async def unit_people(conn: Conn, unit_id: int) -> list[Person]:
    return await people.in_unit(conn, unit_id)


async def person(conn: Conn, person_id: int) -> Person | None:
    return await people.get(conn, person_id)


async def default_leader(conn: Conn, issue_id: int, unit_id: int) -> Person | None:
    """The project's lead leader, if among those who may lead an issue of that unit."""
    issue = await store.get(conn, issue_id)
    project = await projects.get(conn, issue.project_id) if issue else None
    return next((p for p in await leader_candidates(conn, unit_id) if project and p.name == project.lead_leader), None)


async def leader_candidates(conn: Conn, unit_id: int) -> list[Person]:
    """Who may be named the leader of an issue assigned to the unit: leaders, and the unit's heads."""
    found = {p.id: p for p in await people.with_role(conn, Role.leader)}
    for person in await people.in_unit(conn, unit_id):
        found.setdefault(person.id, person)
    return [p for p in found.values() if may_lead_issue(p, unit_id)]


async def raisable_projects(conn: Conn, person: Person) -> list[Project]:
    return [p for p in await visible_projects(conn, person)
            if await may(conn, person, Action.raise_issue, project=p)]


async def instruct(tx: Conn, clock: Clock, actor: Person, issue_id: int, text: str) -> Issue:
    """批示: recorded, and forwarded word for word to the responsible person."""
    issue = await checked(tx, actor, issue_id, "instruct")
    now = clock.now()
    issue = await _move(tx, now, actor, issue, "instruct", text=text)
    for person_id in {issue.assignee_id, issue.raised_by} - {None, actor.id}:
        await tell(tx, now, await people.get(tx, person_id), "issue.instruction", issue=issue,
                   leader=actor.name, text=text)
    return issue


async def extend(tx: Conn, clock: Clock, tz: ZoneInfo, actor: Person, issue_id: int, until: date,
                 reason: str) -> Issue:
    """延期: a new deadline with a reason; once per level, except for administrators."""
    issue = await checked(tx, actor, issue_id, "extend")
    if not allowed(actor, Action.extend_again, ANYWHERE) and await store.extended_at_level(tx, issue.id, issue.level):
        raise Refused("issue.extend_once", number=issue.number)
    new_due = end_of_day(until, tz)
    if issue.resolve_due is not None and new_due <= issue.resolve_due:
        raise Refused("issue.extend_not_later", number=issue.number)
    now = clock.now()
    issue = await _move(tx, now, actor, issue, "extend", text=f"{until.isoformat()} {reason}",
                        resolve_due=new_due)
    await tell(tx, now, await people.get(tx, issue.assignee_id), "issue.extended_notice", issue=issue,
               leader=actor.name, reason=reason)
    return issue


async def set_flag(tx: Conn, clock: Clock, actor: Person, issue_id: int, flagged: bool) -> Issue:
    """挂牌督办 / 取消挂牌 by a leader or the centre."""
    action = "flag" if flagged else "unflag"
    issue = await checked(tx, actor, issue_id, action)
    if issue.flagged == flagged:
        raise Refused("issue.wrong_state", number=issue.number, status=issue.status.value)
    now = clock.now()
    issue = await _move(tx, now, actor, issue, action, flagged=int(flagged))
    await tell(tx, now, await people.get(tx, issue.assignee_id), f"issue.{action}_notice", issue=issue,
               leader=actor.name)
    return issue
