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


def test_last_years_reports_do_not_count_and_no_report_is_not_zero_done():
    flag = _flag([_report(900_000, "2025-12")])  # 90% of last year's plan, nothing this year
    assert (flag.colour, flag.reasons) == ("green", [])  # nothing to judge yet: never "0% done"
    late = _flag([_report(900_000, "2025-12")], today=date(2026, 7, 1))  # June's due day has passed
    assert late.colour == "yellow" and [r.kind for r in late.reasons] == ["report_late"]


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
        assert said == "问题 Q-2026-0042 在「县领导协调」超期"  # the level by its name


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
    assert text == "截至2026年6月，年度投资完成 30.0%，序时进度 50.0%，落后 20.0 个百分点"


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


BIG = PROJECT.model_copy(update={"annual_plan": 12_000_000, "total_investment": 50_000_000})


def _month_flag(month: int, ytd: int, policy: Policy | None = None):
    period = f"2026-{month:02d}"
    report = _report(ytd, period)
    return project_flag(BIG, [report], [], [], policy or Policy(), period, date(2026, month, 2), NOW)


@pytest.mark.parametrize("month", range(2, 13))
def test_exactly_ten_behind_is_yellow_in_every_month(month):
    ytd = 1_000_000 * month - 1_200_000  # 序时进度 month/12 of 12,000,000 元, less 10 points
    flag = _month_flag(month, ytd)
    assert flag.colour == "yellow" and flag.reasons[0].values["behind"] == 10.0
    assert _month_flag(month, ytd + 1).colour == "green"  # one 元 closer: under 10 points


@pytest.mark.parametrize("month", range(4, 13))
def test_exactly_thirty_behind_is_yellow_in_every_month(month):
    ytd = 1_000_000 * month - 3_600_000
    flag = _month_flag(month, ytd)
    assert flag.colour == "yellow" and flag.reasons[0].values["behind"] == 30.0
    red = _month_flag(month, ytd - 1)  # one 元 further: past 30 points, and it reads so
    assert red.colour == "red" and red.reasons[0].values["behind"] == 30.1


def test_the_reason_never_reads_across_its_band():
    just_yellow = _month_flag(11, 7_404_800)  # 29.96 points behind: reads 29.9, not "30.0"
    assert just_yellow.colour == "yellow" and just_yellow.reasons[0].values["behind"] == 29.9
    text = messages.render("zh", "flag.reason.behind", rate=50.0, time_share=50.0, behind=0.0)
    assert text.endswith("与序时进度持平")


def test_a_northern_winter_curve_changes_the_judgement():
    winter = Policy(flags=FlagPolicy(plan_curve=[0, 0, 5, 15, 30, 45, 60, 72, 84, 93, 100, 100]))
    assert _month_flag(2, 0).colour == "yellow"  # a straight line: 16.7 points behind in February
    assert _month_flag(2, 0, winter).colour == "green"  # the county's curve: nothing due yet
    late_spring = _month_flag(5, 1_200_000, winter)  # 10% done when 30% is due
    assert late_spring.colour == "yellow"
    assert "本县序时进度 30.0%" in messages.render("zh", "flag.reason.behind", **late_spring.reasons[0].values)


@pytest.mark.parametrize("curve", [[10] * 12, [0, 50, 40, 60, 70, 80, 85, 90, 95, 98, 99, 100], [100] * 11])
def test_a_curve_must_rise_to_one_hundred_in_twelve_steps(curve):
    with pytest.raises(ValueError):
        FlagPolicy(plan_curve=curve)
