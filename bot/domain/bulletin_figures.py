"""投资快讯: the monthly bulletin's figures for one scope, from the data, by pure functions.

Totals by tier and stage; the annual plan against the year-to-date investment and 序时进度; starts
and completions due by the month's end against those made (开工率, 竣工率); rankings by completion
rate — lead units, and places where the policy asks (equal rates share a rank; a unit or place with no
project in scope does not appear) — with the units praised and criticised by the policy's rule; the
red and yellow lists with their reasons; the month's issues with the overdue ones named; the units'
scorecard (domain.scorecard); and who did not report.
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
    Tier,
)
from bot.domain.periods import completion_exact, completion_rate, read_after_due, time_share
from bot.domain.policy import Policy
from bot.domain.scorecard import LateNode, OverdueLine, UnitScore, late_nodes, overdue_problems, scorecard
from bot.domain.standing import ProjectStatus, statuses

TIER_ORDER = [Tier.key, Tier.annual, Tier.reserve]
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
    rankings: dict[tuple[str, str], list[UnitRank]]  # (dimension, indicator) → ranking, in the policy's order
    praised: list[UnitRank]
    criticised: list[UnitRank]
    overdue: list[OverdueLine]
    scores: list[UnitScore]
    late_nodes: list[LateNode]
    span: str  # month (the 快讯), half or year (the summaries)
    funds_planned: int  # the year's 资金计划 of the projects in scope
    funds_arrived: int  # 资金到位 to date, as their newest reports give it
    funds_rate: float | None  # 资金到位率


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
            policy: Policy, tz: ZoneInfo, breached: frozenset[int] = frozenset(), on_time: dict[int, int] | None = None,
            span: str = "month") -> BulletinData:
    """Figures as at the end of `month`; flags as the bulletin reads them, once the month's report
    was due (a project with no report for it is late); `latest` as domain.standing.statuses takes it;
    `breached`: the problems that ever went up a level for a missed clock (never solved on time);
    `on_time`: each project's months of the span reported by the due day. `span` 'month' counts problems
    and the scorecard over the month; 'half' and 'year' (the summaries) from January to `month`."""
    _, end, last_day = month_bounds(month, tz)
    start = month_bounds(month if span == "month" else f"{month[:4]}-01", tz)[0]
    ids = {p.id for p in projects}
    scoped = [i for i in issues if i.project_id in ids]
    found = statuses(month, projects, latest, milestones, scoped, policy,
                     read_after_due(month, policy.monthly_report, last_day), end, histories=histories)

    asked = [(by, what) for by in policy.bulletins.rank_by for what in policy.bulletins.rank_indicators]
    rankings = {key: ranking_by(found, *key, last_day) for key in dict.fromkeys([("lead_unit", "completion"), *asked])}
    ranking = rankings["lead_unit", "completion"]
    share = time_share(month, policy.flags.plan_curve)
    ahead = [u for u in ranking if u.rate is not None and u.rate >= share]
    behind = [u for u in ranking if u.rate is not None and share - u.rate >= policy.flags.yellow_behind_points]

    red, yellow, blue = [], [], []
    for status in found:
        project = status.project
        line = FlagLine(code=project.code, name=project.name, lead_unit=project.lead_unit, reasons=status.flag.reasons)
        {"red": red, "yellow": yellow, "blue": blue}.get(status.flag.colour, []).append(line)

    plan = sum(p.plan_for(last_day.year) for p in projects)
    funds_planned = sum(p.planned_funds(last_day.year) for p in projects)
    funds_arrived = sum(s.latest.funds_arrived or 0 for s in found if s.latest)
    ytd = sum(s.ytd for s in found)
    year_start = date(last_day.year, 1, 1)
    starts = [p for p in projects if p.planned_start and year_start <= p.planned_start <= last_day]
    ends = [p for p in projects if p.planned_end and year_start <= p.planned_end <= last_day]
    return BulletinData(
        month=month, projects=len(projects),
        by_tier=_ordered(Counter(p.tier for p in projects), TIER_ORDER),
        by_stage=_ordered(Counter(p.stage for p in projects), list(Stage)),
        annual_plan=plan, ytd=ytd, rate=completion_rate(ytd, plan),
        time_share=share,
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
        rankings={key: rankings[key] for key in asked},
        praised=ahead[:policy.bulletins.praise], criticised=behind[::-1][:policy.bulletins.criticise],
        overdue=overdue_problems(scoped, end),
        scores=scorecard(found, scoped, milestones, breached, on_time or {}, int(month[5:]) if span != "month" else 1,
                         start, end, last_day) if policy.bulletins.scorecard else [],
        span=span,
        late_nodes=late_nodes(found, milestones, last_day),
        funds_planned=funds_planned, funds_arrived=funds_arrived,
        funds_rate=completion_rate(funds_arrived, funds_planned),
    )


def _ordered(counts: Counter, order: list) -> dict[str, int]:
    """Counts in the order people read them (the lifecycle; 重点 before 年度建设 before 储备)."""
    return {key.value: counts[key] for key in order if counts[key]}


def ranking_by(found: list[ProjectStatus], by: str, indicator: str, last_day: date) -> list[UnitRank]:
    """Lead units (`by` 'lead_unit') or places ('location') ranked by an indicator: 年度投资完成率
    ('completion': plan and year-to-date in 元), 开工率 ('starts': starts due this year by `last_day` and
    made) or 资金到位率 ('funds': the year's 资金计划 and 资金到位 in 元)."""
    groups: dict[str, list[ProjectStatus]] = {}
    for status in found:
        name = getattr(status.project, by)
        if name:
            groups.setdefault(name, []).append(status)
    ranks = []
    for name, members in groups.items():
        due, done = (sum(pair) for pair in zip(*(_measure(s, indicator, last_day) for s in members), strict=True))
        ranks.append(UnitRank(rank=None, unit=name, projects=len(members), plan=due, ytd=done,
                              rate=completion_rate(done, due)))
    return _rank(ranks)


def _measure(status: ProjectStatus, indicator: str, last_day: date) -> tuple[int, int]:
    """What one project had due and what it did, for an indicator."""
    project = status.project
    if indicator == "starts":
        due = project.planned_start is not None and date(last_day.year, 1, 1) <= project.planned_start <= last_day
        return int(due), int(due and project.stage in STARTED)
    if indicator == "funds":
        arrived = status.latest.funds_arrived if status.latest else None
        return project.planned_funds(last_day.year), arrived or 0
    return project.plan_for(int(status.period[:4])), status.ytd


def _rank(units: list[UnitRank]) -> list[UnitRank]:
    """Highest rate first; equal rates share a rank (1, 1, 3); units with no plan come last, unranked."""
    rated = sorted((u for u in units if u.rate is not None), key=lambda u: (-completion_exact(u.ytd, u.plan), u.unit))
    ranked: list[UnitRank] = []
    for position, unit in enumerate(rated, start=1):
        tied = ranked and completion_exact(ranked[-1].ytd, ranked[-1].plan) == completion_exact(unit.ytd, unit.plan)
        ranked.append(replace(unit, rank=ranked[-1].rank if tied else position))
    return ranked + sorted((u for u in units if u.rate is None), key=lambda u: u.unit)
