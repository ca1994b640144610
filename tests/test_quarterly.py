"""The quarterly analysis: the pure figures on constructed cases (each quarter's focus, top and
bottom five, issues by category), the job posting it once to a subscribed group, and composing
outside the writer's transaction."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.domain import quarter_figures
from bot.domain.models import Issue, MonthlyReport, Project
from bot.domain.policy import Policy
from bot.domain.quarter_figures import previous_quarter
from bot.services import bulletins
from storage import groups, reports
from tests.helpers import POLICY, TZ, local, run_at
from tests.test_bulletin import _bind

AT = datetime(2026, 9, 20, tzinfo=UTC)


def _project(n: int, **fields) -> Project:
    values = {"id": n, "code": f"P{n:02d}", "name": f"项目{n}", "tier": "key", "level": "county",
              "stage": "continuing", "total_investment": 10_000_000, "annual_plan": 1_000_000,
              "lead_unit": "县交通局", **fields}
    return Project(**values)


def _report_of(project_id: int, period: str, ytd: int) -> MonthlyReport:
    return MonthlyReport(id=project_id, project_id=project_id, period=period, revision=1, reporter_id=1,
                         ytd_completed=ytd, stage="continuing", progress="", next_plan="", submitted_at=AT)


def _issue(n: int, category: str, created: datetime, closed: datetime | None) -> Issue:
    return Issue(id=n, number=f"Q-2026-{n:04d}", project_id=1, project_code="P01", project_name="项目1",
                 raised_by=1, raiser_name="李娜", category=category, description="x", level=1,
                 status="closed" if closed else "assigned", major=False, flagged=False, created_at=created,
                 closed_at=closed)


def test_the_quarter_is_measured_against_the_plan_and_the_quarter_before():
    projects = [_project(n) for n in range(1, 13)]
    latest = [_report_of(n, "2026-09", n * 60_000) for n in range(1, 13)]  # 6%, 12%, … 72%
    before = [_report_of(n, "2026-06", n * 20_000) for n in range(1, 13)]
    data = quarter_figures.compute("2026-Q3", projects, latest, before, [], [], POLICY, TZ)
    assert (data.focus, data.projects, data.annual_plan) == ("investment", 12, 12_000_000)
    assert data.ytd == 60_000 * 78 and data.invested_in_quarter == 40_000 * 78
    assert data.time_share == 75
    assert [line.code for line in data.top] == ["P12", "P11", "P10", "P09", "P08"]
    assert [line.code for line in data.bottom] == ["P01", "P02", "P03", "P04", "P05"]
    # lagging: 10 points or more behind 75% → rates ≤ 65%: P01..P10, worst first
    assert [line.code for line in data.focus_projects] == [f"P{n:02d}" for n in range(1, 11)]
    assert round(data.focus_projects[-1].behind) == 15


def test_top_and_bottom_never_list_a_project_twice():
    projects = [_project(n) for n in range(1, 8)]
    latest = [_report_of(n, "2026-09", n * 100_000) for n in range(1, 8)]
    data = quarter_figures.compute("2026-Q3", projects, latest, [], [], [], POLICY, TZ)
    assert [line.code for line in data.top] == ["P07", "P06", "P05", "P04", "P03"]
    assert [line.code for line in data.bottom] == ["P01", "P02"]


def test_each_quarter_has_its_own_focus():
    projects = [_project(1, stage="preparing", planned_start=date(2026, 5, 1)),
                _project(2, stage="new_start", planned_start=date(2026, 4, 1)),
                _project(3, stage="planning", planned_start=date(2027, 3, 1)),
                _project(4, tier="reserve", stage="planning", total_investment=50_000_000,
                         planned_end=None),
                _project(5, stage="completed", planned_end=date(2026, 11, 30))]
    q1 = quarter_figures.compute("2026-Q1", projects, [], [], [], [], POLICY, TZ)
    assert q1.focus == "preparation" and [line.code for line in q1.focus_projects] == ["P01"]
    q2 = quarter_figures.compute("2026-Q2", projects, [], [], [], [], POLICY, TZ)
    assert (q2.focus, q2.starts_due, q2.starts_made) == ("starts", 2, 1)
    assert [line.code for line in q2.focus_projects] == ["P01"]
    q4 = quarter_figures.compute("2026-Q4", projects, [], [], [], [], POLICY, TZ)
    assert (q4.focus, q4.reserve, q4.reserve_investment) == ("year_end", 1, 50_000_000)
    assert (q4.completions_due, q4.completions_made, q4.focus_projects) == (1, 1, [])


def test_issues_by_category_with_the_average_days_to_close():
    start = datetime(2026, 7, 1, 2, tzinfo=UTC)
    issues = [_issue(1, "用地", start, start + timedelta(days=4)),
              _issue(2, "用地", start + timedelta(days=10), start + timedelta(days=20)),
              _issue(3, "资金", start - timedelta(days=40), None),   # raised last quarter, still open
              _issue(4, "资金", start, datetime(2026, 10, 8, tzinfo=UTC)),  # closed after the quarter
              _issue(5, "自定义", start + timedelta(days=1), None)]
    data = quarter_figures.compute("2026-Q3", [_project(1)], [], [], [], issues, POLICY, TZ)
    lines = {c.category: c for c in data.categories}
    assert list(lines) == ["用地", "资金", "自定义"]  # the policy's order, unknown ones after
    assert (lines["用地"].opened, lines["用地"].closed, lines["用地"].still_open) == (2, 2, 0)
    assert lines["用地"].avg_days_to_close == 7
    assert (lines["资金"].opened, lines["资金"].closed, lines["资金"].still_open) == (1, 0, 2)
    assert lines["资金"].avg_days_to_close is None
    assert data.avg_days_to_close == 7


def test_the_quarter_reported_after_any_day_of_the_following_quarter():
    assert previous_quarter(local(2026, 10, 10, 9, 0)) == "2026-Q3"
    assert previous_quarter(local(2027, 1, 10, 9, 0)) == "2026-Q4"
    assert previous_quarter(local(2026, 5, 31, 9, 0)) == "2026-Q1"


async def test_the_job_posts_the_analysis_once_to_a_subscribed_group(db, team):
    async with db.transaction() as tx:
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
        await reports.add_revision(tx, project_id=project_id, period="2026-09", reporter_id=1,
                                   ytd_completed=36_000_000, stage="continuing", progress="", photos=[],
                                   milestones_reached=[], next_plan="", now=AT, late=False)
        await groups.bind(tx, -3001, "全县群", "all", None, 1, ["quarterly_analysis"], datetime.now(UTC))
    await _bind(db, -3002, "all", None)  # monthly bulletin only
    outcome = await run_at(db, "quarterly-analysis", local(2026, 10, 10, 9, 0))
    assert outcome.period == "2026-Q3" and [m[0] for m in outcome.messages] == [-3001]
    text = outcome.messages[0][2]["text"]
    assert "2026年第三季度重点项目推进情况分析" in text and "本季度重点：投资进度" in text
    top = text.split("完成率前五位")[1]
    assert "\n1. JC-2026-001 JC-2026-001 产业园道路（县交通局）完成 3,600 万元，占年度计划 4,800 万元的 75%" in top
    assert "本季度完成 3,600 万元" in text and "落后序时进度 10 个百分点以上的项目 2 个" in text
    again = await run_at(db, "quarterly-analysis", local(2026, 10, 11, 9, 0))
    assert (again.ran, again.reason) == (False, "already ran")


async def test_a_group_bound_after_composing_is_composed_when_posting(db, team):
    async with db.transaction() as tx:
        await groups.bind(tx, -3001, "全县群", "all", None, 1, ["quarterly_analysis"], datetime.now(UTC))
        queued = await bulletins.post(tx, datetime.now(UTC), "quarterly_analysis", {},
                                      lambda ids: bulletins.compose_quarterly(tx, "2026-Q3", POLICY, TZ, ids))
        row = await tx.one("SELECT chat_id, payload FROM outbox ORDER BY id DESC LIMIT 1")
    assert queued == 1 and row["chat_id"] == -3001 and "重点项目推进情况分析" in row["payload"]


@pytest.mark.sqlite_only  # another program's write lock on the file
async def test_the_chart_is_drawn_while_the_database_is_free_to_write(db, team, settings, monkeypatch):
    """Composing runs before the job's transaction: during the drawing another writer gets in."""
    await _bind(db, -2002, "all", None)
    writable = []

    def chart(*args) -> bytes:
        other = sqlite3.connect(settings.db, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        finally:
            other.close()
        return b"\x89PNG"

    monkeypatch.setattr(bulletins, "completion_chart", chart)
    outcome = await run_at(db, "monthly-bulletin", local(2026, 11, 5, 9, 0))
    assert writable == [True] and [m[1] for m in outcome.messages] == ["sendPhoto", "sendMessage"]


async def test_a_countys_own_quarterly_focus_leads_the_analysis_the_digest_and_the_bulletin(db, team):
    policy = Policy.model_validate({"bulletins": {"quarterly_focus": ["starts", "starts", "investment", "investment"]}})
    projects = [_project(1, stage="preparing", planned_start=date(2026, 3, 1))]
    q1 = quarter_figures.compute("2026-Q1", projects, [], [], [], [], policy, TZ)
    assert q1.focus == "starts" and [line.code for line in q1.focus_projects] == ["P01"]  # not yet started
    text = bulletins.render_quarter(q1, policy, None, "全县").text
    assert "<b>二、本季度重点：项目开复工</b>" in text
    october = await bulletins.gather(db.read, "2026-10", None, policy, TZ)
    assert "本季度调度重点：投资进度。" in (await bulletins.render(october, policy, None, "全县")).text
    default = await bulletins.gather(db.read, "2026-10", None, POLICY, TZ)
    assert "本季度调度重点：全年计划完成及下年度储备。" in (await bulletins.render(default, POLICY, None, "全县")).text
    with pytest.raises(ValidationError):
        Policy.model_validate({"bulletins": {"quarterly_focus": ["starts"]}})
