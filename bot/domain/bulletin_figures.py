"""投资快讯: the monthly bulletin's figures for one scope, from the data, by pure functions.

Totals by tier and stage; the annual plan against the year-to-date investment and 序时进度; starts
and completions due by the month's end against those made (开工率, 竣工率); lead units ranked by
completion rate (equal rates share a rank; units leading no project in scope do not appear); the
red and yellow lists with their reasons; the month's issues; and who did not report.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.flags import Reason
from bot.domain.models import (
    GroupChat,
    Issue,
    IssueStatus,
    Milestone,
    MonthlyReport,
    Project,
    Stage,
    Supervision,
)
from bot.domain.periods import completion_exact, completion_rate, read_after_due, time_share
from bot.domain.policy import Policy
from bot.domain.standing import ProjectStatus, statuses

STARTED = {Stage.new_start, Stage.continuing, Stage.completed, Stage.operating}
FINISHED = {Stage.completed, Stage.operating}


@dataclass(frozen=True, slots=True)
class UnitRank:
    rank: int | None
    unit: str
    projects: int
    plan: int
    ytd: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class FlagLine:
    code: str
    name: str
    lead_unit: str | None
    reasons: list[Reason]


@dataclass(frozen=True, slots=True)
class SupervisedLine:
    """A project under 挂牌督办 in the bulletin, with its colour for the month."""

    code: str
    name: str
    lead_unit: str | None
    colour: str
    supervision: Supervision


@dataclass(frozen=True, slots=True)
class BulletinData:
    month: str
    projects: int
    by_tier: dict[str, int]
    by_stage: dict[str, int]
    annual_plan: int
    ytd: int
    rate: float | None
    time_share: float
    starts_due: int
    starts_made: int
    completions_due: int
    completions_made: int
    ranking: list[UnitRank]
    red: list[FlagLine]
    yellow: list[FlagLine]
    blue: list[FlagLine]  # 蓝牌: the warning ladder's first step (000), empty otherwise
    issues_opened: int
    issues_closed: int
    issues_overdue: int
    flagged: list[str]
    missing: list[Project]
    supervised: list[SupervisedLine]


SCOPE_KINDS = ("all", "unit", "tier", "level", "programme")  # what a group's or a bulletin's scope may be


def in_scope(project: Project, group: GroupChat | None, unit_names: dict[int, str]) -> bool:
    if group is None or group.scope_kind == "all":
        return True
    if group.scope_kind == "unit":
        return project.lead_unit == unit_names.get(int(group.scope_value or 0))
    if group.scope_kind == "programme":
        return group.scope_value in project.programmes
    return getattr(project, group.scope_kind).value == group.scope_value


def month_bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime, date]:
    year, number = (int(p) for p in month.split("-"))
    last = date(year, number, calendar.monthrange(year, number)[1])
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime.combine(last, datetime.max.time(), tz)
    return start, end, last


def compute(month: str, projects: list[Project], latest: list[MonthlyReport], milestones: list[Milestone],
            issues: list[Issue], supervised: dict[int, Supervision], histories: dict[int, list[tuple[str, str]]] | None,
            policy: Policy, tz: ZoneInfo) -> BulletinData:
    """Figures as at the end of `month`; flags as the bulletin reads them, once the month's report
    was due (a project with no report for it is late); `latest` as domain.standing.statuses takes it."""
    start, end, last_day = month_bounds(month, tz)
    ids = {p.id for p in projects}
    scoped = [i for i in issues if i.project_id in ids]
    found = statuses(month, projects, latest, milestones, scoped, policy,
                     read_after_due(month, policy.monthly_report, last_day), end, histories=histories)

    units: dict[str, list[ProjectStatus]] = {}
    for status in found:
        if status.project.lead_unit:
            units.setdefault(status.project.lead_unit, []).append(status)
    ranking = _rank([_unit(unit, members) for unit, members in units.items()])

    red, yellow, blue = [], [], []
    for status in found:
        project = status.project
        line = FlagLine(code=project.code, name=project.name, lead_unit=project.lead_unit, reasons=status.flag.reasons)
        {"red": red, "yellow": yellow, "blue": blue}.get(status.flag.colour, []).append(line)

    plan = sum(p.plan_for(last_day.year) for p in projects)
    ytd = sum(s.ytd for s in found)
    year_start = date(last_day.year, 1, 1)
    starts = [p for p in projects if p.planned_start and year_start <= p.planned_start <= last_day]
    ends = [p for p in projects if p.planned_end and year_start <= p.planned_end <= last_day]
    return BulletinData(
        month=month, projects=len(projects),
        by_tier=dict(Counter(p.tier.value for p in projects)), by_stage=dict(Counter(p.stage.value for p in projects)),
        annual_plan=plan, ytd=ytd, rate=completion_rate(ytd, plan),
        time_share=time_share(month, policy.flags.plan_curve),
        starts_due=len(starts), starts_made=sum(p.stage in STARTED for p in starts),
        completions_due=len(ends), completions_made=sum(p.stage in FINISHED for p in ends),
        ranking=ranking, red=red, yellow=yellow, blue=blue,
        issues_opened=sum(start <= i.created_at <= end for i in scoped),
        issues_closed=sum(i.closed_at is not None and start <= i.closed_at <= end for i in scoped),
        issues_overdue=sum(i.overdue_at(end) for i in scoped),
        flagged=[i.number for i in scoped if i.flagged and i.status is not IssueStatus.closed],
        missing=[s.project for s in found if s.latest is None or s.latest.period != month],
        supervised=[SupervisedLine(s.project.code, s.project.name, s.project.lead_unit, s.flag.colour,
                                   supervised[s.project.id]) for s in found if s.project.id in supervised],
    )


def _unit(unit: str, members: list[ProjectStatus]) -> UnitRank:
    plan, ytd = sum(s.project.plan_for(int(s.period[:4])) for s in members), sum(s.ytd for s in members)
    return UnitRank(rank=None, unit=unit, projects=len(members), plan=plan, ytd=ytd, rate=completion_rate(ytd, plan))


def _rank(units: list[UnitRank]) -> list[UnitRank]:
    """Highest rate first; equal rates share a rank (1, 1, 3); units with no plan come last, unranked."""
    rated = sorted((u for u in units if u.rate is not None), key=lambda u: (-completion_exact(u.ytd, u.plan), u.unit))
    ranked: list[UnitRank] = []
    for position, unit in enumerate(rated, start=1):
        tied = ranked and completion_exact(ranked[-1].ytd, ranked[-1].plan) == completion_exact(unit.ytd, unit.plan)
        ranked.append(replace(unit, rank=ranked[-1].rank if tied else position))
    return ranked + sorted((u for u in units if u.rate is None), key=lambda u: u.unit)
