"""Raising an issue and working it at level 1, as the people involved would (end to end)."""

from __future__ import annotations

import asyncio

from bot.domain.clock import FixedClock
from bot.domain.models import Role
from bot.services import issues as service
from storage import issues, people
from tests.helpers import bind

LIAISON, HEAD, WORKER, ADMIN = 6001, 6101, 6201, 5001


async def _team(sandbox, db):
    """李娜 raises; 赵科长 heads 县交通局 (JC-2026-001's lead unit); 钱工 works at 县住建局."""
    await bind(db, "李娜", LIAISON)
    await bind(db, "赵科长", HEAD, role=Role.unit_head, unit="县交通局")
    await bind(db, "钱工", WORKER, role=Role.member, unit="县住建局")
    return sandbox.user(LIAISON, "李娜"), sandbox.user(HEAD, "赵科长"), sandbox.user(WORKER, "钱工")


async def _raise(liaison) -> str:
    await liaison.ask("/raise")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    await liaison.tap("用地")
    await liaison.ask("红线内有 3 户未搬迁，影响土方开挖")
    await liaison.ask("请城关镇协调搬迁")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    assert "请核对反映问题内容" in liaison.last().text
    await liaison.tap("✅ 提交")
    return liaison.last().text


async def _assign(head, sandbox):
    await sandbox.wait_for(lambda: any("新问题待交办" in m.text for m in sandbox.messages(HEAD)))
    assert await head.tap("交办") is None
    await head.tap("县住建局")
    await head.tap("钱工")
    await head.tap("✅ 周建国")
    await head.ask("协调城关镇一周内完成搬迁")
    await head.tap("否")
    default = next(b for b in head.last().button_labels if b.startswith("按规定期限"))
    await head.tap(default)
    assert "请核对交办内容" in head.last().text
    await head.tap("✅ 提交")
    return default


async def test_raise_assign_acknowledge_solve_confirm(sandbox, projects, bot, db):
    liaison, head, worker = await _team(sandbox, db)
    raised = await _raise(liaison)
    assert "已提交，编号 Q-2026-0001" in raised

    default = await _assign(head, sandbox)
    assert default == "按规定期限2026年12月1日"  # 7 working days after Friday 2026-11-20
    assert "已交办 Q-2026-0001" in head.last().text
    card = await worker.reply(0)
    assert "交办给您的问题" in card.text
    assert "五到位：责任单位 县住建局；责任领导 周建国；责任人 钱工；解决方案 协调" in card.text
    assert card.button_labels == ["签收", "反馈进展", "办结", "提请上级协调"]
    await sandbox.wait_for(lambda: any("已交办" in m.text for m in sandbox.messages(LIAISON)))

    ack_data = card.buttons[0]["callback_data"]
    await worker.tap("签收", message=card)
    assert "已签收 Q-2026-0001" in card.text  # the card is edited in place, with the next steps
    assert "请在2026年11月25日前提交办理方案" in card.text  # 3 working days after signing on the 20th
    assert card.button_labels == ["提交办理方案", "反馈进展", "办结", "提请上级协调"]
    await sandbox.wait_for(lambda: any("签收，正在办理" in m.text for m in sandbox.messages(LIAISON)))
    again = await worker.answered(await worker.press_data(ack_data, card))
    assert again == "问题 Q-2026-0001 当前为“办理中”，这一步已不适用。"

    issue = await issues.by_number(db.read, "Q-2026-0001")
    assert issue.status == "acknowledged" and issue.five_fields_complete
    assert [e.kind for e in await issues.events(db.read, issue.id)] == ["raise", "assign", "acknowledge"]

    await worker.tap("提交办理方案", message=card)
    assert "已提交 Q-2026-0001 的办理方案" in (await worker.ask("一、11月25日前约谈三户；二、11月30日前签约")).text
    await sandbox.wait_for(lambda: "✅ 钱工 提交办理方案：一、11月25日前约谈三户" in card.text)
    assert card.button_labels == []  # the card shows who did what, and loses its buttons
    await sandbox.wait_for(lambda: any("办理方案（钱工）" in m.text for m in sandbox.messages(LIAISON)))
    await worker.ask("/issue Q-2026-0001")
    assert worker.last().button_labels == ["反馈进展", "办结", "提请上级协调"]  # the plan is in
    assert "办理方案：一、11月25日前约谈三户" in worker.last().text
    issue = await issues.by_number(db.read, "Q-2026-0001")
    assert issue.work_plan.startswith("一、") and issue.planned_at is not None


async def test_the_whole_loop_with_a_rejection(sandbox, projects, bot, db):
    liaison, head, worker = await _team(sandbox, db)
    await _raise(liaison)
    await _assign(head, sandbox)
    card = await worker.reply(0)
    await worker.tap("签收", message=card)

    await worker.ask("/issue Q-2026-0001")
    assert worker.last().button_labels == ["提交办理方案", "反馈进展", "办结", "提请上级协调"]
    await worker.tap("反馈进展")
    await worker.ask("已约谈三户，两户同意")
    await sandbox.wait_for(lambda: any("已约谈三户" in m.text for m in sandbox.messages(LIAISON)))

    await worker.ask("/issue Q-2026-0001")
    await worker.tap("办结")
    assert "已办结，等待反映人确认" in (await worker.ask("三户均已签约搬迁")).text
    await sandbox.wait_for(lambda: "满意销号" in liaison.last().button_labels)
    ask = liaison.last()
    assert "三户均已签约搬迁" in ask.text

    await liaison.tap("不满意", message=ask)
    assert "已退回" in (await liaison.ask("还有一户未腾空")).text
    await sandbox.wait_for(lambda: any("被退回重办" in m.text for m in sandbox.messages(WORKER)))
    assert "还有一户未腾空" in worker.last().text
    assert (await issues.by_number(db.read, "Q-2026-0001")).status == "reopened"

    await worker.tap("办结")
    await worker.ask("最后一户已腾空")
    await sandbox.wait_for(lambda: "满意销号" in liaison.last().button_labels)
    await liaison.tap("满意销号")
    assert "已销号" in liaison.last().text

    issue = await issues.by_number(db.read, "Q-2026-0001")
    assert issue.status == "closed" and issue.closed_at is not None
    kinds = [e.kind for e in await issues.events(db.read, issue.id)]
    assert kinds == ["raise", "assign", "acknowledge", "progress", "solve", "reject", "solve", "confirm"]
    card = await liaison.ask("/issue Q-2026-0001")
    assert "已销号" in card.text and card.buttons == []
    lines = card.text.splitlines()
    assert any(line.endswith("李娜 不满意退回：还有一户未腾空") for line in lines)  # one event a line
    assert "需要协调：请城关镇协调搬迁" in lines


async def test_a_weekly_update_turns_into_an_issue(sandbox, projects, bot, db):
    liaison, _, _ = await _team(sandbox, db)
    await liaison.ask("/weekly")
    await liaison.tap("JC-2026-002 污水处理厂")
    await liaison.ask("完成管网铺设 300 米")
    await liaison.ask("继续铺设")
    await liaison.tap("是")
    texts = [m.text for m in sandbox.messages(LIAISON)[-2:]]
    assert "周报已保存" in texts[0] and "下面请反映问题" in texts[0]
    assert "问题属于哪一类" in texts[1]  # the project is already chosen
    await liaison.tap("资金")
    await liaison.ask("配套资金未到位")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    assert "JC-2026-002 污水处理厂" in liaison.last().text
    await liaison.tap("✅ 提交")
    issue = await issues.by_number(db.read, "Q-2026-0001")
    assert issue.project_code == "JC-2026-002" and issue.category == "资金"
    history = await liaison.ask("/history JC-2026-002")
    assert "第47周（11月16日—11月22日）：完成管网铺设 300 米（有问题）" in history.text


async def test_forged_issue_buttons_are_refused(sandbox, projects, bot, db):
    liaison, head, worker = await _team(sandbox, db)
    await _raise(liaison)
    issue = await issues.by_number(db.read, "Q-2026-0001")
    stranger_on_card = liaison.last()
    expected = {
        f"i:{issue.id}:asg": "您不能办理问题 Q-2026-0001 的这一步。",  # only admins and the lead unit head
        f"i:{issue.id}:ack": "您不能办理问题 Q-2026-0001 的这一步。",  # only the assignee
        f"i:{issue.id}:ok": "问题 Q-2026-0001 当前为“待交办”，这一步已不适用。",  # the raiser, too early
        f"i:{issue.id + 99}:ack": "没有找到该问题。",
        "i:x:y": "该按钮已失效，请使用最新的消息。",
    }
    for data, words in expected.items():
        assert await liaison.answered(await liaison.press_data(data, stranger_on_card)) == words
    assert (await issues.by_number(db.read, "Q-2026-0001")).status == "open"
    assert len(await issues.events(db.read, issue.id)) == 1


async def test_two_issues_at_the_same_moment_get_distinct_numbers(projects, db, clock):
    raiser_id = await bind(db, "李娜", LIAISON)
    raiser = await people.get(db.read, raiser_id)
    project_id = (await db.read.one("SELECT id FROM projects WHERE code = 'JC-2026-001'"))[0]

    async def one(n: int):
        async with db.transaction() as tx:
            return await service.raise_issue(tx, clock, raiser, project_id=project_id, category="用地",
                                             description=f"问题{n}", need=None, need_by=None, photos=[],
                                             tz=FixedClock(clock.now()).now().tzinfo)

    found = await asyncio.gather(*(one(n) for n in range(8)))
    assert sorted(i.number for i in found) == [f"Q-2026-{n:04d}" for n in range(1, 9)]


async def test_lists_and_todo(sandbox, projects, bot, db):
    liaison, head, worker = await _team(sandbox, db)
    await _raise(liaison)
    todo = await head.ask("/todo")
    assert "Q-2026-0001" in todo.text and "交办" in todo.text
    assert "Q-2026-0001" in (await liaison.ask("/issues")).text
    assert "暂无" in (await liaison.ask("/issues closed")).text
    assert "可用的筛选" in (await liaison.ask("/issues whatever")).text
    mine = await liaison.ask("/todo")
    assert "2026-11 月报未报送" in mine.text


async def test_changing_the_unit_in_the_summary_asks_for_the_person_again(sandbox, projects, bot, db):
    liaison, head, worker = await _team(sandbox, db)
    await _raise(liaison)
    await sandbox.wait_for(lambda: any("新问题待交办" in m.text for m in sandbox.messages(HEAD)))
    await head.tap("交办")
    await head.tap("县住建局")
    await head.tap("钱工")
    await head.tap("✅ 周建国")
    await head.ask("协调城关镇一周内完成搬迁")
    await head.tap("否")
    await head.tap(next(b for b in head.last().button_labels if b.startswith("按规定期限")))
    await head.tap("修改责任单位")
    await head.tap("县交通局")
    asked = head.last()
    assert asked.text.startswith("责任人是谁？")
    assert "钱工" not in asked.button_labels and "赵科长" in asked.button_labels  # the new unit's people
    await head.tap("赵科长")
    summary = head.last().text
    assert "请核对交办内容" in summary and "县交通局" in summary and "赵科长" in summary and "钱工" not in summary
    await head.tap("✅ 提交")
    issue = await issues.by_number(db.read, "Q-2026-0001")
    assert (issue.unit_name, issue.assignee_name) == ("县交通局", "赵科长")
