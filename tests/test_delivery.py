"""The outbox sender against a sandbox that fails, limits and blocks like Telegram."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from bot.app.process import BotProcess
from bot.app.sender import Limits
from bot.domain.models import Role
from bot.sandbox.server import ApiError, RateLimits
from bot.services.delivery import send_text
from storage import outbox, people
from tests.helpers import bind, outbox_settled

NOW = datetime(2026, 11, 20, 2, tzinfo=UTC)


async def _queue(db, chats: list[int], per_chat: int) -> None:
    async with db.transaction() as tx:
        for n in range(per_chat):
            for chat in chats:
                await send_text(tx, NOW, chat, f"第 {n} 条 → {chat}")


async def _delivered(sandbox, chats, per_chat, timeout=120.0):
    await sandbox.wait_for(lambda: all(len(sandbox.messages(c)) >= per_chat for c in chats), timeout)


async def test_faults_are_retried_and_every_message_arrives_once_in_order(sandbox, settings, db):
    chats = [7001 + n for n in range(5)]
    for chat in chats:
        sandbox.user(chat, f"u{chat}")
    sandbox.faults.rate, sandbox.faults.kinds, sandbox.faults.retry_after = 0.2, ("429", "500"), (3, 3)
    await _queue(db, chats, 8)
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False).start()
    try:
        await _delivered(sandbox, chats, 8)
        await outbox_settled(db)
    finally:
        await process.stop()
    assert sum(sandbox.faults.injected.values()) > 0
    for chat in chats:
        assert [m.text for m in sandbox.messages(chat)] == [f"第 {n} 条 → {chat}" for n in range(8)]
    assert await db.read.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0


async def _after_a_429(sandbox, settings, db, refused: int) -> list[tuple[float, int | None]]:
    """Chat `refused` gets a 429 with retry_after 4 on its message; private chat 7302's message comes due 1–2 s
    after the start. Each message sent: when it reached the sandbox, in seconds from the start, and its chat."""
    sandbox.user(7302, "u7302")
    sandbox.faults.planned = [ApiError(429, "Too Many Requests: retry after 4", 4)]
    async with db.transaction() as tx:
        await send_text(tx, NOW, refused, "被限流的一条")
        await send_text(tx, NOW, 7302, "随后的一条", deliver_after=datetime.now(UTC) + timedelta(seconds=2))
    started = time.monotonic()
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False).start()
    try:
        await _delivered(sandbox, [refused, 7302], 1, timeout=30)
    finally:
        await process.stop()
    assert sandbox.faults.injected == {"429": 1}
    return [(at - started, chat) for at, method, chat in sandbox.world.api_calls if method == "sendMessage"]


async def test_a_429_in_a_private_chat_holds_every_message_for_its_wait(sandbox, settings, db):
    """Telegram's flood wait is the bot's: a message to another person, due meanwhile, waits it out too."""
    sandbox.user(7301, "u7301")
    sends = await _after_a_429(sandbox, settings, db, 7301)
    assert [chat for _, chat in sends] in ([7301, 7302], [7302, 7301])  # each once, after the wait
    assert all(after >= 4 for after, _ in sends)


async def test_a_429_in_a_group_holds_that_group_alone(sandbox, settings, db):
    """A group's limit is its own (20 a minute): a person's message due meanwhile goes at once."""
    sandbox.group(-100_731, "调度群")
    sends = await _after_a_429(sandbox, settings, db, -100_731)
    assert [chat for _, chat in sends] == [7302, -100_731]
    assert sends[0][0] < 4 <= sends[1][0]


async def test_a_lost_answer_is_counted_as_a_possible_duplicate(sandbox, settings, db):
    sandbox.user(7100, "u")
    sandbox.faults.planned = ["drop"]
    await _queue(db, [7100], 1)
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False).start()
    try:
        await _delivered(sandbox, [7100], 2, timeout=30)
        assert process.sender.uncertain == 1
    finally:
        await process.stop()
    assert [m.text for m in sandbox.messages(7100)] == ["第 0 条 → 7100"] * 2  # the unavoidable one


async def test_a_sender_deposed_mid_send_sends_nothing_more_and_its_successor_everything(sandbox, settings, db):
    """A sender whose lock went away without its knowing (its database session died, its process lives) is
    stalled in a send while a newer sender takes over and claims the same message. The stalled send
    completes, but it cannot be recorded under the old term: the old sender stops and sends nothing more.
    The newer sender (here the same process, taking over again) sends everything, the message that was in
    flight once more — the one repeat a lost lock can cost."""
    sandbox.user(7150, "u")
    await _queue(db, [7150], 3)
    sandbox.holds["sendMessage"] = asyncio.Event()
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False).start()
    try:
        await sandbox.wait_for(lambda: sandbox.held == ["sendMessage"], 10)
        async with db.transaction() as tx:  # a newer sender elsewhere: its term, its claim of the same row
            newer = await outbox.begin_term(tx)
            claimed = await outbox.claim_next(tx, 7150, NOW, newer)
        sandbox.holds.pop("sendMessage").set()
        async with asyncio.timeout(10):
            while not process.sender.deposed:
                await asyncio.sleep(0.01)
        assert [m.text for m in sandbox.messages(7150)] == ["第 0 条 → 7150"]  # nothing more from the old term
        assert process.sender.term == 0
        await _delivered(sandbox, [7150], 4)
        await outbox_settled(db)
    finally:
        await process.stop()
    assert claimed is not None and claimed.params["text"] == "第 0 条 → 7150"
    assert [m.text for m in sandbox.messages(7150)] == ["第 0 条 → 7150"] * 2 + ["第 1 条 → 7150", "第 2 条 → 7150"]
    terms = [r[0] for r in await db.read.all("SELECT claim_term FROM outbox ORDER BY id")]
    assert terms == [newer + 1] * 3  # all three recorded by the successor's term


async def test_a_tapped_questions_edit_and_the_next_question_go_together_and_the_answer_after_both(
        sandbox, db, projects, bot):
    """The person sees the next question without waiting for Telegram to confirm the edit of the last one;
    the button's spinner stops only once both are there."""
    await bind(db, "李娜", 6001)
    user = sandbox.user(6001, "李娜")
    await user.ask("/report")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    await user.ask("1,200")
    questions = len(sandbox.messages(6001))
    sandbox.holds["editMessageText"] = asyncio.Event()
    query = await user.press("新开工")
    await sandbox.wait_for(lambda: len(sandbox.messages(6001)) > questions, 10)  # the edit still held
    assert sandbox.held == ["editMessageText"]
    assert "形象进度" in user.last().text
    assert not sandbox.world.callbacks[query]["answered"]
    sandbox.holds.pop("editMessageText").set()
    await user.answered(query)
    assert "新开工" in sandbox.messages(6001)[questions - 1].text  # the stage question, shown answered
    await outbox_settled(db)


async def test_a_blocked_user_is_recorded_and_the_admins_told_once(sandbox, settings, db, projects):
    await bind(db, "王主任", 5001, role=Role.admin)
    await bind(db, "李娜", 6001)
    sandbox.user(5001, "王主任")
    liaison = sandbox.user(6001, "李娜")
    liaison.info.blocked_bot = True
    await _queue(db, [6001], 3)
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False).start()
    try:
        await sandbox.wait_for(lambda: len(sandbox.messages(5001)) == 1, 20)
        await outbox_settled(db)
        await _queue(db, [6001], 2)  # more for the same person later: no new attempt, no new notice
        process.sender.wake()
        await outbox_settled(db)
    finally:
        await process.stop()
    assert "消息无法送达 李娜" in sandbox.messages(5001)[0].text
    person = (await people.by_name(db.read, "李娜"))[0]
    assert person.unreachable and "blocked" in person.unreachable
    sends = [c for _, method, c in sandbox.world.api_calls if method == "sendMessage" and c == 6001]
    assert len(sends) == 1
    assert len(sandbox.messages(5001)) == 1


async def test_fan_out_stays_within_telegrams_limits(sandbox, settings, db):
    sandbox.limits.enforce = True
    privates = [8000 + n for n in range(300)]
    groups = [-1000 - n for n in range(50)]
    for chat in privates:
        sandbox.user(chat, f"u{chat}")
    for chat in groups:
        sandbox.group(chat, f"群{chat}")
    await _queue(db, privates + groups, 1)
    started = datetime.now(UTC)
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False).start()
    try:
        await _delivered(sandbox, privates + groups, 1, timeout=60)
    finally:
        await process.stop()
    seconds = (datetime.now(UTC) - started).total_seconds()
    assert sandbox.limits.violations == 0
    assert all(len(sandbox.messages(c)) == 1 for c in privates + groups)
    assert seconds >= 350 / 31 - 1  # it did have to pace itself


async def test_three_hundred_sends_to_one_person_draw_no_429(sandbox, settings, db):
    """Our per-chat pace sits a little under Telegram's and its token is the last wait before a
    send, so timing skew never crosses the limit, even while 200 other chats crowd the overall
    one. Both limits run 20 times faster than Telegram's, which makes skew matter more, not less."""
    speed = 20
    sandbox.limits = RateLimits(enforce=True, speed=speed)
    crowd = [8000 + n for n in range(200)]  # others waiting for the overall limit at the same time
    for chat in [8800, *crowd]:
        sandbox.user(chat, f"u{chat}")
    await _queue(db, [8800], 300)
    await _queue(db, crowd, 20)
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False, limits=Limits(speed=speed)).start()
    try:
        await _delivered(sandbox, crowd, 20, timeout=90)
        await _delivered(sandbox, [8800], 300, timeout=90)
    finally:
        await process.stop()
    assert sandbox.limits.violations == 0
    assert [m.text for m in sandbox.messages(8800)] == [f"第 {n} 条 → 8800" for n in range(300)]


async def test_ten_percent_of_calls_failing_every_way_still_delivers_everything(sandbox, settings, db, caplog):
    """5xx, 429 with retry_after 1–5 s and dropped connections on 10 % of sends: all arrive, in
    order; the only repeats are sends whose answer was dropped, each counted and logged."""
    chats = [7200 + n for n in range(20)]
    for chat in chats:
        sandbox.user(chat, f"u{chat}")
    sandbox.faults.rate, sandbox.faults.kinds, sandbox.faults.retry_after = 0.1, ("429", "500", "drop"), (1, 5)
    sandbox.faults._random.seed(10)
    await _queue(db, chats, 5)
    caplog.set_level(logging.WARNING, logger="bot.app.sender")
    process = await BotProcess(settings, db=db, poll_timeout=5, schedule=False).start()
    try:
        await _delivered(sandbox, chats, 5)
        await outbox_settled(db, timeout=60)
        uncertain = process.sender.uncertain
    finally:
        await process.stop()
    injected = sandbox.faults.injected
    assert injected.get("429") and injected.get("502") and injected.get("drop")
    repeats = 0
    for chat in chats:
        texts = [m.text for m in sandbox.messages(chat)]
        assert list(dict.fromkeys(texts)) == [f"第 {n} 条 → {chat}" for n in range(5)]  # all, in order
        repeats += len(texts) - 5
    assert repeats == uncertain == injected["drop"]
    assert sum("may arrive twice" in r.getMessage() for r in caplog.records) == uncertain
    assert await db.read.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0
