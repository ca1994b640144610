"""The flag function at every threshold edge (DESIGN.md §3 defaults, and a county's own policy)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import messages
from bot.domain.flags import project_flag
from bot.domain.models import Issue, Milestone, MonthlyReport, Project
from bot.domain.policy import FlagPolicy, Policy

NOW = datetime(2026, 6, 20, 2, tzinfo=UTC)
TODAY = date(2026, 6, 20)
PERIOD = "2026-06"  # 序时进度 50% exactly
PROJECT = Project(id=1, code="JC-1", name="道路", tier="key", level="county", stage="continuing",
                  total_investment=5_000_000, annual_plan=1_000_000)


def _report(ytd: int, period: str = PERIOD, revision: int = 1) -> MonthlyReport:
    return MonthlyReport(id=revision, project_id=1, period=period, revision=revision, reporter_id=1,
                         ytd_completed=ytd, stage="continuing", progress="", next_plan="",
                         submitted_at=NOW)


def _flag(reports=None, milestones=(), issues=(), policy=None, today=TODAY):
    return project_flag(PROJECT, list(reports if reports is not None else [_report(500_000)]),
                        list(milestones), list(issues), policy or Policy(), PERIOD, today, NOW)


@pytest.mark.parametrize(("ytd", "colour"), [
    (600_000, "green"),   # ahead
    (400_001, "green"),   # 9.9999 points behind
    (400_000, "yellow"),  # exactly 10 behind
    (200_000, "yellow"),  # exactly 30 behind
    (199_999, "red"),     # 30.0001 behind
    (0, "red"),
])
def test_investment_against_the_time_proportional_plan(ytd, colour):
    flag = _flag([_report(ytd)])
    assert flag.colour == colour
    assert [r.kind for r in flag.reasons] == ([] if colour == "green" else ["behind"])


def test_the_latest_revision_of_the_latest_month_counts():
    flag = _flag([_report(100_000, "2026-05"), _report(450_000, revision=1), _report(200_000, revision=2)])
    assert flag.colour == "yellow" and round(flag.reasons[0].values["rate"]) == 20


def test_last_years_reports_do_not_count_this_year():
    flag = _flag([_report(900_000, "2025-12")])  # 90% of last year's plan, nothing this year
    assert flag.colour == "red" and flag.reasons[0].values["rate"] == 0


@pytest.mark.parametrize(("late_days", "reached", "colour"), [(15, None, "green"), (16, None, "red"),
                                                              (40, date(2026, 5, 1), "green")])
def test_milestones(late_days, reached, colour):
    milestone = Milestone(id=1, project_id=1, name="主体封顶", due_date=TODAY - timedelta(days=late_days),
                          reached_on=reached)
    flag = _flag(milestones=[milestone])
    assert flag.colour == colour
    if colour == "red":
        text = messages.render("zh", "flag.reason.milestone_late", **flag.reasons[0].values)
        assert text == "节点 主体封顶 逾期 16 天"


def _issue(level: int, due: datetime, status: str = "acknowledged") -> Issue:
    return Issue(id=1, number="Q-2026-0042", project_id=1, project_code="JC-1", project_name="道路",
                 raised_by=1, raiser_name="李娜", category="用地", description="x", level=level,
                 status=status, major=False, flagged=False, created_at=NOW, resolve_due=due)


@pytest.mark.parametrize(("issue", "colour"), [
    (_issue(3, NOW - timedelta(minutes=1)), "red"),
    (_issue(3, NOW + timedelta(days=1)), "green"),
    (_issue(2, NOW - timedelta(days=9)), "green"),
    (_issue(3, NOW - timedelta(days=9), status="closed"), "green"),
])
def test_issues_overdue_at_level_three(issue, colour):
    flag = _flag(issues=[issue])
    assert flag.colour == colour
    if colour == "red":
        said = messages.render("zh", "flag.reason.issue_overdue", **flag.reasons[0].values)
        assert said == "问题 Q-2026-0042 在第 3 级超期"


def test_a_late_report_is_yellow_only_after_the_due_day():
    earlier = [_report(500_000, "2026-05")]
    assert _flag(earlier, today=date(2026, 6, 30)).colour == "green"
    late = _flag(earlier, today=date(2026, 7, 1))
    assert late.colour == "yellow" and [r.kind for r in late.reasons] == ["report_late"]


def test_the_worst_reason_sets_the_colour_and_all_reasons_are_kept():
    milestone = Milestone(id=1, project_id=1, name="开工", due_date=TODAY - timedelta(days=30))
    flag = _flag([_report(300_000)], milestones=[milestone])
    assert flag.colour == "red" and [r.kind for r in flag.reasons] == ["behind", "milestone_late"]
    text = messages.render("zh", "flag.reason.behind", **flag.reasons[0].values)
    assert text == "年度投资完成 30%，序时进度 50%，落后 20 个百分点"


def test_a_countys_own_thresholds():
    sanya = Policy(flags=FlagPolicy(yellow_behind_points=20, red_behind_points=50,
                                    names={"green": "蓝牌", "yellow": "黄牌", "red": "红牌"}))
    assert _flag([_report(100_000)], policy=sanya).colour == "yellow"  # 40 behind
    assert _flag([_report(350_000)], policy=sanya).colour == "green"   # 15 behind
    assert _flag([_report(0)], policy=sanya).colour == "yellow"        # exactly 50 behind


def test_a_project_without_an_annual_plan_is_judged_on_the_rest():
    empty = PROJECT.model_copy(update={"annual_plan": 0})
    flag = project_flag(empty, [], [], [], Policy(), PERIOD, TODAY, NOW)
    assert flag.colour == "green"
