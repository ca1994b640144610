"""000's 红黄蓝牌 as a warning ladder (policy flags.scheme = "warning"): no card on track; a project
behind gets 蓝牌 its first month, 黄牌 the second in a row, 红牌 the third; a red reason gives 黄牌 at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from bot.domain.flags import warning_card
from bot.domain.policy import load_policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import bulletins
from bot.services import reports as report_service
from storage import flags, people
from tests.helpers import LEADER, TZ, by_chat, local

JINGCHUAN = load_policy(Path(__file__).parents[1] / "docs" / "policies" / "jingchuan.toml")


@pytest.mark.parametrize(("worst", "months_before", "card"), [
    ("green", 0, "green"), ("green", 5, "green"),  # on track: no card, whatever came before
    ("yellow", 0, "blue"), ("yellow", 1, "yellow"), ("yellow", 2, "red"), ("yellow", 7, "red"),
    ("red", 0, "yellow"), ("red", 1, "yellow"), ("red", 2, "red"),  # a red reason: at least 黄 at once
])
def test_the_ladder_climbs_a_card_a_month(worst, months_before, card):
    assert warning_card(worst, months_before) == card


async def _report(db, month: str, day: int, ytd_wan: int) -> None:
    async with db.transaction() as tx:
        liaison = (await people.by_name(tx, "李娜"))[0]
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
        await report_service.submit_monthly(tx, FixedClock(local(2026, int(month[5:]), day, 10, 0)), JINGCHUAN, TZ,
                                            liaison, period=month, project_id=project_id, ytd=ytd_wan * 10_000,
                                            stage="continuing", progress="x", photos=[], milestone_ids=[],
                                            next_plan="y")


async def test_jingchuan_warns_blue_then_yellow_then_red_month_by_month(db, team):
    assert JINGCHUAN.flags.scheme == "warning" and JINGCHUAN.flags.names["green"] == "未亮牌"
    project_id = await db.read.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
    sent = {}
    # 15 points behind 序时进度 each month (plan 4,800 万: 83.3 %, 91.7 %, 100 % due)
    for month, ytd, day in (("2026-10", 3280, 29), ("2026-11", 3680, 28), ("2026-12", 4080, 29)):
        await _report(db, month, day - 1, ytd)
        sent[month] = by_chat(await run_job(db, JOBS["flag-watch"], local(2026, int(month[5:]), day, 7, 30),
                                            JINGCHUAN, TZ))
    history = (await flags.histories(db.read, project_id))[project_id]
    assert history == [("2026-12", "red"), ("2026-11", "yellow"), ("2026-10", "blue")]
    assert LEADER not in sent["2026-10"] and LEADER not in sent["2026-11"]
    assert "亮红牌" in sent["2026-12"][LEADER]  # the third month in a row: red, and its leader told once

    october = await bulletins.gather(db.read, "2026-10", None, JINGCHUAN, TZ)
    assert [f.code for f in october.blue] == ["JC-2026-001"]  # the others: no report, warned since September
    assert "JC-2026-001" not in [f.code for f in october.yellow + october.red]
    text = (await bulletins.render(october, JINGCHUAN, None, "全县")).text
    assert "<b>蓝牌项目</b>（1 个）" in text and "JC-2026-001" in text


async def test_a_project_back_on_track_carries_no_card_and_starts_again_at_blue(db, team):
    await _report(db, "2026-10", 28, 3280)
    await run_job(db, JOBS["flag-watch"], local(2026, 10, 29, 7, 30), JINGCHUAN, TZ)
    await _report(db, "2026-11", 27, 4400)  # on track in November
    await run_job(db, JOBS["flag-watch"], local(2026, 11, 28, 7, 30), JINGCHUAN, TZ)
    await _report(db, "2026-12", 28, 4080)  # behind again
    await run_job(db, JOBS["flag-watch"], local(2026, 12, 29, 7, 30), JINGCHUAN, TZ)
    project_id = await db.read.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
    colours = [c for _, c in (await flags.histories(db.read, project_id))[project_id]]
    assert colours == ["blue", "green", "blue"]
