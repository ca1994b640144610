"""The ledgers from the database: 进度台账 (one row per project for a month), 问题台账 (every
issue with its five fields and its history) and the bulletin's figures as a workbook. Reads on the
connection given; the workbook is written in a worker thread so the bot keeps answering."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import messages
from bot.domain.bulletin_figures import BulletinData, month_bounds
from bot.domain.flags import Reason, schedule
from bot.domain.models import Milestone, MonthlyReport
from bot.domain.money import WAN
from bot.domain.periods import completion_rate, read_after_due
from bot.domain.policy import Policy
from bot.domain.standing import ProjectStatus, by_project, statuses
from bot.formats import ledgers
from bot.formats.ledgers import Column, Sheet, ledger_sheet
from bot.services import flag_watch
from bot.services.bulletins import gather
from storage import issues, projects, reports
from storage.db import Conn

KINDS = ("progress", "issues", "bulletin")


async def progress(conn: Conn, month: str, policy: Policy, tz: ZoneInfo, locale: str | None) -> bytes:
    _, end, last_day = month_bounds(month, tz)
    latest = await reports.latest_per_project(conn, int(month[:4]), month)
    nodes = await projects.all_milestones(conn)
    found = statuses(month, await projects.all_active(conn), latest, nodes,
                     await issues.unfinished(conn), policy, read_after_due(month, policy.monthly_report, last_day), end,
                     histories=await flag_watch.histories(conn, policy))
    reason = _reasons(locale)
    fields = policy.monthly_report.fields  # the county's own questions: a column each, named as it names them
    rows = ((s.project.code, s.project.name, s.project.lead_unit, messages.label(locale, f"tier.{s.project.tier}"),
             messages.label(locale, f"level.{s.project.level}"), messages.label(locale, f"stage.{s.project.stage}"),
             s.project.plan_for(int(month[:4])), s.ytd, s.rate,
             float(schedule(s.project, month, policy.flags.plan_curve)[0]), *_funds(s, int(month[:4])), s.flag.colour,
             reason(s.flag.reasons), s.latest.progress if s.latest else None,
             s.latest.submitted_at if s.latest else None, _on_time(s.latest, month, locale),
             s.project.liaison, *_extra(s.latest, fields)) for s in found)  # streamed
    sheet = ledger_sheet("progress", ledgers.PROGRESS, rows, locale, freeze=(1, 2))
    extra = [Column(f"x_{f.key}", max(12, 2 * len(f.name) + 4), "money" if f.kind == "money" else "text")
             for f in fields]
    sheet = replace(sheet, columns=[*sheet.columns, *extra], headers=[*sheet.headers, *(f.name for f in fields)])
    return await _book([sheet,
                        ledger_sheet("countdown", ledgers.COUNTDOWN,
                                     _countdown(found, by_project(nodes), await projects.milestone_changes(conn),
                                                last_day, locale), locale, freeze=(1, 3))],
                       policy, tz)


def _countdown(found: list[ProjectStatus], nodes: dict[int, list[Milestone]], changes: dict[int, list[tuple]],
               last_day: date, locale: str | None) -> list[tuple]:
    """倒计时台账: every node of the listed projects, as it stood at the month's end."""
    rows = []
    for status in found:
        project = status.project
        for m in nodes.get(project.id, []):
            done = m.reached_on is not None and m.reached_on <= last_day
            late = (last_day - m.due_date).days
            state = messages.render_plain(locale, "ledger.node_state", done=done, late=late)
            moved = "；".join(messages.render_plain(locale, "ledger.replan", old=old, new=new, reason=reason)
                             for old, new, reason in changes.get(m.id, []))
            rows.append((project.code, project.name, m.name, m.owner, m.due_date, moved or None,
                         m.reached_on if done else None, state))
    return rows


def _funds(status: ProjectStatus, year: int) -> tuple[int | None, int | None, float | None]:
    """资金计划, 资金到位 and their rate, each None where not known."""
    planned = status.project.planned_funds(year) or None
    arrived = status.latest.funds_arrived if status.latest else None
    return planned, arrived, None if arrived is None else completion_rate(arrived, planned or 0)


def _extra(report: MonthlyReport | None, fields: list) -> list:
    answers = report.extra if report else {}
    return [answers.get(f.key) for f in fields]


def _on_time(report: MonthlyReport | None, month: str, locale: str | None) -> str:
    """报送: on time, 补报 (after the due day), or not reported for the month."""
    if report is None or report.period != month:
        return messages.label(locale, "ledger.not_reported")
    return messages.label(locale, "ledger.late" if report.late else "ledger.on_time")


async def issue_ledger(conn: Conn, now: datetime, policy: Policy, tz: ZoneInfo, locale: str | None) -> bytes:
    history = await issues.every_event(conn)
    rows = []
    for i in await issues.every(conn):
        events = "\n".join(messages.render_plain(locale, "ledger.event", e=e) for e in history.get(i.id, []))
        rows.append((i.number, i.project_code, i.project_name, i.category, i.category_item, i.level,
                     messages.label(locale, f"status.{i.status}"), i.description, i.unit_name, i.leader_name,
                     i.assignee_name, i.plan, i.work_plan, ledgers.as_date(i.resolve_due, tz), i.raiser_name,
                     i.created_at, ((i.closed_at or now) - i.created_at).days,
                     messages.label(locale, "ledger.yes") if i.flagged else None,
                     messages.label(locale, f"satisfaction.{i.satisfaction}") if i.satisfaction else None,
                     i.confirmed_by, events))
    return await _book([ledger_sheet("issues", ledgers.ISSUES, rows, locale)], policy, tz)


async def bulletin(conn: Conn, month: str, policy: Policy, tz: ZoneInfo, locale: str | None) -> bytes:
    data = await gather(conn, month, None, policy, tz)
    reason = _reasons(locale)
    flags = [(colour, f.code, f.name, f.lead_unit, reason(f.reasons))
             for colour, listed in (("red", data.red), ("yellow", data.yellow), ("blue", data.blue)) for f in listed]
    places = data.rankings.get(("location", "completion"))
    return await _book([
        ledger_sheet("summary", ledgers.SUMMARY, _summary(data, locale), locale, freeze=(1, 0)),
        ledger_sheet("ranking", ledgers.RANKING, [(u.rank, u.unit, u.projects, u.plan, u.ytd, u.rate)
                                                  for u in data.ranking], locale),
        *([ledger_sheet("places", ledgers.PLACES, [(u.rank, u.unit, u.projects, u.plan, u.ytd, u.rate)
                                                    for u in places], locale)] if places else []),
        ledger_sheet("flags", ledgers.FLAGS, flags, locale),
        ledger_sheet("overdue", ledgers.OVERDUE, [(o.number, o.project_code, o.project_name, o.unit,
                                                   messages.level_name(o.level), o.days) for o in data.overdue],
                     locale),
        *([ledger_sheet("scorecard", ledgers.SCORECARD, [
            (s.unit, s.reports.owed, s.reports.done, s.reports.rate, s.issues.owed, s.issues.done, s.issues.rate,
             s.overdue, s.nodes.owed, s.nodes.done, s.nodes.rate) for s in data.scores], locale)]
          if policy.bulletins.scorecard else []),
        ledger_sheet("missing", ledgers.MISSING, [(p.code, p.name, p.lead_unit, p.liaison) for p in data.missing],
                     locale),
    ], policy, tz)


def _summary(d: BulletinData, locale: str | None) -> list[tuple[str, object]]:
    def item(key: str, value: object) -> tuple[str, object]:
        return messages.label(locale, f"ledger.summary.{key}"), value

    return [item("month", d.month), item("projects", d.projects), item("annual_plan", d.annual_plan / WAN),
            item("ytd", d.ytd / WAN), item("rate", round(d.rate, 1) if d.rate is not None else None),
            item("time_share", round(d.time_share, 1)), item("starts_due", d.starts_due),
            item("starts_made", d.starts_made), item("completions_due", d.completions_due),
            item("completions_made", d.completions_made), item("issues_opened", d.issues_opened),
            item("issues_closed", d.issues_closed), item("issues_overdue", d.issues_overdue),
            item("red", len(d.red)), item("yellow", len(d.yellow)), item("blue", len(d.blue)),
            item("missing", len(d.missing)), item("funds_planned", d.funds_planned / WAN),
            item("funds_arrived", d.funds_arrived / WAN)]


def _reasons(locale: str | None) -> Callable[[list[Reason]], str | None]:
    def text(reasons: list[Reason]) -> str | None:
        return messages.render_plain(locale, "ledger.reasons", reasons=reasons) if reasons else None
    return text


async def _book(sheets: list[Sheet], policy: Policy, tz: ZoneInfo) -> bytes:
    return await asyncio.to_thread(ledgers.workbook, sheets, policy.flags.names, tz)
