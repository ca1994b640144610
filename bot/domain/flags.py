"""红黄绿牌: one pure function from a project's facts and the policy to its flag with every reason.

Defaults (DESIGN.md §3): green when less than 10 points behind the time-proportional plan (or
ahead), yellow from 10 to 30 points behind, red beyond 30; red too when a milestone is more than
15 days late or an issue of the project sits at level 3 past its deadline; yellow when the
monthly report is late. The worst reason sets the colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.domain.models import TOP_LEVEL, Issue, Milestone, MonthlyReport, Project
from bot.domain.periods import completion_rate, due_date, time_share
from bot.domain.policy import Policy

Colour = Literal["green", "yellow", "red"]
_ORDER = {"green": 0, "yellow": 1, "red": 2}


@dataclass(frozen=True, slots=True)
class Reason:
    kind: Literal["behind", "milestone_late", "issue_overdue", "report_late"]
    colour: Colour
    values: dict


@dataclass(frozen=True, slots=True)
class Flag:
    colour: Colour
    reasons: list[Reason]


def project_flag(project: Project, reports: list[MonthlyReport], milestones: list[Milestone],
                 issues: list[Issue], policy: Policy, period: str, today: date, now: datetime) -> Flag:
    """`reports`: the project's reports (any months, any revisions); `period`: the month judged."""
    rules = policy.flags
    reasons: list[Reason] = []
    this_year = [r for r in reports if r.period[:4] == period[:4] and r.period <= period]
    latest = max(this_year, key=lambda r: (r.period, r.revision), default=None)
    rate = completion_rate(latest.ytd_completed if latest else 0, project.annual_plan)
    if rate is not None:
        share = time_share(period)
        behind = share - rate
        colour: Colour = ("red" if behind > rules.red_behind_points
                          else "yellow" if behind >= rules.yellow_behind_points else "green")
        if colour != "green":
            reasons.append(Reason(kind="behind", colour=colour,
                                  values={"rate": rate, "time_share": share, "behind": behind}))
    for milestone in milestones:
        late = (today - milestone.due_date).days
        if milestone.reached_on is None and late > rules.milestone_late_days:
            reasons.append(Reason(kind="milestone_late", colour="red",
                                  values={"name": milestone.name, "days": late}))
    for issue in issues:
        if issue.level == TOP_LEVEL and issue.overdue_at(now):
            reasons.append(Reason(kind="issue_overdue", colour="red", values={"number": issue.number}))
    if today > due_date(period, policy.monthly_report) and not any(r.period == period for r in reports):
        reasons.append(Reason(kind="report_late", colour="yellow", values={"period": period}))
    colour = max((r.colour for r in reasons), key=_ORDER.__getitem__, default="green")
    return Flag(colour=colour, reasons=reasons)
