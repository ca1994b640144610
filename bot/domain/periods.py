"""Reporting periods: which month a report is for, ISO weeks, and 序时进度."""

from __future__ import annotations

import calendar
from datetime import date
from functools import cache

from bot.domain.policy import MonthlyReportPolicy


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def due_date(period: str, policy: MonthlyReportPolicy) -> date:
    return _due_date(period, policy.due_day)


@cache  # asked once per project when thousands are judged for one month
def _due_date(period: str, due_day: int | str) -> date:
    year, month = (int(p) for p in period.split("-"))
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if due_day == "last" else due_day)


def report_period(today: date, policy: MonthlyReportPolicy) -> str:
    """The month being reported: this month until its due day has passed, then the next one."""
    period = month_key(today)
    if today > due_date(period, policy):
        period = month_key(date(today.year + today.month // 12, today.month % 12 + 1, 1))
    return period


def previous_month(day: date) -> str:
    return month_key(date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def time_share(period: str) -> float:
    """序时进度: the share of the year's plan that should be done by the end of `period`, in %."""
    return int(period.split("-")[1]) / 12 * 100


def completion_rate(ytd: int, annual_plan: int) -> float | None:
    return None if annual_plan <= 0 else ytd / annual_plan * 100
