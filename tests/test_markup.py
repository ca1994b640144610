"""Markup injection: free text full of HTML, ampersands, right-to-left and zero-width characters is
shown literally wherever the bot repeats it (the sandbox parses every message as Telegram does and
refuses broken HTML), and text past the limit is refused with the limit named, losing nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import groups
from tests.helpers import ADMIN, HEAD, LIAISON, local, project_row, run_at, xlsx

NASTY = '<a href="x">&amp; & </b>\u202eمرحبا\u200b<script>'


async def test_free_text_is_shown_literally_everywhere(sandbox, bot, team, db):
    liaison, head = sandbox.user(LIAISON, "李娜"), sandbox.user(HEAD, "赵科长")
    await liaison.ask("/report")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    await liaison.ask("1,200")
    await liaison.tap("✅ 续建")
    await liaison.ask(NASTY)
    await liaison.tap("跳过")
    summary = await liaison.ask(NASTY + " 计划")
    assert summary.text.count(NASTY) == 2  # 形象进度 and 下月计划, as typed
    await liaison.tap("✅ 提交")
    card = await liaison.ask("/project JC-2026-001")
    assert NASTY in card.text  # the latest 形象进度 on the project card

    await liaison.ask("/raise")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    await liaison.tap("用地")
    await liaison.ask(NASTY + " 描述")
    await liaison.ask(NASTY + " 需求")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    await liaison.tap("✅ 提交")
    assert NASTY + " 描述" in liaison.last().text
    await sandbox.wait_for(lambda: any(NASTY + " 描述" in (m.text or "") for m in sandbox.messages(HEAD)))
    card = await head.ask("/issue Q-2026-0001")
    assert NASTY + " 描述" in card.text and NASTY + " 需求" in card.text
    refused = await db.read.all("SELECT error FROM outbox WHERE error LIKE '%parse%'")
    assert refused == []  # Telegram's parser took every message (some people never opened the chat)


async def test_a_project_named_with_markup_reaches_the_group_literally(sandbox, bot, team, db):
    admin = sandbox.user(ADMIN, "王主任")
    sheet = xlsx([project_row("JC-2026-009", name=NASTY, owner=NASTY, lead_unit="县交通局")])
    before = admin.replies_so_far()
    await admin.send_document(sheet, "项目.xlsx")
    assert "新增 1 个项目" in (await admin.reply(before)).text
    card = await admin.ask("/project JC-2026-009")
    assert NASTY in card.text
    sandbox.group(-8101, "群")
    async with db.transaction() as tx:
        await groups.bind(tx, -8101, "群", "all", None, 1, ["monthly_bulletin"], datetime.now(UTC))
    await run_at(db, "monthly-bulletin", local(2026, 12, 5, 9, 0))
    bot.sender.wake()
    await sandbox.wait_for(lambda: any(NASTY in (m.text or "") for m in sandbox.messages(-8101)), 30)


async def test_text_past_the_limit_is_refused_and_the_step_waits(sandbox, bot, team):
    liaison = sandbox.user(LIAISON, "李娜")
    await liaison.ask("/report")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    await liaison.ask("1,200")
    await liaison.tap("✅ 续建")
    refused = await liaison.ask("长" * 5000)
    assert refused.text == "内容太长（5000 字），请控制在 1000 字以内后重新发送。"
    assert "请发送现场照片" in (await liaison.ask("主体施工")).text  # the same step took the next answer
