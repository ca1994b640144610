"""季度分析: the quarter after it ends, from the data, by pure functions.

The quarter against the plan; what the quarter was about (Shenyang's rule, seed 003 §八: 1–3月
前期手续, 4–6月 开复工, 7–9月 投资进度, 10–12月 全年计划完成 and next year's reserve); the five
projects furthest ahead and behind; issues by category with the average days to close.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.bulletin_figures import FINISHED, STARTED, month_bounds
from bot.domain.models import Issue, Milestone, MonthlyReport, Project, Stage, Tier
from bot.domain.periods import completion_rate, previous_month, time_share
from bot.domain.policy import Policy
from bot.domain.standing import ProjectStatus, statuses

PREPARING = {Stage.planning, Stage.preparing}
RANKED = 5


@dataclass(frozen=True, slots=True)
class ProjectLine:
    code: str
    name: str
    lead_unit: str | None
    plan: int
    ytd: int
    rate: float
    behind: float


@dataclass(frozen=True, slots=True)
class CategoryLine:
    category: str
    opened: int
    closed: int
    still_open: int
    avg_days_to_close: float | None
    items: tuple[tuple[str, int], ...] = ()  # a two-level category: its items, with the quarter's new problems


@dataclass(frozen=True, slots=True)
class QuarterData:
    quarter: str                      # 2026-Q3
    focus: str                        # the policy's quarterly_focus for the quarter
    projects: int
    annual_plan: int
    ytd: int
    rate: float | None
    time_share: float
    invested_in_quarter: int          # year-to-date at the quarter's end minus at the previous one's
    milestones_due: int               # due within the quarter
    milestones_reached: int
    starts_due: int                   # planned to start by the quarter's end
    starts_made: int
    # the projects the focus is on: Q1 still in 前期 though due to start this year; Q2 due to have
    # started but not; Q3 at least the yellow threshold behind 序时进度, worst first; Q4 none
    focus_projects: list[ProjectLine]
    completions_due: int              # planned to finish within the year
    completions_made: int
    reserve: int                      # 储备 projects for next year
    reserve_investment: int
    top: list[ProjectLine]
    bottom: list[ProjectLine]
    categories: list[CategoryLine]
    avg_days_to_close: float | None


def quarter_of(month: str) -> str:
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def previous_quarter(local: datetime) -> str:
    """The quarter before the one `local` falls in: what an analysis made at `local` is about."""
    return quarter_of(previous_month(local.replace(day=1, month=(local.month - 1) // 3 * 3 + 1)))


def quarter_months(quarter: str) -> tuple[str, str, str]:
    """(first month, last month, last month of the quarter before, or '' in Q1)."""
    year, q = quarter.split("-Q")
    first, last = (int(q) - 1) * 3 + 1, int(q) * 3
    return f"{year}-{first:02d}", f"{year}-{last:02d}", "" if q == "1" else f"{year}-{first - 1:02d}"


def compute(quarter: str, projects: list[Project], latest: list[MonthlyReport], latest_before: list[MonthlyReport],
            milestones: list[Milestone], issues: list[Issue], policy: Policy, tz: ZoneInfo) -> QuarterData:
    """`latest` / `latest_before`: each project's newest report of the year up to the quarter's last
    month / the previous quarter's last month (empty in Q1)."""
    first, last, _ = quarter_months(quarter)
    start, _, _ = month_bounds(first, tz)
    _, end, last_day = month_bounds(last, tz)
    year_start, year_end = date(last_day.year, 1, 1), date(last_day.year, 12, 31)
    ids = {p.id for p in projects}
    scoped = [i for i in issues if i.project_id in ids]
    found = statuses(last, projects, latest, milestones, scoped, policy, last_day, end)
    share = time_share(last, policy.flags.plan_curve)
    earlier = {r.project_id: r.ytd_completed for r in latest_before if r.project_id in ids}
    rated = [s for s in found if s.rate is not None]
    by_rate = sorted(rated, key=lambda s: (-s.rate, s.project.code))
    top = by_rate[:RANKED]
    bottom = [s for s in reversed(by_rate) if s not in top][:RANKED]
    quarter_milestones = [m for m in milestones if m.project_id in ids and start.date() <= m.due_date <= last_day]
    starts = [s for s in found if s.project.planned_start and year_start <= s.project.planned_start <= last_day]
    ends = [p for p in projects if p.planned_end and year_start <= p.planned_end <= year_end]
    reserve = [p for p in projects if p.tier is Tier.reserve]
    plan, ytd = sum(p.plan_for(year_end.year) for p in projects), sum(s.ytd for s in found)
    closed = [i for i in scoped if i.closed_at is not None and start <= i.closed_at <= end]
    return QuarterData(
        quarter=quarter, focus=focus_of(quarter, policy), projects=len(projects), annual_plan=plan, ytd=ytd,
        rate=completion_rate(ytd, plan), time_share=share,
        invested_in_quarter=ytd - sum(earlier.values()),
        milestones_due=len(quarter_milestones),
        milestones_reached=sum(m.reached_on is not None and m.reached_on <= last_day for m in quarter_milestones),
        starts_due=len(starts), starts_made=sum(s.project.stage in STARTED for s in starts),
        focus_projects=_focus(focus_of(quarter, policy), found, starts, share, year_end, policy),
        completions_due=len(ends), completions_made=sum(p.stage in FINISHED for p in ends),
        reserve=len(reserve), reserve_investment=sum(p.total_investment for p in reserve),
        top=[_line(s, share) for s in top], bottom=[_line(s, share) for s in bottom],
        categories=_categories(scoped, closed, start, end, [c.name for c in policy.issue_categories]),
        avg_days_to_close=_average_days(closed),
    )


def focus_of(quarter: str, policy: Policy) -> str:
    """What the quarter's dispatch is about (2026-Q2 → the policy's second focus)."""
    return policy.bulletins.quarterly_focus[int(quarter[-1]) - 1]


def _focus(focus: str, found: list[ProjectStatus], starts: list[ProjectStatus], share: float, year_end: date,
           policy: Policy) -> list[ProjectLine]:
    if focus == "preparation":
        chosen = [s for s in found if s.project.stage in PREPARING and s.project.planned_start
                  and s.project.planned_start <= year_end]
    elif focus == "starts":
        chosen = [s for s in starts if s.project.stage not in STARTED]
    elif focus == "investment":
        behind = [s for s in found if s.rate is not None and share - s.rate >= policy.flags.yellow_behind_points]
        chosen = sorted(behind, key=lambda s: (s.rate, s.project.code))
    else:
        chosen = []
    return [_line(s, share) for s in chosen]


def _line(status: ProjectStatus, share: float) -> ProjectLine:
    project, rate = status.project, status.rate or 0.0
    return ProjectLine(code=project.code, name=project.name, lead_unit=project.lead_unit,
                       plan=project.plan_for(int(status.period[:4])), ytd=status.ytd, rate=rate, behind=share - rate)


def _average_days(closed: list[Issue]) -> float | None:
    if not closed:
        return None
    return sum((i.closed_at - i.created_at).total_seconds() for i in closed) / len(closed) / 86400


def _categories(issues: list[Issue], closed: list[Issue], start: datetime, end: datetime,
                order: list[str]) -> list[CategoryLine]:
    """Categories with anything to show, in the policy's order (unknown ones after, by name)."""
    names = {i.category for i in issues}
    lines = []
    for category in [c for c in order if c in names] + sorted(names - set(order)):
        mine = [i for i in issues if i.category == category]
        done = [i for i in closed if i.category == category]
        new = Counter(i.category_item for i in mine if start <= i.created_at <= end and i.category_item)
        line = CategoryLine(category=category, opened=sum(start <= i.created_at <= end for i in mine),
                            closed=len(done), still_open=sum(i.closed_at is None or i.closed_at > end for i in mine
                                                             if i.created_at <= end),
                            avg_days_to_close=_average_days(done), items=tuple(sorted(new.items())))
        if line.opened or line.closed or line.still_open:
            lines.append(line)
    return lines
