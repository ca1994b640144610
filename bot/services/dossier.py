"""一项目一档案 for the dashboard: a project's fields, plan and monthly figures, countdown nodes, reports with
their photos and problems with their history — only for someone who may see the project. Photos are
named by project, month and place in the report; the page fetches them through the bot (getFile),
never seeing a file id or the token."""

from __future__ import annotations

import messages
from bot.domain.errors import Refused
from bot.domain.models import IssueEvent, MonthlyReport, Person
from bot.domain.money import wan
from bot.services import flag_watch, registry
from bot.services.context import Context
from bot.services.dashboard import locale_of, problem_lines, project_line
from storage import issues, projects, reports


async def _visible(ctx: Context, person: Person, code: str):
    project = await registry.visible_by_code(ctx.tx, person, code)
    if project is None or not project.active:
        raise Refused("projects.not_found", code=code.strip().upper()[:40])
    return project


def _day(locale: str, value) -> str:
    return messages.render_plain(locale, "dashboard.day", value=value) if value else "—"


def _report(report: MonthlyReport, locale: str) -> dict:
    return {"period": report.period, "period_text": messages.render_plain(locale, "dashboard.month",
                                                                          month=report.period),
            "revision": report.revision, "ytd_text": wan(report.ytd_completed), "ytd": report.ytd_completed,
            "stage_name": messages.label(locale, f"stage.{report.stage.value}"), "progress": report.progress,
            "next_plan": report.next_plan, "late": report.late, "photos": len(report.photos),
            "submitted_text": messages.render_plain(locale, "dashboard.when", value=report.submitted_at)}


def _event(event: IssueEvent, locale: str) -> dict:
    return {"when": messages.render_plain(locale, "dashboard.when", value=event.at),
            "what": messages.label(locale, f"event.{event.kind}"), "who": event.actor_name or "—",
            "text": event.text or ""}


async def dossier(ctx: Context, person: Person, code: str) -> dict:
    locale = locale_of(person)
    project = await _visible(ctx, person, code)
    [status] = await flag_watch.standings(ctx, [project])
    newest = {}
    for report in await reports.history(ctx.tx, project.id):  # each month's newest revision
        if report.period not in newest or report.revision > newest[report.period].revision:
            newest[report.period] = report
    year = int(status.period[:4])
    nodes = [{"name": m.name, "due_text": _day(locale, m.due_date), "reached_text": _day(locale, m.reached_on),
              "reached": m.reached_on is not None, "late": m.reached_on is None and m.due_date < ctx.today,
              "owner": m.owner or "—", "replans": m.replans}
             for m in await projects.milestones(ctx.tx, project.id)]
    found = await issues.of_project(ctx.tx, project.id, open_only=False)
    history = {i.number: [_event(e, locale) for e in await issues.events(ctx.tx, i.id)] for i in found}
    problems = [line | {"history": history[line["number"]]} for line in await problem_lines(ctx, person, found)]
    fields = [(messages.label(locale, f"dashboard.field.{key}"), value) for key, value in (
        ("level", messages.label(locale, f"level.{project.level.value}")), ("industry", project.industry),
        ("location", project.location), ("owner", project.owner), ("total_investment", wan(project.total_investment)),
        ("planned_start", _day(locale, project.planned_start)), ("planned_end", _day(locale, project.planned_end)),
        ("responsible_units", "、".join(project.responsible_units)), ("lead_leader", project.lead_leader),
        ("liaison", project.liaison), ("programmes", "、".join(project.programmes)))]
    return {**project_line(status, locale),
            "fields": [{"label": label, "value": value or "—"} for label, value in fields],
            "month_plans": [{"month": month, "amount": amount, "amount_text": wan(amount)}
                            for month, amount in sorted(project.month_plans.items()) if month[:4] == str(year)],
            "reports": [_report(r, locale) for r in sorted(newest.values(), key=lambda r: r.period, reverse=True)],
            "nodes": nodes, "problems": problems}


async def photo(ctx: Context, person: Person, code: str, period: str, index: int) -> str:
    """The file id of a report's photo, if the person may see the project; Refused otherwise."""
    project = await _visible(ctx, person, code)
    chosen = [r for r in await reports.for_period(ctx.tx, project.id, period)]
    newest = max(chosen, key=lambda r: r.revision, default=None)
    if newest is None or not 0 <= index < len(newest.photos):
        raise Refused("dashboard.no_photo")
    return newest.photos[index]
