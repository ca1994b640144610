"""Weekly reporting as the county says (001, 004: none; 001 "差异化调度": some tiers only): requests,
nudges, the digest's "expected" and /weekly follow `weekly_update.projects`."""

from __future__ import annotations

from bot.app.process import BotProcess
from bot.domain.clock import FixedClock
from bot.domain.policy import Policy
from bot.formats.project_sheet import read_sheet
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import registry
from bot.services.context import Context
from tests.conftest import fast_limits
from tests.helpers import ADMIN, LIAISON, TZ, bind_group, by_chat, local, project_row, xlsx

KEY_ONLY = Policy.model_validate({"weekly_update": {"projects": ["key"]}})
NONE = Policy.model_validate({"weekly_update": {"projects": "none"}})
GROUP = -1002


async def _with_an_annual_project(db) -> None:
    """The fixture's three 重点 projects and JC-2026-004, a 年度建设 project of 李娜's."""
    async with db.transaction() as tx:
        await registry.apply_sheet(Context(tx, FixedClock(local(2026, 11, 2, 9, 0)), KEY_ONLY, TZ),
                                   read_sheet(xlsx([project_row("JC-2026-004", tier="annual")]), "p.xlsx"), False)


async def test_only_the_tiers_listed_are_asked_nudged_and_expected(db, team, sandbox, bot):
    await _with_an_annual_project(db)
    friday = by_chat(await run_job(db, JOBS["weekly-update-request"], local(2026, 11, 27, 9, 0), KEY_ONLY, TZ))
    assert "JC-2026-001" in friday[LIAISON] and "JC-2026-004" not in friday[LIAISON]
    monday = by_chat(await run_job(db, JOBS["weekly-update-nudge"], local(2026, 11, 30, 9, 0), KEY_ONLY, TZ))
    assert "JC-2026-002" in monday[LIAISON] and "JC-2026-004" not in monday[LIAISON]

    admin = sandbox.user(ADMIN, "王主任")
    sandbox.group(GROUP, "项目群")
    await bind_group(admin, GROUP, "周调度情况通报")
    digest = by_chat(await run_job(db, JOBS["weekly-digest"], local(2026, 11, 30, 9, 0), KEY_ONLY, TZ))
    assert "周报：应报 3 个，已报 0 个" in digest[GROUP] and "JC-2026-004" not in digest[GROUP]
    assert "本季度调度重点：全年计划完成及下年度储备。" in digest[GROUP]
    everyone = by_chat(await run_job(db, JOBS["weekly-digest"], local(2026, 12, 7, 9, 0), Policy(), TZ))
    assert "周报：应报 4 个" in everyone[GROUP]


async def test_a_county_with_no_weekly_update_asks_none_and_hides_the_button(settings, db, team, sandbox, clock):
    process = await BotProcess(settings, policy=NONE, clock=clock, db=db, limits=fast_limits(), poll_timeout=5,
                               schedule=False).start()
    try:
        liaison = sandbox.user(LIAISON, "李娜")
        reply = await liaison.ask("/start")
        assert "周报" not in str(reply.reply_markup) and "月报" in str(reply.reply_markup)
        assert "本县不要求您的项目报送周报" in (await liaison.ask("/weekly")).text
        friday = await run_job(db, JOBS["weekly-update-request"], local(2026, 11, 27, 9, 0), NONE, TZ)
        assert not friday.messages
    finally:
        await process.stop()


async def test_a_policy_names_only_tiers_and_levels():
    assert KEY_ONLY.weekly_update.asks("key", "county") and not KEY_ONLY.weekly_update.asks("annual", "county")
    assert Policy.model_validate({"weekly_update": {"projects": ["city"]}}).weekly_update.asks("reserve", "city")
    try:
        Policy.model_validate({"weekly_update": {"projects": ["重点"]}})
    except ValueError as exc:
        assert "weekly_update.projects" in str(exc)
    else:
        raise AssertionError("an unknown tier was accepted")
