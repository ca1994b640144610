"""The monthly report as a liaison on a phone does it (end to end through the sandbox)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.process import BotProcess
from bot.domain.models import Role
from storage import projects as project_store
from storage import reports
from tests.conftest import fast_limits
from tests.helpers import bind

LIAISON = 6001  # 李娜: JC-2026-001 and JC-2026-002
OTHER = 6002    # 张伟: JC-2026-003


async def _liaison(sandbox, db, tg=LIAISON, name="李娜"):
    await bind(db, name, tg)
    return sandbox.user(tg, name)


async def _to_ytd(user, project="JC-2026-001"):
    await user.ask("/report")
    await user.tap(f"{project} {project} 产业园道路" if project != "JC-2026-002" else "JC-2026-002 污水处理厂")
    assert "本年累计完成投资是多少万元" in user.last().text


async def test_full_report_with_photos_and_an_edit_before_submit(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await _to_ytd(user)
    stage_prompt = await user.ask("1,200.5")
    assert "✅ 续建" in stage_prompt.button_labels  # the current stage is preselected
    await user.tap("新开工")
    assert "形象进度" in user.last().text
    photos_prompt = await user.ask("主体结构完成 60%，<b>钢筋</b> & 模板进场")
    assert "现场照片" in photos_prompt.text
    before = user.replies_so_far()
    first = await user.send_photo()
    assert "已收到第 1 张照片" in (await user.reply(before)).text
    before = user.replies_so_far()
    await user.send_photo()
    assert "已收到第 2 张照片" in (await user.reply(before)).text
    await user.tap("完成")
    assert "下月计划" in user.last().text
    summary = await user.ask("完成二层浇筑")
    assert "请核对月报内容" in summary.text and "1,200.5 万元" in summary.text and "2 张照片" in summary.text
    await user.tap("修改本年累计完成投资")
    again = await user.ask("1300")
    assert "请核对月报内容" in again.text and "1,300 万元" in again.text
    await user.tap("✅ 提交")
    done = user.last().text
    assert "已提交 JC-2026-001" in done and "第 1 版" in done
    assert "完成 27.1%" in done and "序时进度 91.7%" in done and "落后 64.6 个百分点" in done

    project = await project_store.by_code(db.read, "JC-2026-001")
    [report] = await reports.history(db.read, project.id)
    assert (report.period, report.revision, report.ytd_completed) == ("2026-11", 1, 13_000_000)
    assert report.stage == "new_start" and project.stage == "new_start"
    assert report.progress == "主体结构完成 60%，<b>钢筋</b> & 模板进场"
    assert len(report.photos) == 2 and report.photos[0] == first
    assert report.next_plan == "完成二层浇筑"


async def _quick_report(user, ytd: str, project="JC-2026-001"):
    await _to_ytd(user, project)
    await user.ask(ytd)
    await user.tap("✅ 续建")
    await user.ask("进展正常")
    await user.tap("跳过")
    await user.ask("继续施工")
    await user.tap("✅ 提交")
    return user.last().text


async def test_a_correction_makes_revision_two_and_history_keeps_both(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    assert "第 1 版" in await _quick_report(user, "1000")
    assert "第 2 版，之前的版本已保留" in await _quick_report(user, "1100")
    history = await user.ask("/history JC-2026-001")
    assert "2026年11月第 2 版 · 累计 1,100 万元" in history.text
    assert "2026年11月第 1 版 · 累计 1,000 万元" in history.text
    project = await project_store.by_code(db.read, "JC-2026-001")
    assert [r.revision for r in await reports.for_period(db.read, project.id, "2026-11")] == [1, 2]


async def test_bad_values_are_answered_and_the_flow_stays_alive(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await _to_ytd(user)
    for typed, words in [("一千二", "不是金额"), ("-5", "不能为负数"), ("99999", "超过了项目总投资 12,000 万元"),
                         ("abc万", "不是金额")]:
        before = user.replies_so_far()
        await user.send(typed)
        answer = await user.reply(before)
        assert words in answer.text, (typed, answer.text)
        assert "本年累计完成投资是多少万元" in (await user.reply(before + 1)).text  # asked again
    assert "建设阶段" in (await user.ask("1.2亿")).text  # 1.2亿 = 12,000 万元: exactly the total


async def test_a_value_below_last_months_asks_for_confirmation(sandbox, projects, bot, db, clock):
    user = await _liaison(sandbox, db)
    clock.set(datetime(2026, 10, 20, 2, tzinfo=UTC))
    await _quick_report(user, "2000")
    clock.set(datetime(2026, 11, 20, 2, tzinfo=UTC))
    await _to_ytd(user)
    assert "同上月（2,000 万元）" in user.last().button_labels
    confirm = await user.ask("1500")
    assert "低于上月报送的本年累计 2,000 万元" in confirm.text
    await user.tap("重新输入")
    assert "本年累计完成投资是多少万元" in user.last().text
    await user.ask("1500")
    await user.tap("确认无误")
    assert "建设阶段" in user.last().text


async def test_typing_where_a_button_is_expected_gets_a_hint(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await _to_ytd(user)
    await user.ask("800")
    assert "请点击上面消息中的按钮" in (await user.ask("续建")).text
    before = user.replies_so_far()
    await user.send_raw("message", {"location": {"latitude": 35.3, "longitude": 107.3}})
    assert "暂不支持这类消息（location）" in (await user.reply(before)).text
    await user.tap("✅ 续建")  # still at the stage step
    assert "形象进度" in user.last().text


async def test_restart_mid_report_resumes_at_the_same_step(sandbox, projects, settings, db, clock):
    user = await _liaison(sandbox, db)
    process = await BotProcess(settings, clock=clock, db=db, limits=fast_limits(), poll_timeout=5,
                               schedule=False).start()
    try:
        await _to_ytd(user)
        await user.ask("900")
        await user.tap("✅ 续建")
    finally:
        await process.stop()
    process = await BotProcess(settings, clock=clock, db=db, limits=fast_limits(), poll_timeout=5,
                               schedule=False).start()
    try:
        await user.ask("进展顺利")
        await user.tap("跳过")
        summary = await user.ask("下月封顶")
        assert "900 万元" in summary.text and "续建" in summary.text and "进展顺利" in summary.text
    finally:
        await process.stop()


async def test_idle_flows_expire_with_a_note(sandbox, projects, bot, db, clock):
    user = await _liaison(sandbox, db)
    await _to_ytd(user)
    clock.advance(timedelta(hours=25))
    assert "超过 24 小时未完成，已取消" in (await user.ask("1000")).text


async def test_cancel_says_what_was_discarded(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await _to_ytd(user)
    await user.ask("1000")
    cancelled = await user.ask("/cancel")
    assert "已取消月报" in cancelled.text and "项目、月份、本年累计完成投资" in cancelled.text
    assert "当前没有进行中的填报" in (await user.ask("/cancel")).text


async def test_stale_and_forged_buttons_change_nothing(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await user.ask("/report")
    choice = user.last()
    old = choice.buttons[1]["callback_data"]  # JC-2026-002, pressed after the step moved on
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    assert choice.buttons == []  # the chosen prompt is edited to show the choice, without buttons
    assert await user.answered(await user.press_data(old, choice)) == "该按钮已失效，请使用最新的消息。"
    assert "本年累计完成投资" in user.last().text  # nothing moved

    other = await project_store.by_code(db.read, "JC-2026-003")
    await user.ask("/cancel")
    await user.ask("/report")
    prompt = user.last()
    forged = prompt.buttons[0]["callback_data"].rsplit(":", 1)[0] + f":{other.id}"
    assert await user.answered(await user.press_data(forged, prompt)) == "您不能选择这一项。"
    assert "填报哪个项目" in user.last().text  # still choosing

    assert await user.answered(await user.press_data("f:zzzzzz:0:v:1", prompt)) == "该按钮已失效，请使用最新的消息。"
    assert await user.answered(await user.press_data("\x00garbage", prompt)) == "该按钮已失效，请使用最新的消息。"


async def test_people_without_projects_are_told_so(sandbox, projects, bot, db):
    await bind(db, "无项目", 6500, role=Role.member, unit="县水利局")
    user = sandbox.user(6500, "无项目")
    assert "没有需要填报的项目" in (await user.ask("/report")).text


async def test_the_project_card(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await _quick_report(user, "2400")
    card = await user.ask("/project jc-2026-001")
    assert "本年累计完成 2,400 万元，完成 50%，序时进度 91.7%" in card.text
    assert ("红牌（按2026年11月进度）：截至2026年11月，年度投资完成 50.0%，序时进度 91.7%，"
            "落后 41.7 个百分点") in card.text
    assert "最近月报：2026年11月第 1 版" in card.text
    assert "没有找到您可以查看的项目 JC-2026-003" in (await user.ask("/project JC-2026-003")).text


async def test_an_older_summary_card_cannot_submit_after_an_edit(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await _to_ytd(user)
    await user.ask("1200")
    await user.tap("✅ 续建")
    await user.ask("主体完工")
    await user.tap("跳过")
    old_card = await user.ask("室外管网")
    assert "1,200 万元" in old_card.text
    await user.tap("修改本年累计完成投资", message=old_card)
    new_card = await user.ask("1500")
    assert "1,500 万元" in new_card.text
    assert await user.tap("✅ 提交", message=old_card) == "该按钮已失效，请使用最新的消息。"
    assert await user.tap("修改形象进度", message=old_card) == "该按钮已失效，请使用最新的消息。"
    project = await project_store.by_code(db.read, "JC-2026-001")
    assert await reports.history(db.read, project.id) == []
    await user.tap("✅ 提交", message=new_card)
    [report] = await reports.history(db.read, project.id)
    assert report.ytd_completed == 15_000_000  # what the card that was pressed showed


async def test_a_photo_sent_as_a_file_is_kept_as_a_photo(sandbox, projects, bot, db):
    user = await _liaison(sandbox, db)
    await _to_ytd(user)
    await user.ask("1200")
    await user.tap("✅ 续建")
    assert "现场照片" in (await user.ask("主体完工")).text
    reply = await user.ask_document(b"\xff\xd8\xff\xe0 jpeg", "IMG_0001.jpg")
    assert "已收到第 1 张照片" in reply.text
    assert "只有项目中心管理员" in (await user.ask_document(b"%PDF", "说明.pdf")).text  # not a picture: not kept
    await user.tap("完成")
    await user.ask("室外管网")
    await user.tap("✅ 提交")
    project = await project_store.by_code(db.read, "JC-2026-001")
    [report] = await reports.history(db.read, project.id)
    assert len(report.photos) == 1
    outside = await user.ask_document(b"\xff\xd8\xff\xe0 jpeg", "IMG_0002.jpg")
    assert "暂不支持这类消息（document）" in outside.text  # no flow asks for one now: said plainly
