"""倒计时节点 by owners (004 "倒排工期…全年倒计时工作台账"): a liaison adds a node with who answers for it or
re-plans one with a reason, the history is kept, an import keeps the liaison's nodes, and the 倒计时台账
sheet shows every node as it stood at the month's end."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.domain.errors import Refused
from bot.formats.project_sheet import read_sheet
from bot.services import exports, milestones, registry
from bot.services.context import Context
from storage import people
from storage import projects as project_store
from tests.helpers import LIAISON, POLICY, TZ, local, project_row, xlsx


async def _node_flow(user, *answers: str) -> None:
    await user.ask("/node")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    for answer in answers:
        if answer.startswith("tap:"):
            await user.tap(answer[4:])
        else:
            await user.ask(answer)
    await user.tap("✅ 提交")


async def test_a_liaison_adds_and_replans_a_node_and_the_card_keeps_count(sandbox, bot, team, db, clock):
    user = sandbox.user(LIAISON, "李娜")
    await _node_flow(user, "tap:新增节点", "室外管网开工", "2026-12-20", "县住建局")
    assert "已新增节点 室外管网开工，计划2026年12月20日完成，责任单位 县住建局" in user.last().text
    project = await project_store.by_code(db.read, "JC-2026-001")
    [node] = await project_store.milestones(db.read, project.id)
    assert (node.name, node.due_date, node.owner, node.replans) == ("室外管网开工", date(2026, 12, 20), "县住建局", 0)

    await user.ask("/node")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    await user.tap("调整节点计划")
    await user.tap("室外管网开工（2026年12月20日）")
    assert "不在今天" not in (await user.ask("2027-03-15")).text
    await user.ask("冬季停工，开春后施工")
    await user.tap("✅ 提交")
    assert "调整为2027年3月15日（第 1 次调整）：冬季停工，开春后施工" in user.last().text
    card = (await user.ask("/project JC-2026-001")).text
    assert "⏳ 室外管网开工 2027年3月15日 · 县住建局 · 调整 1 次" in card
    assert await project_store.milestone_changes(db.read, project.id) == {
        node.id: [("2026-12-20", "2027-03-15", "冬季停工，开春后施工")]}

    # the next project sheet with its own nodes keeps the liaison's
    async with db.transaction() as tx:
        await registry.apply_sheet(Context(tx, clock, POLICY, TZ), read_sheet(xlsx(
            [project_row("JC-2026-001")],
            [{"code": "JC-2026-001", "name": "主体封顶", "due_date": "2026-10-31", "owner": "城投公司"}]), "p.xlsx"),
            False)
    nodes = {m.name: m for m in await project_store.milestones(db.read, project.id)}
    assert set(nodes) == {"主体封顶", "室外管网开工"} and nodes["主体封顶"].owner == "城投公司"


async def test_what_cannot_be_planned_is_refused(sandbox, bot, team, db, clock):
    user = sandbox.user(LIAISON, "李娜")
    await user.ask("/node")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    assert "调整节点计划" not in str(user.last().reply_markup)  # no open node to re-plan yet
    await user.tap("新增节点")
    await user.ask("主体封顶")
    assert "日期2020年1月1日已经过去" in (await user.ask("2020-01-01")).text

    project = await project_store.by_code(db.read, "JC-2026-001")
    other = await project_store.by_code(db.read, "JC-2026-003")
    async with db.transaction() as tx:
        ctx = Context(tx, FixedClock(local(2026, 11, 20, 10, 0)), POLICY, TZ)
        liaison = (await people.by_name(tx, "李娜"))[0]
        node = await milestones.add(ctx, liaison, project.id, "主体封顶", date(2026, 12, 1), None)
        with pytest.raises(Refused) as caught:
            await milestones.add(ctx, liaison, project.id, " 主体封顶 ", date(2026, 12, 2), None)
        assert caught.value.key == "node.exists"
        with pytest.raises(Refused) as caught:
            await milestones.add(ctx, liaison, other.id, "开工", date(2026, 12, 2), None)  # 张伟's project
        assert caught.value.key == "report.not_allowed"
        with pytest.raises(Refused) as caught:
            await milestones.replan(ctx, liaison, node.id, date(2026, 12, 1), "不变")
        assert caught.value.key == "node.same_date"
        with pytest.raises(Refused) as caught:
            await milestones.replan(ctx, liaison, node.id, date(2026, 12, 9), " ")
        assert caught.value.key == "node.reason"
        await project_store.mark_milestones_reached(tx, project.id, [node.id], date(2026, 11, 20))
        with pytest.raises(Refused) as caught:
            await milestones.replan(ctx, liaison, node.id, date(2026, 12, 9), "晚了")
        assert caught.value.key == "node.reached"


async def test_the_countdown_ledger_shows_each_node_at_the_months_end(db, team, clock):
    nodes = [{"code": "JC-2026-001", "name": "路基完成", "due_date": "2026-09-30", "owner": "县交通局"},
             {"code": "JC-2026-001", "name": "路面铺设", "due_date": "2026-10-15"},
             {"code": "JC-2026-001", "name": "竣工验收", "due_date": "2026-12-20"}]
    async with db.transaction() as tx:
        await registry.apply_sheet(Context(tx, clock, POLICY, TZ),
                                   read_sheet(xlsx([project_row("JC-2026-001")], nodes), "p.xlsx"), False)
        project = await project_store.by_code(tx, "JC-2026-001")
        first = (await project_store.milestones(tx, project.id))[0]
        await project_store.mark_milestones_reached(tx, project.id, [first.id], date(2026, 9, 28))
    book = load_workbook(io.BytesIO(await exports.progress(db.read, "2026-10", POLICY, TZ, None)))
    sheet = book["倒计时台账"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    states = {r["节点"]: (r["责任单位"], r["状态"]) for r in rows}
    assert states == {"路基完成": ("县交通局", "已完成"), "路面铺设": (None, "逾期 16 天"),
                      "竣工验收": (None, "未到期")}
