"""Working days by the Chinese state calendar (with 调休), Monday–Friday where it has no data."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no state calendar for %s: counting Monday to Friday as working days", day.year)
        return day.weekday() < 5


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start` (start itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """A deadline on `day` means until the end of that day where the county is."""
    return datetime.combine(day, time(23, 59), tz)
