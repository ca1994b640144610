"""Where each project stands at a moment: its newest report of the year, year-to-date investment,
completion rate and flag. One computation shared by the flag watch, the bulletin, the quarterly
analysis and the progress ledger, so they can never disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from bot.domain.flags import Flag, project_flag
from bot.domain.models import Issue, Milestone, MonthlyReport, Project
from bot.domain.periods import completion_rate
from bot.domain.policy import Policy

T = TypeVar("T", Issue, Milestone, MonthlyReport)


@dataclass(frozen=True, slots=True)  # internal and made by the thousand: no validation needed
class ProjectStatus:
    period: str  # the month judged
    project: Project
    latest: MonthlyReport | None
    ytd: int
    rate: float | None
    flag: Flag


def by_project(items: Iterable[T]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = {}
    for item in items:
        grouped.setdefault(item.project_id, []).append(item)
    return grouped


def statuses(period: str, projects: list[Project], latest: list[MonthlyReport], milestones: list[Milestone],
             issues: list[Issue], policy: Policy, today: date, now: datetime,
             judge: Callable[[str | None], str] | None = None,
             histories: dict[int, list[tuple[str, str]]] | None = None) -> list[ProjectStatus]:
    """`latest`: each project's newest revision of its newest month of `period`'s year up to
    `period` (storage.reports.latest_per_project); judged as of `today` / `now`, on `period` or, with
    `judge`, on the month it names for the project's newest reported month (periods.judged_period);
    `histories`: each project's recorded colours, newest first, for the warning ladder."""
    newest = {r.project_id: r for r in latest}
    milestones_of, issues_of = by_project(milestones), by_project(issues)
    found = []
    for project in projects:
        report = newest.get(project.id)
        month = judge(report.period if report else None) if judge else period
        this_year = report if report and report.period[:4] == month[:4] and report.period <= month else None
        ytd = this_year.ytd_completed if this_year else 0
        flag = project_flag(project, [this_year] if this_year else [], milestones_of.get(project.id, []),
                            issues_of.get(project.id, []), policy, month, today, now,
                            (histories or {}).get(project.id, []))
        found.append(ProjectStatus(month, project, this_year, ytd,
                                   completion_rate(ytd, project.plan_for(int(month[:4]))), flag))
    return found
