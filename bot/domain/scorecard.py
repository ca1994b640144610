"""The 通报's work figures, by unit and by problem, from the month's data (pure).

A unit's scorecard (004 "每月倒计时方案完成情况…作为平时考核的依据"; 001 "排队通报") over a span of months (one
for the 快讯; the half or the year for the summaries): 报送及时率 — of the monthly reports owed by the
projects it leads in the span, those made by the due day; 问题按期办结率 — the problems assigned to it that
it solved in the span by their deadline without ever missing a clock, against those it solved in the span
and those overdue at its end; 超期问题数 — overdue at the span's end; 倒计时节点完成率 — the nodes of the
projects it leads due by the span's end this year, reached by then. Every unit that leads a project
or holds a problem in scope has a line; a figure with nothing to count is None, shown as —.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.models import Issue, Milestone
from bot.domain.periods import completion_rate
from bot.domain.standing import ProjectStatus


@dataclass(frozen=True, slots=True)
class Ratio:
    done: int
    owed: int

    @property
    def rate(self) -> float | None:
        return completion_rate(self.done, self.owed)


@dataclass(frozen=True, slots=True)
class UnitScore:
    unit: str
    reports: Ratio
    issues: Ratio
    overdue: int
    nodes: Ratio


@dataclass(frozen=True, slots=True)
class OverdueLine:
    """A problem overdue at the month's end, named with the unit answering for it."""

    number: str
    project_code: str
    project_name: str
    unit: str | None
    level: int
    days: int


@dataclass(frozen=True, slots=True)
class LateNode:
    """A 倒计时 node past its date at the month's end and not reached, named with who answers for it."""

    project_code: str
    project_name: str
    name: str
    owner: str | None
    due: date
    days: int


def late_nodes(found: list[ProjectStatus], milestones: list[Milestone], last_day: date) -> list[LateNode]:
    """Longest late first."""
    projects = {s.project.id: s.project for s in found}
    late = [LateNode(projects[m.project_id].code, projects[m.project_id].name, m.name, m.owner, m.due_date,
                     (last_day - m.due_date).days)
            for m in milestones if m.project_id in projects and m.due_date < last_day
            and (m.reached_on is None or m.reached_on > last_day)]
    return sorted(late, key=lambda n: (-n.days, n.project_code, n.name))


def overdue_problems(issues: list[Issue], end: datetime) -> list[OverdueLine]:
    """Longest overdue first."""
    found = [OverdueLine(i.number, i.project_code, i.project_name, i.unit_name, i.level, (end - i.resolve_due).days)
             for i in issues if i.overdue_at(end)]
    return sorted(found, key=lambda line: (-line.days, line.number))


def solved_on_time(issue: Issue, breached: frozenset[int]) -> bool:
    return (issue.solved_at is not None and issue.id not in breached
            and (issue.resolve_due is None or issue.solved_at <= issue.resolve_due))


def scorecard(found: list[ProjectStatus], issues: list[Issue], milestones: list[Milestone], breached: frozenset[int],
              on_time: dict[int, int], months: int, start: datetime, end: datetime, last_day: date) -> list[UnitScore]:
    """`found`: the scope's projects as judged at the span's end; `issues`: the scope's problems open or
    closed since `start`; `breached`: problems that ever went up a level for a missed clock; `on_time`: each
    project's months of the span reported by the due day, of `months`. By unit name."""
    led: dict[str, list[ProjectStatus]] = {}
    for status in found:
        if status.project.lead_unit:
            led.setdefault(status.project.lead_unit, []).append(status)
    held: dict[str, list[Issue]] = {}
    for issue in issues:
        if issue.unit_name:  # assigned
            held.setdefault(issue.unit_name, []).append(issue)
    nodes_of: dict[int, list[Milestone]] = {}
    for milestone in milestones:
        if milestone.due_date.year == last_day.year and milestone.due_date <= last_day:
            nodes_of.setdefault(milestone.project_id, []).append(milestone)
    scores = []
    for unit in sorted(set(led) | set(held)):
        projects = led.get(unit, [])
        reported = sum(min(on_time.get(s.project.id, 0), months) for s in projects)
        solved = [i for i in held.get(unit, []) if i.solved_at is not None and start <= i.solved_at <= end]
        overdue = sum(i.overdue_at(end) for i in held.get(unit, []))
        nodes = [m for s in projects for m in nodes_of.get(s.project.id, [])]
        reached = sum(m.reached_on is not None and m.reached_on <= last_day for m in nodes)
        scores.append(UnitScore(unit=unit, reports=Ratio(reported, months * len(projects)),
                                issues=Ratio(sum(solved_on_time(i, breached) for i in solved), len(solved) + overdue),
                                overdue=overdue, nodes=Ratio(reached, len(nodes))))
    return scores
