"""挂牌督办 of projects (002 "对进展缓慢、工期滞后的项目,及时挂牌督办"): by a leader or the centre, or by
the flag watch after the policy's run of red months; on the card and in the bulletin until lifted."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from bot.domain.policy import Policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import bulletins
from bot.services import reports as report_service
from storage import people, supervision
from tests.helpers import ADMIN, HEAD, LEADER, LIAISON, TZ, by_chat, local


async def _bulletin(db, bot) -> str:
    data = await bulletins.gather(db.read, "2026-10", None, bot.policy, TZ)
    return (await bulletins.render(data, bot.policy, None, "全县")).text


async def test_a_leader_puts_a_project_under_supervision_and_lifts_it(sandbox, bot, team, db):
    leader, liaison = sandbox.user(LEADER, "周建国"), sandbox.user(LIAISON, "李娜")
    assert "挂牌督办" in (await leader.ask("/help")).text and "/supervise" not in (await liaison.ask("/help")).text
    reply = await leader.ask("/supervise jc-2026-001 连续两个月进度滞后，征地未完成")
    assert "已对 JC-2026-001 JC-2026-001 产业园道路 挂牌督办" in reply.text
    await sandbox.wait_for(lambda: any("已被 周建国 挂牌督办：连续两个月进度滞后，征地未完成" in m.text
                                       for m in sandbox.messages(LIAISON)))
    card = await liaison.ask("/project JC-2026-001")
    assert "🚩 挂牌督办（2026年11月20日 10:00，周建国：连续两个月进度滞后，征地未完成）" in card.text
    text = await _bulletin(db, bot)
    assert "挂牌督办项目</b>（1 个）" in text and "JC-2026-001 JC-2026-001 产业园道路（县交通局，本月" in text
    assert "已在挂牌督办中" in (await leader.ask("/supervise JC-2026-001 再挂一次")).text

    assert "已取消" in (await leader.ask("/unsupervise JC-2026-001 征地已完成")).text
    await sandbox.wait_for(lambda: any("取消了项目 JC-2026-001 JC-2026-001 产业园道路 的挂牌督办：征地已完成" in m.text
                                       for m in sandbox.messages(LIAISON)))
    assert "挂牌督办" not in (await liaison.ask("/project JC-2026-001")).text
    assert "挂牌督办项目" not in await _bulletin(db, bot)
    assert "没有挂牌督办" in (await leader.ask("/unsupervise JC-2026-001 再取消")).text


async def test_supervision_refuses_what_it_cannot_do(sandbox, bot, team, db):
    liaison, admin = sandbox.user(LIAISON, "李娜"), sandbox.user(ADMIN, "王主任")
    assert "只有包联领导和项目中心" in (await liaison.ask("/supervise JC-2026-001 太慢")).text
    assert "用法：/supervise" in (await admin.ask("/supervise JC-2026-001")).text  # no reason
    assert "没有找到您可以查看的项目 NOPE" in (await admin.ask("/supervise nope 太慢")).text
    assert "200 字以内" in (await admin.ask("/supervise JC-2026-001 " + "慢" * 201)).text
    assert await supervision.all_current(db.read) == {}


async def test_the_watch_supervises_a_project_red_for_the_policys_months_once(db, team):
    policy = Policy.model_validate({"flags": {"supervise_after_red_months": 2}})
    async with db.transaction() as tx:
        liaison = (await people.by_name(tx, "李娜"))[0]
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
        for month, day in (("2026-10", 28), ("2026-11", 26)):  # 1% of the plan, both months: red
            await report_service.submit_monthly(tx, FixedClock(local(2026, int(month[5:]), day, 10, 0)), policy, TZ,
                                                liaison, period=month, project_id=project_id, ytd=480_000,
                                                stage="continuing", progress="x", photos=[], milestone_ids=[],
                                                next_plan="y")
    await run_job(db, JOBS["flag-watch"], local(2026, 10, 29, 7, 30), policy, TZ)
    assert await supervision.all_current(db.read) == {}  # one red month is not yet a run of two
    sent = by_chat(await run_job(db, JOBS["flag-watch"], local(2026, 11, 27, 7, 30), policy, TZ))
    on = (await supervision.all_current(db.read))[project_id]
    assert (on.reason, on.started_by) == ("连续 2 个月红牌", None)
    assert "已被系统按规则挂牌督办：连续 2 个月红牌" in sent[LIAISON] and {ADMIN, LEADER, HEAD} <= set(sent)
    async with db.transaction() as tx:
        await supervision.lift(tx, project_id, local(2026, 11, 27, 9, 0), None, "已约谈，限期整改")
    await run_job(db, JOBS["flag-watch"], local(2026, 11, 28, 7, 30), policy, TZ)
    assert await supervision.all_current(db.read) == {}  # lifted during the run: not put back by itself


async def test_a_talk_over_a_slow_project_is_recorded_on_its_card(sandbox, bot, team, db):
    admin, liaison = sandbox.user(ADMIN, "王主任"), sandbox.user(LIAISON, "李娜")
    sandbox.user(LEADER, "周建国")
    assert "用法：/talk" in (await admin.ask("/talk JC-2026-001 城投公司王明")).text  # no outcome
    reply = await admin.ask("/talk JC-2026-001 城投公司王明  承诺 12月20日前完成征地")
    assert "已记录对 JC-2026-001 JC-2026-001 产业园道路 的约谈" in reply.text
    told = "王主任 就项目 JC-2026-001 JC-2026-001 产业园道路 约谈了 城投公司王明：承诺 12月20日前完成征地"
    await sandbox.wait_for(lambda: any(told in m.text for m in sandbox.messages(LIAISON)))
    card = await liaison.ask("/project JC-2026-001")
    assert "约谈记录" in card.text
    assert "2026年11月20日约谈 城投公司王明：承诺 12月20日前完成征地（王主任 记录）" in card.text
    assert "只有包联领导和项目中心" in (await liaison.ask("/talk JC-2026-001 自己 没用")).text
