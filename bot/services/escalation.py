"""The issue clocks (DESIGN.md §3, the 13710 rule): warn before a deadline, escalate one level at a
breach (up the county's ladder, policy issue_levels, never skipping), flag an issue still overdue
at the top level, and close a solved issue whose raiser has not answered in time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.errors import Refused
from bot.domain.models import WORKED, Issue, IssueStatus, Person, Role
from bot.domain.policy import Policy
from bot.domain.workdays import add_working_days, end_of_day, is_working_day
from bot.services.context import Context
from bot.services.groups import tell_overdue
from bot.services.issues import actions_for, checked, default_deadline, keyboard
from bot.services.notify import quiet_until, tell
from storage import issues as store
from storage import people, projects
from storage.db import Conn

S = IssueStatus


async def check_clocks(ctx: Context) -> None:
    tx, clock, policy, tz = ctx.tx, ctx.clock, ctx.policy, ctx.tz
    for issue in await store.unfinished(tx):
        if issue.status is S.solved:
            await _auto_close(tx, clock, policy, tz, issue)
        elif issue.status in WORKED:
            await _watch(tx, clock, policy, tz, issue)
        elif issue.status is S.open:
            await _sort(ctx, issue)


async def _sort(ctx: Context, issue: Issue) -> None:
    """分拣: a problem still waiting to be assigned after `assign_working_days` reminds the centre and
    the project's lead unit heads, once (003 "分拣、调度、催办")."""
    created = issue.created_at.astimezone(ctx.tz).date()
    due = end_of_day(add_working_days(created, ctx.policy.issue_clocks.assign_working_days), ctx.tz)
    if ctx.now <= due or await store.has_event(ctx.tx, issue.id, "sort_remind"):
        return
    await store.add_event(ctx.tx, issue.id, ctx.now, None, "sort_remind")
    later = quiet_until(ctx.now, ctx.policy.delivery, ctx.tz)
    heads = await people.unit_heads_of_project(ctx.tx, issue.project_id)
    for person in {p.id: p for p in [*await people.with_role(ctx.tx, Role.admin), *heads]}.values():
        buttons = keyboard(person.locale, issue, await actions_for(ctx.tx, person, issue, ctx.policy.top_level))
        await tell(ctx.tx, ctx.now, person, "clock.sort_remind", buttons, issue=issue,
                   days=ctx.policy.issue_clocks.assign_working_days, deliver_after=later)


async def _watch(tx: Conn, clock: Clock, policy: Policy, tz: ZoneInfo, issue: Issue) -> None:
    now = clock.now()
    ack_breached = issue.status is S.assigned and issue.ack_due is not None and now > issue.ack_due
    resolve_breached = issue.overdue_at(now)
    if ack_breached or resolve_breached:
        reason = "acknowledge" if ack_breached and not resolve_breached else "resolve"
        if issue.level < policy.top_level:
            await _escalate(tx, clock, policy, tz, issue, reason)
        elif not issue.flagged:
            await _flag(tx, clock, policy, issue)
        return
    if issue.resolve_due is None:
        return
    today = now.astimezone(tz).date()
    due_day = issue.resolve_due.astimezone(tz).date()
    warn_from = add_working_days(today, policy.issue_clocks.warn_working_days_before)
    stamp = due_day.isoformat()
    if is_working_day(today) and warn_from >= due_day and not await store.has_event(tx, issue.id, "warn", stamp):
        await store.add_event(tx, issue.id, now, None, "warn", text=stamp)
        await _warn(tx, now, await people.get(tx, issue.assignee_id), issue, quiet_until(now, policy.delivery, tz))


async def _warn(tx: Conn, now: datetime, assignee: Person | None, issue: Issue, later: datetime | None) -> None:
    """The deadline warning goes to the assignee, or their delegate; someone away with no delegate is
    not disturbed, and their unit's heads hear it instead (the centre, if the unit has none)."""
    if await tell(tx, now, assignee, "clock.warning", issue=issue, deliver_after=later, skip_if_away=True):
        return
    standing_in = await people.heads_of_unit(tx, issue.unit_id) if issue.unit_id else []
    for person in [p for p in standing_in if p.id != (assignee.id if assignee else None)] or \
            await people.with_role(tx, Role.admin):
        await tell(tx, now, person, "clock.warning_for", issue=issue, name=assignee.name if assignee else "—",
                   deliver_after=later)


async def _escalate(tx: Conn, clock: Clock, policy: Policy, tz: ZoneInfo, issue: Issue, reason: str,
                    actor: Person | None = None, text: str | None = None) -> Issue:
    """One level up, never skipping: for a breached clock (`reason` acknowledge / resolve), or because
    the level asked (`reason` request, by `actor`, saying why in `text`) — told apart in every notice."""
    now = clock.now()
    today = now.astimezone(tz).date()
    level = issue.level + 1
    due = end_of_day(default_deadline(today, policy, issue.major), tz)
    await store.update(tx, issue.id, now, level=level, resolve_due=due, ack_due=None)
    await store.add_event(tx, issue.id, now, actor.id if actor else None,
                          "request" if reason == "request" else "escalate", from_level=issue.level,
                          to_level=level, from_status=issue.status.value, to_status=issue.status.value,
                          text=text if reason == "request" else reason)
    issue = await store.get(tx, issue.id)
    urgent = level == policy.top_level
    later = None if urgent else quiet_until(now, policy.delivery, tz)
    for person in await level_holders(tx, issue, level, policy):
        if actor is not None and person.id == actor.id:
            continue
        buttons = keyboard(person.locale, issue, await actions_for(tx, person, issue, policy.top_level))
        await tell(tx, now, person, "clock.escalated", buttons, issue=issue, reason=reason, urgent=urgent,
                   deliver_after=later, asker=actor.name if actor else None, text=text)
    assignee = await people.get(tx, issue.assignee_id)
    if assignee is not None and (actor is None or assignee.id != actor.id):
        await tell(tx, now, assignee, "clock.escalated_assignee", issue=issue, urgent=urgent, deliver_after=later)
    await tell_overdue(tx, now, issue, "requested" if reason == "request" else "escalated", later)
    return issue


async def request_next(ctx: Context, actor: Person, issue_id: int, reason: str) -> Issue:
    """提请上级协调: the current level asks the next one, with a reason; one level, never past the top."""
    issue = await checked(ctx.tx, actor, issue_id, "request")
    if issue.level >= ctx.policy.top_level:
        raise Refused("issue.at_top", number=issue.number)
    return await _escalate(ctx.tx, ctx.clock, ctx.policy, ctx.tz, issue, "request", actor, reason)


async def _flag(tx: Conn, clock: Clock, policy: Policy, issue: Issue) -> None:
    """Past its deadline at the top level: 挂牌督办, shown in every bulletin until closed."""
    now = clock.now()
    await store.update(tx, issue.id, now, flagged=1)
    await store.add_event(tx, issue.id, now, None, "flag", from_level=issue.level, to_level=issue.level)
    issue = await store.get(tx, issue.id)
    for person in await level_holders(tx, issue, policy.top_level, policy):
        await tell(tx, now, person, "clock.flagged", issue=issue, urgent=True)
    await tell_overdue(tx, now, issue, "flagged", None)


async def _auto_close(tx: Conn, clock: Clock, policy: Policy, tz: ZoneInfo, issue: Issue) -> None:
    now = clock.now()
    if issue.solved_at is None:
        return
    solved_day = issue.solved_at.astimezone(tz).date()
    deadline = end_of_day(add_working_days(solved_day, policy.issue_clocks.auto_close_working_days), tz)
    if now <= deadline:
        return
    await store.update(tx, issue.id, now, status=S.closed.value, closed_at=now)
    await store.add_event(tx, issue.id, now, None, "auto_close", from_status=S.solved.value,
                          to_status=S.closed.value)
    issue = await store.get(tx, issue.id)
    later = quiet_until(now, policy.delivery, tz)
    for person_id in {issue.raised_by, issue.assignee_id}:
        await tell(tx, now, await people.get(tx, person_id), "clock.auto_closed", issue=issue,
                   deliver_after=later)


async def level_holders(tx: Conn, issue: Issue, level: int, policy: Policy) -> list[Person]:
    """Who answers for an issue at `level`, as the county's ladder says (policy issue_levels)."""
    holders = policy.issue_levels[level - 1].holders
    if isinstance(holders, list):
        return [p for name in holders for p in await people.by_name(tx, name)]
    if holders == "unit":
        return await people.heads_of_unit(tx, issue.unit_id) if issue.unit_id else []
    if holders == "centre":
        return await people.with_role(tx, Role.admin)
    leaders = await people.with_role(tx, Role.leader)
    if holders == "leaders":
        return leaders
    chosen = [p for p in leaders if p.id == issue.leader_id
              or await projects.has_person(tx, issue.project_id, p.id, "lead_leader")]
    return chosen or leaders  # project_leaders: every leader if the project names none
