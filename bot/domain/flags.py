"""红黄绿牌: one pure function from a project's facts and the policy to its flag with every reason.

Defaults (DESIGN.md §3): green when less than 10 points behind 序时进度 (or ahead), yellow from 10
to 30 points behind, red beyond 30; red too when a milestone is more than 15 days late or an issue
of the project sits at the top level past its deadline; at least yellow when the judged month's
report is late. The worst reason sets the colour. A county on the warning ladder (000's 红黄蓝牌,
policy flags.scheme) shows no card on track and climbs 蓝 → 黄 → 红 by the months in a row it is flagged.

The gap is decided in exact arithmetic (money is integer 元, 序时进度 a fraction), so exactly 10 or
30 points behind is the same colour in every month. It is measured for the month of the newest
report up to the judged month — its figure against that month's 序时进度 — so a month without a
report shows as late, never as "0% done".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Literal

from bot.domain.models import Issue, Milestone, MonthlyReport, Project
from bot.domain.periods import completion_exact, due_date, exact, shift, time_share_exact
from bot.domain.policy import FlagPolicy, Policy

Colour = Literal["green", "blue", "yellow", "red"]
_ORDER = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
CARDS = ("blue", "yellow", "red")  # the warning ladder's steps, in order (000 红黄蓝牌)


@dataclass(frozen=True, slots=True)
class Reason:
    kind: Literal["behind", "milestone_late", "issue_overdue", "report_late"]
    colour: Colour
    values: dict


@dataclass(frozen=True, slots=True)
class Flag:
    colour: Colour
    reasons: list[Reason]


def behind_colour(gap: Fraction, rules: FlagPolicy) -> Colour:
    """The colour of being `gap` points behind 序时进度 (negative: ahead), exactly."""
    if gap > exact(rules.red_behind_points):
        return "red"
    return "yellow" if gap >= exact(rules.yellow_behind_points) else "green"


def shown_gap(gap: Fraction, colour: Colour) -> float:
    """The gap to one decimal, rounded into its band: a red gap never reads as the yellow edge
    (30.04 → 30.1), a yellow or green one never reads past its edge (29.96 → 29.9)."""
    tenths = math.ceil(gap * 10) if colour == "red" else math.floor(gap * 10)
    return tenths / 10


def project_flag(project: Project, reports: list[MonthlyReport], milestones: list[Milestone],
                 issues: list[Issue], policy: Policy, period: str, today: date, now: datetime,
                 history: list[tuple[str, str]] = ()) -> Flag:
    """`reports`: the project's reports (any months, any revisions); `period`: the month judged;
    `history`: its recorded colours by month, newest first (read by the warning ladder only)."""
    rules = policy.flags
    reasons: list[Reason] = []
    this_year = [r for r in reports if r.period[:4] == period[:4] and r.period <= period]
    latest = max(this_year, key=lambda r: (r.period, r.revision), default=None)
    rate = completion_exact(latest.ytd_completed, project.plan_for(int(latest.period[:4]))) if latest else None
    if latest is not None and rate is not None:
        share, basis = schedule(project, latest.period, rules.plan_curve)
        colour = behind_colour(share - rate, rules)
        if colour != "green":
            reasons.append(Reason(kind="behind", colour=colour,
                                  values={"rate": float(rate), "time_share": float(share),
                                          "behind": shown_gap(share - rate, colour), "month": latest.period,
                                          "basis": basis}))
    for milestone in milestones:
        late = (today - milestone.due_date).days
        if milestone.reached_on is None and late > rules.milestone_late_days:
            reasons.append(Reason(kind="milestone_late", colour="red",
                                  values={"name": milestone.name, "days": late}))
    for issue in issues:
        if issue.level == policy.top_level and issue.overdue_at(now):
            reasons.append(Reason(kind="issue_overdue", colour="red",
                                  values={"number": issue.number, "level": issue.level}))
    if today > due_date(period, policy.monthly_report) and not any(r.period == period for r in reports):
        reasons.append(Reason(kind="report_late", colour="yellow", values={"period": period}))
    colour = max((r.colour for r in reasons), key=_ORDER.__getitem__, default="green")
    if rules.scheme == "warning":
        colour = warning_card(colour, run_of(history, shift(period, -1), set(CARDS)))
    return Flag(colour=colour, reasons=reasons)


def schedule(project: Project, period: str, curve: list[float] | None) -> tuple[Fraction, str]:
    """The project's 序时进度 for `period`, exactly, and what it follows: its own 分月计划 ('plan'), the
    county's curve ('curve') or a straight line ('linear')."""
    own = project.planned_share(period)
    if own is not None:
        return own, "plan"
    return time_share_exact(period, curve), "curve" if curve else "linear"


def warning_card(worst: Colour, months_before: int) -> Colour:
    """000's 红黄蓝牌: on track, no card; otherwise a step up the ladder for each month in a row it has
    carried one (蓝, then 黄, then 红), and at least 黄 at once for a red reason."""
    if worst == "green":
        return "green"
    step = CARDS[min(months_before, len(CARDS) - 1)]
    return max(step, "yellow" if worst == "red" else "blue", key=_ORDER.__getitem__)


def run_of(history: list[tuple[str, str]], period: str, colours: set[str]) -> int:
    """How many months in a row, ending with `period`, had one of `colours`; `history`: (month, colour),
    newest first (months after `period` are passed over)."""
    streak, expected = 0, period
    for month, colour in history:
        if month > expected:
            continue
        if month != expected or colour not in colours:
            break
        streak, expected = streak + 1, shift(expected, -1)
    return streak
