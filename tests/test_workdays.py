"""Working days from the state calendar, with 调休, and the Monday–Friday fallback."""

from __future__ import annotations

import logging
from datetime import date

from bot.domain.periods import due_date, iso_week, report_period, time_share
from bot.domain.policy import MonthlyReportPolicy
from bot.domain.workdays import add_working_days, is_working_day


def test_the_2025_national_day_week_and_its_make_up_days():
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))  # 1–8 October off
    assert is_working_day(date(2025, 9, 28))   # a Sunday worked
    assert is_working_day(date(2025, 10, 11))  # a Saturday worked
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_three_working_days_from_2026_09_30():
    # 1–7 October 2026 are off; 10 October, a Saturday, is worked instead
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_a_year_without_data_falls_back_to_weekdays_with_one_warning(caplog):
    with caplog.at_level(logging.WARNING):
        assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday → Monday
        assert is_working_day(date(2031, 1, 7))
    assert sum("2031" in r.message for r in caplog.records) == 1


def test_report_periods():
    month_end = MonthlyReportPolicy()
    assert report_period(date(2026, 11, 30), month_end) == "2026-11"
    day_25 = MonthlyReportPolicy(due_day=25)
    assert report_period(date(2026, 11, 26), day_25) == "2026-12"
    assert report_period(date(2026, 12, 26), day_25) == "2027-01"
    assert due_date("2026-02", month_end) == date(2026, 2, 28)
    assert iso_week(date(2026, 11, 20)) == "2026-W47"
    assert round(time_share("2026-10"), 1) == 83.3
