"""Reminders to liaisons: the weekly update (Friday, and Monday for those who did not answer) to
everyone who reports on a project, and the monthly report countdown with its late notices to the
liaison who answers for it. One message per person, listing projects."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import messages
from bot.domain.buttons import StartButton, encode
from bot.domain.models import Person, Project, Role
from bot.domain.periods import due_date, iso_week, report_period
from bot.domain.workdays import add_working_days
from bot.services.context import Context
from bot.services.delivery import inline_keyboard
from bot.services.notify import tell
from storage import people, projects, reports

REPORTERS = ("liaison", "co_reporter")  # who is asked for the weekly update; the liaison alone for the month


def _button(person: Person, flow: str, month: str | None = None) -> dict:
    return inline_keyboard([[(messages.label(person.locale, f"menu.{flow}"), encode(StartButton(flow, month)))]])


async def _liaisons_with_projects(ctx: Context, *roles: str) -> list[tuple[Person, list[Project]]]:
    """Each reachable liaison with the projects where they hold one of `roles`."""
    found = []
    for person in await people.with_role(ctx.tx, Role.liaison):
        if person.telegram_id is None or person.unreachable:
            continue
        mine = await projects.where_person(ctx.tx, person.id, *roles)
        if mine:
            found.append((person, mine))
    return found


def _weekly(ctx: Context, mine: list[Project]) -> list[Project]:
    return [p for p in mine if ctx.policy.weekly_update.asks(p.tier, p.level)]


async def weekly_request(ctx: Context) -> None:
    week = iso_week(ctx.today)
    for person, every in await _liaisons_with_projects(ctx, *REPORTERS):
        if not (mine := _weekly(ctx, every)):
            continue
        await tell(ctx.tx, ctx.now, person, "reminder.weekly", _button(person, "weekly"), projects=mine, week=week,
                   skip_if_away=True)


async def weekly_nudge(ctx: Context) -> None:
    week = iso_week(ctx.today - timedelta(days=3))  # the week that Friday's request was about
    answered = await reports.weekly_project_ids(ctx.tx, week)
    for person, mine in await _liaisons_with_projects(ctx, *REPORTERS):
        missing = [p for p in _weekly(ctx, mine) if p.id not in answered]
        if missing:
            await tell(ctx.tx, ctx.now, person, "reminder.weekly_nudge", _button(person, "weekly"),
                       projects=missing, week=week, skip_if_away=True)


async def monthly_countdown(ctx: Context) -> None:
    policy = ctx.policy.monthly_report
    today = ctx.today
    period = report_period(today, policy)
    days_left = (due_date(period, policy) - today).days
    if days_left in policy.reminder_days_before:
        await _remind_missing(ctx, period, days_left)
    for late in {report_period(today - timedelta(days=k), policy) for k in range(1, 20)} - {period}:
        due = due_date(late, policy)
        if today == due + timedelta(days=1):
            await _late_notices(ctx, late)
        if today == add_working_days(due, policy.late_to_centre_after_working_days):
            await _late_to_centre(ctx, late)


async def _missing(ctx: Context, period: str) -> list[Project]:
    done = await reports.reported_project_ids(ctx.tx, period)
    return [p for p in await projects.all_active(ctx.tx) if p.id not in done and p.liaison_id]


async def _remind_missing(ctx: Context, period: str, days_left: int) -> None:
    missing = {p.id for p in await _missing(ctx, period)}
    due = due_date(period, ctx.policy.monthly_report)
    for person, mine in await _liaisons_with_projects(ctx, "liaison"):
        owed = [p for p in mine if p.id in missing]
        if owed:
            await tell(ctx.tx, ctx.now, person, "reminder.monthly", _button(person, "report"),
                       projects=owed, period=period, days_left=days_left, due=due, skip_if_away=True)


async def _late_notices(ctx: Context, period: str) -> None:
    late = await _missing(ctx, period)
    by_liaison: dict[int, list[Project]] = defaultdict(list)
    for project in late:
        by_liaison[project.liaison_id].append(project)
    for person_id, owed in by_liaison.items():
        person = await people.get(ctx.tx, person_id)
        await tell(ctx.tx, ctx.now, person, "reminder.monthly_late", _button(person, "report", period),
                   projects=owed, period=period, skip_if_away=True)
    heads: dict[int, tuple[Person, list[Project]]] = {}
    for project in late:
        for head in await people.unit_heads_of_project(ctx.tx, project.id):
            heads.setdefault(head.id, (head, []))[1].append(project)
    for head, owed in heads.values():
        await tell(ctx.tx, ctx.now, head, "reminder.monthly_late_unit", projects=owed, period=period)


async def _late_to_centre(ctx: Context, period: str) -> None:
    late = await _missing(ctx, period)
    if not late:
        return
    for admin in await people.with_role(ctx.tx, Role.admin):
        await tell(ctx.tx, ctx.now, admin, "reminder.monthly_late_centre", projects=late, period=period)
