"""Monthly progress reports (with revisions) and weekly updates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import Refused
from bot.flags import project_flag
from bot.models import MonthlyReport, Person, Project
from bot.periods import completion_rate, iso_week, report_period, time_share
from bot.permissions import Action, may
from bot.policy import Policy
from storage import issues as issue_store
from storage import projects, reports
from storage.db import Conn


async def reportable_projects(conn: Conn, person: Person) -> list[Project]:
    return [p for p in await projects.where_liaison(conn, person.id)
            if await may(conn, person, Action.report, project=p)]


async def last_ytd(conn: Conn, project_id: int, period: str) -> int | None:
    """Last month's year-to-date figure within the same year (January starts afresh)."""
    previous = await reports.latest(conn, project_id, before_period=period)
    if previous is None or previous.period[:4] != period[:4]:
        return None
    return previous.ytd_completed


async def submit_monthly(tx: Conn, clock: Clock, policy: Policy, tz: ZoneInfo, person: Person, *,
                         project_id: int, ytd: int, stage: str, progress: str, photos: list[str],
                         milestone_ids: list[int], next_plan: str) -> tuple[MonthlyReport, Project, dict]:
    project = await projects.get(tx, project_id)
    if project is None or not await may(tx, person, Action.report, project=project):
        raise Refused("report.not_allowed")
    now = clock.now()
    today = now.astimezone(tz).date()
    period = report_period(today, policy.monthly_report)
    report = await reports.add_revision(
        tx, project_id=project.id, period=period, reporter_id=person.id, ytd_completed=ytd,
        stage=stage, progress=progress, photos=photos, milestones_reached=milestone_ids,
        next_plan=next_plan, now=now)
    await projects.set_stage(tx, project.id, stage, now)
    await projects.mark_milestones_reached(tx, project.id, milestone_ids, today)
    figures = {"rate": completion_rate(ytd, project.annual_plan), "time_share": time_share(period)}
    return report, project, figures


async def save_weekly(tx: Conn, clock: Clock, tz: ZoneInfo, person: Person, *, project_id: int,
                      done: str, plan: str, has_problem: bool) -> tuple[str, bool]:
    project = await projects.get(tx, project_id)
    if project is None or not await may(tx, person, Action.weekly, project=project):
        raise Refused("report.not_allowed")
    now = clock.now()
    week = iso_week(now.astimezone(tz).date())
    replaced = await reports.save_weekly(tx, project_id=project.id, week=week, reporter_id=person.id,
                                         done=done, plan=plan, has_problem=has_problem, now=now)
    return week, replaced


async def overview(conn: Conn, project: Project, period: str, policy: Policy, now: datetime,
                   tz: ZoneInfo) -> dict:
    """What a project card shows: the latest report this year, rates, its flag with the reasons,
    open issues, milestones."""
    history = await reports.history(conn, project.id)
    latest = history[0] if history else None
    this_year = latest if latest and latest.period[:4] == period[:4] else None
    ytd = this_year.ytd_completed if this_year else 0
    open_issues = await issue_store.of_project(conn, project.id)
    milestones = await projects.milestones(conn, project.id)
    flag = project_flag(project, history, milestones, open_issues, policy, period,
                        now.astimezone(tz).date(), now)
    return {
        "latest": latest, "ytd": ytd, "rate": completion_rate(ytd, project.annual_plan),
        "time_share": time_share(period), "reported_this_period": bool(latest and latest.period == period),
        "open_issues": open_issues, "milestones": milestones, "flag": flag,
        "flag_name": policy.flags.names[flag.colour],
    }
