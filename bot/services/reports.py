"""Monthly progress reports (with revisions) and weekly updates."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.errors import Refused
from bot.domain.flags import schedule
from bot.domain.models import Milestone, MonthlyReport, Person, Project, WeeklyUpdate
from bot.domain.periods import (
    completion_rate,
    correctable,
    is_late,
    iso_week,
    judged_period,
    open_months,
    report_period,
    shift,
)
from bot.domain.policy import Policy
from bot.domain.standing import statuses
from bot.services import flag_watch
from bot.services.context import Context
from bot.services.permissions import Action, may
from storage import issues as issue_store
from storage import projects, reports
from storage.db import Conn


async def reportable_projects(conn: Conn, person: Person) -> list[Project]:
    return [p for p in await projects.where_reporter(conn, person.id)
            if await may(conn, person, Action.report, project=p)]


async def weekly_projects(conn: Conn, person: Person, policy: Policy) -> list[Project]:
    """The person's projects that give a weekly update under the county's policy."""
    return [p for p in await reportable_projects(conn, person) if policy.weekly_update.asks(p.tier, p.level)]


@dataclass(frozen=True)
class MonthChoice:
    period: str
    kind: str  # late (补报), current, or correction (a new revision of a month already reported)


async def months(ctx: Context, project_id: int) -> list[MonthChoice]:
    """The months the project's report may be for at this instant, the one meant first: the unreported
    ones already due (补报, oldest first), then the current one, then reported ones still correctable."""
    policy = ctx.policy.monthly_report
    reported = await reports.periods_of(ctx.tx, project_id)
    found = open_months(ctx.today, policy, reported)
    current = found[-1]
    choices = [MonthChoice(m, "current" if m == current else "late") for m in found]
    for back in range(1, policy.late_months + 1):
        period = shift(current, -back)
        if period in reported and correctable(period, ctx.today, policy, ctx.policy.bulletins.monthly_day):
            choices.append(MonthChoice(period, "correction"))
    return choices


async def owed_months(ctx: Context, project_id: int) -> list[str]:
    """The months the project's report is owed for: those late (补报), then the current one."""
    reported = await reports.periods_of(ctx.tx, project_id)
    return [m for m in open_months(ctx.today, ctx.policy.monthly_report, reported) if m not in reported]


async def owed(ctx: Context, person: Person) -> list[tuple[Project, list[str]]]:
    """The person's projects with months owed, and those months."""
    found = []
    for project in await reportable_projects(ctx.tx, person):
        if months_owed := await owed_months(ctx, project.id):
            found.append((project, months_owed))
    return found


async def history(conn: Conn, project: Project) -> tuple[list[MonthlyReport], list[WeeklyUpdate]]:
    return await reports.history(conn, project.id), await reports.weekly_history(conn, project.id)


async def milestones(conn: Conn, project_id: int) -> list[Milestone]:
    return await projects.milestones(conn, project_id)


async def last_report(conn: Conn, project_id: int, period: str) -> MonthlyReport | None:
    """The newest report for a month before `period`: what "same as last month" repeats."""
    return await reports.latest(conn, project_id, before_period=period)


async def last_ytd(conn: Conn, project_id: int, period: str) -> int | None:
    """Last month's year-to-date figure within the same year (January starts afresh)."""
    previous = await reports.latest(conn, project_id, before_period=period)
    if previous is None or previous.period[:4] != period[:4]:
        return None
    return previous.ytd_completed


async def check_ytd(conn: Conn, project_id: int, period: str, ytd: int) -> int | None:
    """The rules a year-to-date figure must keep (Refused if it breaks one): not negative, not above
    the project's total investment. Returns last month's figure: one below it is allowed, but the
    person is asked to confirm it."""
    project = await projects.get(conn, project_id)
    if ytd < 0:
        raise Refused("report.ytd_negative", value=ytd)
    if project is not None and ytd > project.total_investment:
        raise Refused("report.ytd_over_total", value=ytd, total=project.total_investment)
    return await last_ytd(conn, project_id, period)


async def submit_monthly(tx: Conn, clock: Clock, policy: Policy, tz: ZoneInfo, person: Person, *, period: str,
                         project_id: int,
                         ytd: int, stage: str, progress: str, photos: list[str], milestone_ids: list[int],
                         next_plan: str, funds: int | None = None,
                         extra: dict | None = None) -> tuple[MonthlyReport, Project, dict]:
    """`period` is the month chosen when the report was started; it must still be open (`months`).
    `extra`: answers to the policy's own questions by key (others are dropped; a required one missing
    is refused)."""
    project = await projects.get(tx, project_id)
    if project is None or not await may(tx, person, Action.report, project=project):
        raise Refused("report.not_allowed")
    ctx = Context(tx, clock, policy, tz)
    if period not in {m.period for m in await months(ctx, project_id)}:
        raise Refused("report.month_closed", period=period)
    await check_ytd(tx, project_id, period, ytd)
    now = clock.now()
    today = now.astimezone(tz).date()
    report = await reports.add_revision(
        tx, project_id=project.id, period=period, reporter_id=person.id, ytd_completed=ytd,
        stage=stage, progress=progress, photos=photos, milestones_reached=milestone_ids,
        next_plan=next_plan, now=now, late=is_late(period, today, policy.monthly_report),
        funds_arrived=funds if policy.monthly_report.ask_funds else None, extra=_answers(policy, extra or {}))
    await projects.set_stage(tx, project.id, stage, now)
    await projects.mark_milestones_reached(tx, project.id, milestone_ids, today)
    year = int(period[:4])
    plan = project.plan_for(year)
    planned_funds, arrived = project.planned_funds(year), report.funds_arrived
    figures = {"plan": plan, "rate": completion_rate(ytd, plan), "planned_funds": planned_funds,
               "funds_rate": None if arrived is None else completion_rate(arrived, planned_funds),
               "time_share": float(schedule(project, period, policy.flags.plan_curve)[0])}
    return report, project, figures


def _answers(policy: Policy, given: dict) -> dict:
    fields = policy.monthly_report.fields
    missing = [f.name for f in fields if f.required and given.get(f.key) in (None, "")]
    if missing:
        raise Refused("report.field_missing", names="、".join(missing))
    return {f.key: given[f.key] for f in fields if given.get(f.key) not in (None, "")}


async def save_weekly(tx: Conn, clock: Clock, tz: ZoneInfo, person: Person, *, project_id: int,
                      done: str, plan: str, has_problem: bool, policy: Policy) -> tuple[str, bool]:
    project = await projects.get(tx, project_id)
    if project is None or not await may(tx, person, Action.weekly, project=project):
        raise Refused("report.not_allowed")
    if not policy.weekly_update.asks(project.tier, project.level):
        raise Refused("weekly.not_asked")
    now = clock.now()
    week = iso_week(now.astimezone(tz).date())
    replaced = await reports.save_weekly(tx, project_id=project.id, week=week, reporter_id=person.id,
                                         done=done, plan=plan, has_problem=has_problem, now=now)
    return week, replaced


async def overview(ctx: Context, project: Project) -> dict:
    """What a project card shows: the latest report, rates and its flag with the reasons for the month
    it is judged on (the same rule as the flag watch), open issues, milestones."""
    history = await reports.history(ctx.tx, project.id)  # newest first
    latest = history[0] if history else None
    current = report_period(ctx.today, ctx.policy.monthly_report)
    newest = next((r for r in history if r.period <= current), None)
    month = judged_period(ctx.today, ctx.policy.monthly_report, newest.period if newest else None)
    judged = next((r for r in history if r.period <= month), None)
    open_issues = await issue_store.of_project(ctx.tx, project.id)
    milestones = await projects.milestones(ctx.tx, project.id)
    standing = statuses(month, [project], [judged] if judged else [], milestones, open_issues, ctx.policy,
                        ctx.today, ctx.now, histories=await flag_watch.histories(ctx.tx, ctx.policy, project.id))[0]
    year = int(month[:4])
    arrived = standing.latest.funds_arrived if standing.latest else None
    return {
        "latest": latest, "judged": month, "plan": project.plan_for(year), "ytd": standing.ytd,
        "rate": standing.rate,
        "time_share": float(schedule(project, month, ctx.policy.flags.plan_curve)[0]),
        "open_issues": open_issues, "milestones": milestones, "flag": standing.flag,
        "funds": project.fund_plans.get(year, {}), "planned_funds": project.planned_funds(year),
        "funds_arrived": arrived,
        "funds_rate": None if arrived is None else completion_rate(arrived, project.planned_funds(year)),
        "flag_name": ctx.policy.flags.names[standing.flag.colour],
    }
