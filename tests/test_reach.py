"""A person who blocks the bot, a group that removes it: the administrators hear of it once, with
what could not be delivered, and nothing more is tried until they are back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.delivery import send_text
from storage import groups, people
from tests.helpers import ADMIN, LIAISON, bind_group

GROUP = -1002


async def test_a_person_who_blocks_the_bot_is_reported_once_with_what_waited(sandbox, db, team, bot, clock):
    admin = sandbox.user(ADMIN, "王主任")
    liaison = sandbox.user(LIAISON, "李娜")
    await admin.ask("/help")
    later = datetime.now(UTC) + timedelta(hours=2)  # the sender keeps real time, whatever the bot's clock
    async with db.transaction() as tx:  # reminders waiting out quiet hours
        await send_text(tx, clock.now(), LIAISON, "<b>月报提醒</b>：JC-2026-001 尚未填报", deliver_after=later)
        await send_text(tx, clock.now(), LIAISON, "周报提醒：本周进展", deliver_after=later)
    before = admin.replies_so_far()
    await liaison.block_bot()
    notice = await admin.reply(before)
    assert "消息无法送达 李娜（blocked the bot）" in notice.text
    assert "未能送达 2 条：\n· 月报提醒：JC-2026-001 尚未填报\n· 周报提醒：本周进展" in notice.text
    assert (await people.by_name(db.read, "李娜"))[0].unreachable == "blocked the bot"
    async with db.transaction() as tx:
        await send_text(tx, clock.now(), LIAISON, "又一条")
    await liaison.block_bot()  # Telegram may say it twice
    await admin.ask("/help")
    assert sum("无法送达" in m.text for m in sandbox.messages(ADMIN)) == 1
    assert sandbox.messages(LIAISON) == []
    await liaison.block_bot(False)
    await admin.ask("/help")
    assert (await people.by_name(db.read, "李娜"))[0].unreachable is None


async def test_a_group_that_removes_the_bot_is_reported_once(sandbox, db, team, bot):
    admin = sandbox.user(ADMIN, "王主任")
    sandbox.group(GROUP, "交通局项目群")
    await bind_group(admin, GROUP)
    before = admin.replies_so_far()
    await sandbox.bot_membership(admin, GROUP, "kicked")
    notice = await admin.reply(before)
    assert "消息无法送达群“交通局项目群”（bot removed from the group）" in notice.text
    await sandbox.bot_membership(admin, GROUP, "left")
    await admin.ask("/help")
    assert sum("无法送达" in m.text for m in sandbox.messages(ADMIN)) == 1
    await sandbox.bot_membership(admin, GROUP, "member")
    await admin.ask("/help")
    assert (await groups.get(db.read, GROUP)).unreachable is None
