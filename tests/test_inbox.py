"""The durable inbox: an update survives a kill between receipt and handling, and counts once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from storage import inbox
from storage import projects as project_store
from tests.conftest import ADMIN_ID
from tests.helpers import outbox_settled, project_row, xlsx


def _bot_process(settings) -> asyncio.subprocess.Process:
    env = dict(os.environ, LIAISONBOT_TOKEN=settings.token.get_secret_value(),
               LIAISONBOT_API_BASE_URL=settings.api_base_url, LIAISONBOT_API_FILE_URL=settings.api_file_url,
               LIAISONBOT_DB=str(settings.db), LIAISONBOT_ADMIN_IDS=str(ADMIN_ID))
    return asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env,
                                          stdout=asyncio.subprocess.DEVNULL,
                                          stderr=asyncio.subprocess.PIPE)


async def test_kill_between_receipt_and_handling_then_handled_once_after_restart(sandbox, settings, db):
    admin = sandbox.user(ADMIN_ID, "王主任")
    process = await _bot_process(settings)
    try:
        await admin.ask("/start", timeout=60)  # a cold start of a second Python on a busy machine
        sandbox.holds["getFile"] = asyncio.Event()  # the handler will stop mid-way, waiting here
        before = admin.replies_so_far()
        update_id = await admin.send_document(xlsx([project_row("JC-1"), project_row("JC-2")]), "项目.xlsx")
        await sandbox.wait_for(lambda: "getFile" in sandbox.held)
        process.kill()  # kill -9 while the update is stored but not handled
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
    assert [row.update_id for row in await inbox.pending(db.read)] == [update_id]
    assert await project_store.count(db.read) == 0
    sandbox.holds.pop("getFile").set()

    process = await _bot_process(settings)
    try:
        report = await admin.reply(before, timeout=60)
        assert "导入完成：新增 2 个项目" in report.text
        await admin.ask("/help")  # a later update is answered: the restarted bot moved on
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
    texts = [m.text for m in sandbox.messages(ADMIN_ID)]
    assert sum("导入完成" in t for t in texts) == 1
    assert await project_store.count(db.read) == 2
    assert await inbox.pending(db.read) == []


async def test_a_redelivered_update_is_ignored(sandbox, bot, admin, db):
    await admin.ask("/start")
    payload = json.loads((await db.read.one("SELECT payload FROM inbox"))[0])
    sandbox.redeliveries.append(payload)
    await admin.ask("/help")  # answered after the redelivered one was fetched
    texts = [m.text for m in sandbox.messages(ADMIN_ID)]
    assert sum("您好" in t for t in texts) == 1
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox") == 2


async def test_updates_stored_before_a_crash_are_handled_at_start(sandbox, settings, db, clock):
    from bot.app.process import BotProcess

    admin = sandbox.user(ADMIN_ID, "王主任")
    update_id = await admin.send("/start")
    stored = sandbox.world.updates.pop()  # the bot had stored it, then died before handling
    async with db.transaction() as tx:
        await inbox.store(tx, [(update_id, json.dumps(stored), None)], clock.now())
    process = await BotProcess(settings, clock=clock, db=db, poll_timeout=5, schedule=False).start()
    try:
        greeting = await admin.reply(0)
        assert "王主任，您好" in greeting.text
    finally:
        await process.stop()


async def test_a_handler_that_fails_keeps_nothing_and_apologises(sandbox, bot, admin, db, monkeypatch):
    from bot.services import registry

    await admin.ask("/start")

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(registry, "apply_sheet", broken)
    before = admin.replies_so_far()
    await admin.send_document(xlsx([project_row("JC-1")]), "p.xlsx")
    apology = await admin.reply(before)
    assert "出错了" in apology.text and "没有生效" in apology.text
    assert await project_store.count(db.read) == 0
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox WHERE error LIKE '%disk on fire%'") == 1


async def test_the_token_never_reaches_the_logs(sandbox, settings, db):
    """A run with Telegram failing in every way it can: the log says what happened, never the token."""
    from bot.sandbox.server import ApiError

    admin = sandbox.user(ADMIN_ID, "王主任")
    sandbox.faults.planned = [ApiError(502, "Bad Gateway"), "drop", ApiError(429, "Too Many Requests", 1),
                              ApiError(400, "Bad Request: can't parse entities")]
    process = await _bot_process(settings)
    try:
        await admin.send("/start")
        await admin.send("/help")
        await sandbox.wait_for(lambda: len(admin.sandbox.messages(ADMIN_ID)) >= 1 and not sandbox.faults.planned, 60)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 20)
    finally:
        if process.returncode is None:
            process.kill()
    log = (await process.stderr.read()).decode()
    token = settings.token.get_secret_value()
    assert "Bad Gateway" in log or "retry" in log.lower() or "refused" in log  # it did log the trouble
    assert token not in log and token.split(":")[1] not in log


# -- updates that cannot be handled ----------------------------------------------------------
OLD_POLL = {"id": "1", "question": "午饭？", "options": [{"text": "面", "voter_count": 0}],
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
            "allows_multiple_answers": False}  # options without persistent_id: the library refuses it


async def _unreadable(sandbox, user) -> int:
    message = user._message(user._chat(None), text=None)
    message["poll"] = OLD_POLL
    return await user._push("message", message)


async def test_an_update_the_library_cannot_read_is_set_aside_and_the_rest_answered(sandbox, settings, db, clock):
    from bot.app.process import BotProcess

    admin = sandbox.user(ADMIN_ID, "王主任")
    process = await BotProcess(settings, clock=clock, db=db, poll_timeout=5, schedule=False).start()
    try:
        await admin.ask("/start")
        before = admin.replies_so_far()
        bad = await _unreadable(sandbox, admin)
        await admin.send("/help")
        await admin.reply(before + 1)
        texts = [m.text for m in sandbox.messages(ADMIN_ID)[before:]]
        assert sum("无法处理" in t for t in texts) == 1 and f"编号 {bad}" in texts[0]
        assert any("项目联络调度机器人" in t for t in texts)  # /help, after the bad one, was answered
        second = await _unreadable(sandbox, admin)  # within the hour: recorded, not announced again
        assert "项目联络调度机器人" in (await admin.ask("/help")).text
    finally:
        await process.stop()
    rows = await db.read.all("SELECT update_id, error FROM inbox WHERE set_aside = 1 ORDER BY update_id")
    assert [r["update_id"] for r in rows] == [bad, second]
    assert all(r["error"].startswith("unreadable: TypeError") and "persistent_id" in r["error"] for r in rows)

    process = await BotProcess(settings, clock=clock, db=db, poll_timeout=5, schedule=False).start()
    try:
        assert "项目联络调度机器人" in (await admin.ask("/help")).text  # up after a restart, nothing fetched twice
    finally:
        await process.stop()
    assert sum("无法处理" in m.text for m in sandbox.messages(ADMIN_ID)) == 1
    assert await inbox.pending(db.read) == []


class Crash(BaseException):
    """What kill -9 or an out-of-memory kill does to the process, as far as the inbox can tell."""


async def test_an_update_that_crashes_the_process_three_times_is_set_aside(sandbox, settings, db, clock, monkeypatch):
    import pytest
    from telegram.ext import Application

    from bot.app.process import BotProcess

    original = Application.process_update

    async def crashing(self, update):
        if update.message and update.message.text == "/boom":
            raise Crash
        return await original(self, update)

    monkeypatch.setattr(Application, "process_update", crashing)
    admin = sandbox.user(ADMIN_ID, "王主任")
    process = await BotProcess(settings, clock=clock, db=db, poll_timeout=5, schedule=False).start()
    try:
        await admin.ask("/help")  # the administrator is known, so can be told
        await outbox_settled(db)
    finally:
        await process.stop()
    boom = await admin.send("/boom")
    await admin.send("/help")
    for attempt in range(1, 4):
        process = await BotProcess(settings, clock=clock, db=db, poll_timeout=5, schedule=False).start()
        try:
            with pytest.raises(Crash):
                await asyncio.wait_for(process.wait(), 10)
        finally:
            await process.stop()
        assert await db.read.scalar("SELECT attempts FROM inbox WHERE update_id = ?", (boom,)) == attempt
        assert admin.replies_so_far() == 1, sandbox.transcript(ADMIN_ID)  # nothing after it was answered either

    process = await BotProcess(settings, clock=clock, db=db, poll_timeout=5, schedule=False).start()
    try:
        await admin.reply(3)
    finally:
        await process.stop()
    texts = [m.text for m in sandbox.messages(ADMIN_ID)][1:]
    assert "出错了" in texts[0]  # the person who sent it is not left without an answer
    assert "3 次意外退出" in texts[1] and f"编号 {boom}" in texts[1]
    assert "项目联络调度机器人" in texts[2]
    row = await db.read.one("SELECT set_aside, error FROM inbox WHERE update_id = ?", (boom,))
    assert row["set_aside"] == 1 and row["error"].startswith("crashed")


async def test_kinds_the_bot_did_not_ask_for_are_passed_over_quietly(sandbox, bot, admin, db):
    await admin.ask("/start")
    before = admin.replies_so_far()
    channel = {"message_id": 1, "date": 1, "chat": {"id": -100123, "type": "channel", "title": "频道"}, "text": "hi"}
    ignored = sandbox.world.push_update("channel_post", channel)
    assert "项目联络调度机器人" in (await admin.ask("/help")).text
    assert admin.replies_so_far() == before + 1
    row = await db.read.one("SELECT handled_at, error, set_aside FROM inbox WHERE update_id = ?", (ignored,))
    assert row["handled_at"] is not None and row["error"] is None and row["set_aside"] == 0
