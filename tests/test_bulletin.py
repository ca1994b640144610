"""The monthly bulletin: figures checked against numbers computed here from the same data, a
group bound to one unit seeing only that unit's projects, the chart, and exactly-once posting."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.clock import FixedClock
from bot.domain.flags import Reason
from bot.domain.models import Role
from bot.services import bulletins
from bot.services import reports as report_service
from storage import groups, people
from tests.helpers import POLICY, TZ, local, run_at

GROUP, ALL_GROUP = -2001, -2002
MONTH = "2026-10"


async def _report(db, name: str, code: str, ytd_wan: int) -> None:
    clock_at = local(2026, 10, 20, 10, 0)
    async with db.transaction() as tx:
        person = (await people.by_name(tx, name))[0]
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = ?", (code,))
        await report_service.submit_monthly(tx, FixedClock(clock_at), POLICY, TZ, person, period="2026-10",
                                            project_id=project_id, ytd=ytd_wan * 10_000, stage="continuing",
                                            progress="x", photos=[], milestone_ids=[], next_plan="y")


async def _bind(db, chat_id: int, kind: str, value: str | None) -> None:
    async with db.transaction() as tx:
        admin = (await people.with_role(tx, Role.admin))[0]
        await groups.bind(tx, chat_id, f"群{chat_id}", kind, value, admin.id, ["monthly_bulletin"],
                          datetime.now(UTC))


async def test_the_figures_match_an_independent_count(db, team):
    # annual plans: 4800 万元 each; 001 and 002 lead by 县交通局, 003 by 县水利局
    await _report(db, "李娜", "JC-2026-001", 4000)
    await _report(db, "李娜", "JC-2026-002", 2000)
    data = await bulletins.gather(db.read, MONTH, None, POLICY, TZ)
    share = 10 / 12 * 100
    assert (data.projects, data.annual_plan, data.ytd) == (3, 3 * 48_000_000, 60_000_000)
    assert abs(data.rate - 6000 / 14400 * 100) < 1e-9 and abs(data.time_share - share) < 1e-9
    assert [(u.rank, u.unit, u.ytd) for u in data.ranking] == [(1, "县交通局", 60_000_000), (2, "县水利局", 0)]
    assert abs(data.ranking[0].rate - 6000 / 9600 * 100) < 1e-9
    # 001: 83.3% vs 83.3% → green; 002: 41.7% → 41.7 behind → red; 003: no October report → late, yellow
    assert [f.code for f in data.red] == ["JC-2026-002"] and [f.code for f in data.yellow] == ["JC-2026-003"]
    assert [r.kind for r in data.yellow[0].reasons] == ["report_late"]
    assert isinstance(data.red[0].reasons[0], Reason)
    assert [p.code for p in data.missing] == ["JC-2026-003"]


async def test_tied_rates_share_a_rank_and_units_without_projects_do_not_appear(db, team):
    await _report(db, "李娜", "JC-2026-001", 2400)
    await _report(db, "张伟", "JC-2026-003", 2400)
    await _report(db, "李娜", "JC-2026-002", 2400)
    data = await bulletins.gather(db.read, MONTH, None, POLICY, TZ)
    assert [(u.rank, u.unit) for u in data.ranking] == [(1, "县交通局"), (1, "县水利局")]
    assert "县住建局" not in {u.unit for u in data.ranking}  # responsible for projects, leads none


async def test_a_group_bound_to_one_unit_gets_only_its_projects_once(sandbox, db, team, bot):
    await _report(db, "李娜", "JC-2026-001", 4000)
    async with db.transaction() as tx:
        unit_id = await people.ensure_unit(tx, "县交通局")
    sandbox.group(GROUP, "交通局群")
    sandbox.group(ALL_GROUP, "全县群")
    await _bind(db, GROUP, "unit", str(unit_id))
    await _bind(db, ALL_GROUP, "all", None)
    outcome = await run_at(db, "monthly-bulletin", local(2026, 11, 5, 9, 0))
    assert outcome.period == MONTH
    bot.sender.wake()
    await sandbox.wait_for(lambda: len(sandbox.messages(GROUP)) >= 2 and len(sandbox.messages(ALL_GROUP)) >= 2, 30)
    photo, text = sandbox.messages(GROUP)[:2]
    assert photo.photo and "《投资快讯》2026年第10期" in photo.text and "牵头单位 县交通局" in photo.text
    png = sandbox.world.files[photo.photo].data
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert "共 2 个项目" in text.text and "JC-2026-003" not in text.text
    assert "年度计划投资 9,600 万元" in text.text and "本年累计完成 4,000 万元" in text.text
    assert "共 3 个项目" in sandbox.messages(ALL_GROUP)[1].text
    again = await run_at(db, "monthly-bulletin", local(2026, 11, 5, 9, 30))
    assert (again.ran, again.reason) == (False, "already ran")
