"""一句话报进度 end to end: one line → the flow's own card → 提交 stores what the flow would; 修改 opens the
flow at the field; 本月 adds to last month's figure; the flow's checks apply; an ambiguous line asks; a
problem line becomes a numbered problem; anything else gets the menu as before."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from bot.services import reports as report_service
from storage import people, reports
from storage import projects as project_store
from tests.helpers import LIAISON, POLICY, TZ, local


async def test_one_line_gives_the_card_and_submits_what_the_flow_would(sandbox, bot, team, db):
    user = sandbox.user(LIAISON, "李娜")
    card = await user.ask("JC-2026-001 累计1200万 续建 主体结构施工 下月计划室外管网开工")
    assert "请核对月报内容" in card.text
    assert "本年累计完成投资：1,200 万元" in card.text and "建设阶段：续建" in card.text
    assert "形象进度：主体结构施工" in card.text and "下月计划：室外管网开工" in card.text
    await user.tap("修改本年累计完成投资")
    assert "本年累计完成投资是多少万元" in user.last().text
    again = await user.ask("1300")
    assert "本年累计完成投资：1,300 万元" in again.text  # back to the card, the rest kept
    await user.tap("✅ 提交")
    assert "已提交 JC-2026-001" in user.last().text
    project = await project_store.by_code(db.read, "JC-2026-001")
    [report] = await reports.history(db.read, project.id)
    assert (report.ytd_completed, report.stage, report.progress, report.next_plan, report.photos) == (
        13_000_000, "continuing", "主体结构施工", "室外管网开工", ())


async def test_this_months_figure_adds_to_last_months(sandbox, bot, team, db):
    async with db.transaction() as tx:
        liaison = (await people.by_name(tx, "李娜"))[0]
        project = await project_store.by_code(tx, "JC-2026-001")
        await report_service.submit_monthly(tx, FixedClock(local(2026, 10, 28, 10, 0)), POLICY, TZ, liaison,
                                            period="2026-10", project_id=project.id, ytd=10_000_000,
                                            stage="continuing", progress="x", photos=[], milestone_ids=[],
                                            next_plan="y")
    user = sandbox.user(LIAISON, "李娜")
    card = await user.ask("JC-2026-001 本月完成200万 续建 路面施工 下月计划绿化")
    assert "本年累计完成投资：1,200 万元" in card.text


async def test_what_the_flow_refuses_or_cannot_tell_is_asked(sandbox, bot, team, db):
    user = sandbox.user(LIAISON, "李娜")
    over = await user.ask("JC-2026-001 累计20000万 续建 路面施工 下月计划绿化")  # the total is 12,000 万
    assert "超过了项目总投资" in over.text
    await sandbox.wait_for(lambda: "本年累计完成投资是多少万元" in user.last().text)
    await user.ask("/cancel")
    both = await user.ask("JC-2026-001 JC-2026-002 累计100万")
    assert "填报哪个项目的月报" in both.text  # two named: asked, not guessed
    await user.ask("/cancel")
    bare = await user.ask("JC-2026-001 完成500万 续建")
    assert "本年累计完成投资是多少万元" in bare.text  # 本月 or 累计? asked


async def test_a_problem_line_becomes_a_numbered_problem(sandbox, bot, team, db):
    user = sandbox.user(LIAISON, "李娜")
    card = await user.ask("JC-2026-001 问题：征地拆迁未完成，用地手续未批")
    assert "请核对反映问题内容" in card.text and "问题类别：用地" in card.text
    assert "问题描述：征地拆迁未完成，用地手续未批" in card.text
    await user.tap("✅ 提交")
    assert "已提交，编号 Q-2026-0001" in user.last().text


async def test_other_text_still_gets_the_menu(sandbox, bot, team, db):
    user = sandbox.user(LIAISON, "李娜")
    assert "无法识别该消息" in (await user.ask("今天天气不错")).text
    assert "无法识别该消息" in (await user.ask("JC-2026-003 累计100万")).text  # 张伟's project, not hers
    assert "无法识别该消息" in (await user.ask("JC-2026-001 什么时候开调度会？")).text  # a question, not a report


async def test_several_lines_give_a_card_each_in_turn(sandbox, bot, team, db):
    user = sandbox.user(LIAISON, "李娜")
    first = await user.ask("JC-2026-001 累计1200万 续建 路面施工 下月计划绿化\n随便写写\n"
                           "JC-2026-002 累计800万 续建 管网铺设 下月计划调试")
    assert "未能识别" in first.text and "• 随便写写" in first.text
    await sandbox.wait_for(lambda: "请核对月报内容" in user.last().text)
    assert "JC-2026-001" in user.last().text
    await user.tap("✅ 提交")
    await sandbox.wait_for(lambda: "请核对月报内容" in user.last().text and "JC-2026-002" in user.last().text)
    assert "本年累计完成投资：800 万元" in user.last().text
    await user.tap("✅ 提交")
    await sandbox.wait_for(lambda: "已提交 JC-2026-002" in user.last().text)
    for code, ytd in (("JC-2026-001", 12_000_000), ("JC-2026-002", 8_000_000)):
        [report] = await reports.history(db.read, (await project_store.by_code(db.read, code)).id)
        assert report.ytd_completed == ytd
