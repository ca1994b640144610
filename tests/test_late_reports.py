"""补报: a late monthly report goes to the month it is for; corrections within a window; the month
a liaison means at an instant comes from one rule (domain/periods.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.clock import FixedClock
from bot.domain.errors import Refused
from bot.domain.periods import correctable, open_months, report_period
from bot.domain.policy import MonthlyReportPolicy
from bot.services import reports as report_service
from storage import people, reports
from storage import projects as project_store
from tests.helpers import LIAISON, POLICY, TZ, bind, by_chat, local, run_at

LAST_DAY = MonthlyReportPolicy()
FIFTH_NEXT = MonthlyReportPolicy(due_day=5, due_next_month=True)


def test_the_month_of_an_instant():
    assert report_period(date(2026, 11, 30), LAST_DAY) == "2026-11"
    assert report_period(date(2026, 12, 1), LAST_DAY) == "2026-12"
    assert report_period(date(2026, 12, 5), FIFTH_NEXT) == "2026-11"  # 次月5日前报上月
    assert report_period(date(2026, 12, 6), FIFTH_NEXT) == "2026-12"


def test_open_months_put_the_oldest_owed_first():
    reported = {"2026-08", "2026-09", "2026-10"}
    assert open_months(date(2026, 12, 1), LAST_DAY, reported) == ["2026-11", "2026-12"]
    assert open_months(date(2026, 12, 1), LAST_DAY, {"2026-08"}) == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert open_months(date(2026, 12, 1), LAST_DAY, set()) == ["2026-12"]  # never reported: nothing owed
    assert open_months(date(2026, 12, 1), LAST_DAY.model_copy(update={"late_months": 1}), {"2026-08"}) == [
        "2026-11", "2026-12"]


def test_corrections_until_the_bulletin_or_for_the_year():
    assert correctable("2026-10", date(2026, 11, 4), LAST_DAY, 5)
    assert not correctable("2026-10", date(2026, 11, 5), LAST_DAY, 5)
    year = LAST_DAY.model_copy(update={"corrections_until": "year"})
    assert correctable("2026-03", date(2026, 12, 1), year, 5) and not correctable("2025-12", date(2026, 2, 1), year, 5)


async def _october(db, ytd_wan: int) -> int:
    async with db.transaction() as tx:
        liaison = (await people.by_name(tx, "李娜"))[0]
        project = await project_store.by_code(tx, "JC-2026-001")
        await reports.add_revision(tx, project_id=project.id, period="2026-10", reporter_id=liaison.id,
                                   ytd_completed=ytd_wan * 10_000, stage="continuing", progress="x", photos=[],
                                   milestones_reached=[], next_plan="y", now=local(2026, 10, 28, 10), late=False)
    return project.id


async def test_on_the_first_the_late_month_comes_first_and_is_stored_as_late(sandbox, projects, bot, db, clock):
    clock.set(local(2026, 12, 1, 10, 0))
    await bind(db, "李娜", LIAISON)
    project_id = await _october(db, 3000)
    user = sandbox.user(LIAISON, "李娜")
    await user.ask("/report")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    prompt = user.last()
    assert "填报哪个月的月报" in prompt.text
    assert prompt.button_labels[:2] == ["✅ 2026年11月（补报）", "2026年12月"]
    await user.tap("✅ 2026年11月（补报）")
    assert user.last().text.startswith("2026年11月月报：本年累计完成投资")
    below = await user.ask("2900")  # below October's 3,000: asked first
    assert "低于上月报送的本年累计 3,000 万元" in below.text
    await user.tap("确认无误")
    await user.tap("✅ 续建")
    await user.ask("主体完工")
    await user.tap("跳过")
    await user.ask("室外管网")
    await user.tap("✅ 提交")
    assert "已提交 JC-2026-001 JC-2026-001 产业园道路 2026年11月月报（补报）" in user.last().text
    [november] = await reports.for_period(db.read, project_id, "2026-11")
    assert november.late and november.ytd_completed == 29_000_000
    assert "（补报）" in (await user.ask("/history JC-2026-001")).text
    await user.ask("/report")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    assert user.last().button_labels[:2] == ["✅ 2026年12月", "2026年11月（修改已报）"]  # December next


async def test_the_late_notice_button_opens_the_overdue_month(sandbox, projects, bot, db, clock):
    clock.set(local(2026, 12, 1, 10, 0))
    await bind(db, "李娜", LIAISON)
    await _october(db, 3000)
    user = sandbox.user(LIAISON, "李娜")
    sent = by_chat(await run_at(db, "monthly-report-countdown", local(2026, 12, 1, 9, 0)))
    assert "2026年11月" in sent[LIAISON]
    bot.sender.wake()
    await user.reply(0)
    await user.tap("填报月报")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    assert user.last().button_labels[0] == "✅ 2026年11月（补报）"


async def test_a_correction_within_the_window_is_a_new_revision_and_refused_after(projects, db):
    async with db.transaction() as tx:
        await people.create(tx, "李娜", local(2026, 10, 1))
    await bind(db, "李娜", LIAISON)
    project_id = await _october(db, 3000)

    async def correct(when):
        async with db.transaction() as tx:
            liaison = (await people.by_name(tx, "李娜"))[0]
            return await report_service.submit_monthly(
                tx, FixedClock(when), POLICY, TZ, liaison, period="2026-10", project_id=project_id,
                ytd=31_000_000, stage="continuing", progress="更正", photos=[], milestone_ids=[], next_plan="y")

    report, _, _ = await correct(local(2026, 11, 3, 10))
    assert (report.period, report.revision, report.late) == ("2026-10", 2, True)
    with pytest.raises(Refused) as refused:
        await correct(local(2026, 12, 1, 10))
    assert refused.value.key == "report.month_closed"
