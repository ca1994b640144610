"""年度计划 per year (004 "每年12月底前下达…次年度建设计划项目清单"): next year's list comes with its
计划年度 in December, this year's plans are kept, and each month is judged on its own year's plan."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from bot.formats.project_sheet import read_sheet
from bot.services import bulletins, registry
from bot.services import reports as report_service
from bot.services.context import Context
from messages.imports import import_report
from storage import people
from storage import projects as project_store
from tests.helpers import POLICY, TZ, local, project_row, xlsx


async def _import(db, rows, year: int = 2026):
    async with db.transaction() as tx:
        return await registry.apply_sheet(Context(tx, FixedClock(local(year, 12, 20, 10, 0)), POLICY, TZ),
                                          read_sheet(xlsx(rows), "p.xlsx"), False)


async def test_next_years_list_applies_from_january_and_this_years_is_kept(db, team):
    # the fixture's list is 2026's: 4,800 万 a project; in December comes 2027's, 6,000 万, and one new project
    report = await _import(db, [project_row("JC-2026-001", annual_plan="6000", plan_year="2027"),
                                project_row("JC-2027-001", name="新建学校", annual_plan="3000", plan_year="2027年")])
    assert (report.created, report.updated) == (1, 1)
    again = await _import(db, [project_row("JC-2026-001", annual_plan="6000", plan_year="2027"),
                               project_row("JC-2027-001", name="新建学校", annual_plan="3000", plan_year="2027年")])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)  # the same sheet again changes nothing
    kept = await project_store.by_code(db.read, "JC-2026-001")
    assert kept.plans == {2026: 48_000_000, 2027: 60_000_000} and kept.annual_plan == 60_000_000
    new = await project_store.by_code(db.read, "JC-2027-001")
    assert (new.plan_for(2026), new.plan_for(2027), new.plan_for(2028)) == (0, 30_000_000, 30_000_000)

    december = await bulletins.gather(db.read, "2026-12", None, POLICY, TZ)
    january = await bulletins.gather(db.read, "2027-01", None, POLICY, TZ)
    assert december.annual_plan == 3 * 48_000_000  # 2026's plans; the 2027-only project adds nothing
    assert january.annual_plan == 60_000_000 + 2 * 48_000_000 + 30_000_000  # -002, -003: no 2027 list yet

    async with db.transaction() as tx:  # January's report is measured against 2027's plan
        liaison = (await people.by_name(tx, "李娜"))[0]
        _, _, figures = await report_service.submit_monthly(
            tx, FixedClock(local(2027, 1, 28, 10, 0)), POLICY, TZ, liaison, period="2027-01", project_id=kept.id,
            ytd=6_000_000, stage="continuing", progress="x", photos=[], milestone_ids=[], next_plan="y")
    assert (figures["plan"], figures["rate"]) == (60_000_000, 10.0)


async def test_a_plan_year_that_is_not_a_year_is_refused_with_its_row(db, team):
    report = await _import(db, [project_row("JC-2026-001", plan_year="明年")])
    assert not report.applied
    said = import_report("zh", report, plain=True)
    assert "第 2 行 计划年度：计划年度应为 2000–2100 之间的年份，例如 2027 '明年'" in said
    assert (await project_store.by_code(db.read, "JC-2026-001")).plans == {2026: 48_000_000}
