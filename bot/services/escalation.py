"""The issue clocks (DESIGN.md §3, the 13710 rule): 分拣 an unassigned problem, warn before a deadline,
escalate one level at a breach of 签收, 办理方案 or 办结 (up the county's ladder, policy issue_levels,
never skipping), flag an issue still overdue at the top level, and see a solved issue closed: by
itself when the county says so, else by reminding its raiser and then asking the centre to 回访."""

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
from bot.services.ladder import level_holders
from bot.services.notify import quiet_until, tell
from storage import issues as store
from storage import people
from storage.db import Conn

S = IssueStatus


async def check_clocks(ctx: Context) -> None:
    tx, clock, policy, tz = ctx.tx, ctx.clock, ctx.policy, ctx.tz
    for issue in await store.unfinished(tx):
        if issue.status is S.solved:
            await _close_out(ctx, issue)
        elif issue.status in WORKED:
            await _watch(tx, clock, policy, tz, issue)
        elif issue.status is S.open:
            await _sort(ctx, issue)


async def _sort(ctx: Context, issue: Issue) -> None:
    """分拣: a problem still waiting to be assigned after `assign_working_days` reminds the centre and
    the project's lead unit heads, once (003 "分拣、调度、催办")."""
    clocks = ctx.policy.issue_clocks
    created = issue.created_at.astimezone(ctx.tz).date()
    reminded_on = add_working_days(created, clocks.assign_working_days)
    if ctx.now <= end_of_day(reminded_on, ctx.tz):
        return
    if await store.has_event(ctx.tx, issue.id, "sort_remind"):
        later = clocks.sort_escalate_working_days
        if (later is not None and issue.level < ctx.policy.top_level
                and ctx.now > end_of_day(add_working_days(reminded_on, later), ctx.tz)
                and not await store.has_event(ctx.tx, issue.id, "escalate", "sort")):
            await _escalate(ctx.tx, ctx.clock, ctx.policy, ctx.tz, issue, "sort")
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
    if ack_breached or resolve_breached or issue.plan_late_at(now):
        reason = "resolve" if resolve_breached else "acknowledge" if ack_breached else "plan"
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
    """One level up, never skipping: for a breached clock (`reason` acknowledge / plan / resolve), a
    problem left unassigned (sort), or because the level asked (`reason` request, by `actor`, saying why
    in `text`) — told apart in every notice. The new level's holders hold it from now on."""
    now = clock.now()
    today = now.astimezone(tz).date()
    level = issue.level + 1
    due = end_of_day(default_deadline(today, policy.clocks_at(level), issue.major), tz) \
        if issue.status in WORKED else None
    await store.update(tx, issue.id, now, level=level, resolve_due=due, ack_due=None, plan_due=None)
    await store.add_event(tx, issue.id, now, actor.id if actor else None,
                          "request" if reason == "request" else "escalate", from_level=issue.level,
                          to_level=level, from_status=issue.status.value, to_status=issue.status.value,
                          text=text if reason == "request" else reason)
    issue = await store.get(tx, issue.id)
    urgent = level == policy.top_level
    later = None if urgent else quiet_until(now, policy.delivery, tz)
    holders = await level_holders(tx, issue, level, policy)
    await store.set_holders(tx, issue.id, [p.id for p in holders])
    for person in holders:
        if actor is not None and person.id == actor.id:
            continue
        buttons = keyboard(person.locale, issue, await actions_for(tx, person, issue, policy.top_level))
        await tell(tx, now, person, "clock.escalated", buttons, issue=issue, reason=reason, urgent=urgent,
                   deliver_after=later, asker=actor.name if actor else None, text=text)
    assignee = await people.get(tx, issue.assignee_id)
    if assignee is not None and (actor is None or assignee.id != actor.id):
        await tell(tx, now, assignee, "clock.escalated_assignee", issue=issue, urgent=urgent, deliver_after=later)
    if reason != "sort":  # not yet anyone's to solve: nothing for the groups to read as a breach
        await tell_overdue(tx, now, issue, "requested" if reason == "request" else "escalated", later, reason=reason)
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


async def _close_out(ctx: Context, issue: Issue) -> None:
    """A solved issue its raiser has not answered: after auto_close_working_days it closes by itself
    (auto_close), or its raiser is reminded once and, revisit_working_days later, the centre is asked
    once to 回访 — it then stays solved until the raiser or the 回访 answers."""
    clocks, tx, now = ctx.policy.issue_clocks, ctx.tx, ctx.now
    if issue.solved_at is None:
        return
    waited = add_working_days(issue.solved_at.astimezone(ctx.tz).date(), clocks.auto_close_working_days)
    if now <= end_of_day(waited, ctx.tz):
        return
    later = quiet_until(now, ctx.policy.delivery, ctx.tz)
    if clocks.auto_close:
        await store.update(tx, issue.id, now, status=S.closed.value, closed_at=now)
        await store.add_event(tx, issue.id, now, None, "auto_close", from_status=S.solved.value,
                              to_status=S.closed.value)
        issue = await store.get(tx, issue.id)
        for person_id in {issue.raised_by, issue.assignee_id}:
            await tell(tx, now, await people.get(tx, person_id), "clock.auto_closed", issue=issue,
                       days=clocks.auto_close_working_days, deliver_after=later)
        return
    if not await store.has_event(tx, issue.id, "confirm_remind"):
        await store.add_event(tx, issue.id, now, None, "confirm_remind")
        raiser = await people.get(tx, issue.raised_by)
        buttons = keyboard(raiser.locale, issue, await actions_for(tx, raiser, issue)) if raiser else None
        await tell(tx, now, raiser, "clock.confirm_remind", buttons, issue=issue, deliver_after=later)
        return
    asked_on = add_working_days(waited, clocks.revisit_working_days)
    if now <= end_of_day(asked_on, ctx.tz) or await store.has_event(tx, issue.id, "revisit_ask"):
        return
    await store.add_event(tx, issue.id, now, None, "revisit_ask")
    for person in await people.with_role(tx, Role.admin):
        buttons = keyboard(person.locale, issue, await actions_for(tx, person, issue))
        await tell(tx, now, person, "clock.revisit_ask", buttons, issue=issue, deliver_after=later)
