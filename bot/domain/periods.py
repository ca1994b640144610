"""Reporting periods: which month a report is for (and which ones are still open to a liaison),
ISO weeks, and 序时进度 — all the calendar arithmetic of reports in one place."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction
from functools import cache

from bot.domain.policy import MonthlyReportPolicy


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def due_date(period: str, policy: MonthlyReportPolicy) -> date:
    return _due_date(period, policy.due_day, policy.due_next_month)


@cache  # asked once per project when thousands are judged for one month
def _due_date(period: str, due_day: int | str, next_month: bool) -> date:
    year, month = (int(p) for p in period.split("-"))
    if next_month:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if due_day == "last" else due_day)


def shift(period: str, months: int) -> str:
    year, month = (int(p) for p in period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def report_period(today: date, policy: MonthlyReportPolicy) -> str:
    """The month reported on time at `today`: the oldest month whose due day has not passed."""
    period = shift(month_key(today), -1)
    while today > due_date(period, policy):
        period = shift(period, 1)
    return period


def open_months(today: date, policy: MonthlyReportPolicy, reported: set[str]) -> list[str]:
    """The months a liaison may report at `today`, the one they most likely mean first: each month
    already due and not reported (oldest first, within `late_months` — 补报), then the current one.
    A month before the project's first report is never owed: it may not have been ours to follow."""
    current = report_period(today, policy)
    first = min(reported, default=current)
    late = [shift(current, -k) for k in range(policy.late_months, 0, -1)]
    return [m for m in late if m > first and m not in reported] + [current]


def correctable(period: str, today: date, policy: MonthlyReportPolicy, bulletin_day: int) -> bool:
    """Whether a month already reported may still be revised at `today`: until its bulletin is out
    (the `bulletin_day` of the month after its due date's month), or within the year."""
    current = report_period(today, policy)
    if period >= current:
        return True
    if policy.corrections_until == "year":
        return period[:4] == current[:4]
    due = due_date(period, policy)
    out = date(due.year + due.month // 12, due.month % 12 + 1, 1) if due.day > bulletin_day else due
    return today < out.replace(day=bulletin_day)


def read_after_due(period: str, policy: MonthlyReportPolicy, last_day: date) -> date:
    """The day a month's figures are read for its bulletin and ledger: once its report was due, so a
    project that did not report shows as late."""
    return max(last_day, due_date(period, policy) + timedelta(days=1))


def is_late(period: str, day: date, policy: MonthlyReportPolicy) -> bool:
    """A report for `period` made on `day` is 补报 when its due day had passed."""
    return day > due_date(period, policy)


def previous_month(day: date) -> str:
    return shift(month_key(day), -1)


def summary_period(local: date) -> str:
    """The summary a run in July or January is for: '2026-H1' (the first half) or '2025-Y' (last year)."""
    return f"{local.year}-H1" if local.month >= 7 else f"{local.year - 1}-Y"


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@cache
def exact(written: float) -> Fraction:
    """A figure as the policy writes it (30, 8.3, 62.5), as the exact fraction of its decimal digits;
    cached, since the same few are asked for once per project."""
    return Fraction(str(written))


def time_share_exact(period: str, curve: Sequence[float] | None = None) -> Fraction:
    """序时进度 in %, exactly: the share of the year's plan due by the end of `period` — the county's
    curve (12 cumulative percentages) or a straight line (month/12)."""
    month = int(period.split("-")[1])
    return exact(curve[month - 1]) if curve else Fraction(month * 100, 12)


def time_share(period: str, curve: Sequence[float] | None = None) -> float:
    """序时进度 in %, for showing (decisions use time_share_exact)."""
    return float(time_share_exact(period, curve))


def completion_exact(ytd: int, annual_plan: int) -> Fraction | None:
    """The year-to-date investment as % of the annual plan, exactly (money is integer 元)."""
    return None if annual_plan <= 0 else Fraction(ytd * 100, annual_plan)


def completion_rate(ytd: int, annual_plan: int) -> float | None:
    """The same, for showing."""
    exact = completion_exact(ytd, annual_plan)
    return None if exact is None else float(exact)


def last_due_month(today: date, policy: MonthlyReportPolicy) -> str:
    """The newest month whose report's due day has passed at `today`."""
    return shift(report_period(today, policy), -1)


def judged_period(today: date, policy: MonthlyReportPolicy, latest_reported: str | None) -> str:
    """The month a project is judged on at `today`: the last month whose report is due, or a later
    month it has already reported. Neither moves at midnight on the 1st by itself: only a due day
    passing or a report does."""
    due = last_due_month(today, policy)
    if latest_reported is not None and due < latest_reported <= report_period(today, policy):
        return latest_reported
    return due
