"""The outbox sender: drains the outbox under Telegram's limits, in order per chat (an edit and the new
message after it go together: they change different messages).

Limits (Telegram's, see DESIGN.md §4): about 30 messages a second in all, one a second per private
chat with short bursts, 20 a minute per group. 429 postpones the chat by `retry_after`, and in a private
chat (whose pace of one a second the sender keeps) holds every message for as long: there it is the bot's
flood wait, which more sends would only lengthen (python-telegram-bot's AIORateLimiter pauses everything on
any 429; a group's is its own 20 a minute, so it holds that group alone). 5xx and
time-outs back off exponentially with jitter; 403 and "chat not found" are permanent. The limits are the
bot's, not a process's: where several workers share a database, one of them sends (Database.sending) and
the others tell it when they queue something (Database.announce).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import warnings
from datetime import timedelta

from aiolimiter import AsyncLimiter
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.domain.clock import Clock, SystemClock
from bot.services import delivery, reach
from storage import Database, outbox
from storage.db import Conn
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)
# The outbox stores raw Bot API parameters, so the generic call is the right one here.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

# a change to a message already in the chat: the chat's next new message may go at the same time (a tapped
# button's question shown answered, and the next question), which spares the person one round trip to Telegram
_BESIDE = {"editMessageText", "editMessageReplyMarkup"}
LOOK_AGAIN = 1.0  # seconds the loop waits, while chats are being drained, before it looks for due ones anyway
TAKE_OVER = 2.0  # seconds between a waiting worker's tries to become the sender
PACE_WINDOW = 5  # seconds of a previous sender's sends a new sender counts against the pace
IN_FLIGHT = 8  # sends awaiting Telegram's answer at once: 30 a second at up to ~250 ms each
_HARMLESS = ("message is not modified",)
_STALE = ("query is too old", "message to edit not found", "message can't be edited")


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


class Limits:
    """Our pace, a little under Telegram's so that network jitter never bunches sends past it:
    29 a second in all, 0.9 a second per private chat after a burst of 3, 19 a minute per group.
    `speed` scales every rate alike (tests against the sandbox's equally sped-up limits)."""

    def __init__(self, per_second: float = 29, private_burst: int = 3, private_per_second: float = 0.9,
                 group_per_minute: int = 19, speed: float = 1.0):
        # a quarter-second bucket: the same rate, but bursts of a quarter of it, so that sends
        # bunched by a busy event loop still arrive within Telegram's per-second allowance
        self.overall = AsyncLimiter(per_second / 4, 0.25 / speed)
        self._private = (private_burst, private_burst / private_per_second / speed)
        self._group = (group_per_minute, 60 / speed)
        self._chats: dict[int, AsyncLimiter] = {}

    def chat(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(*(self._group if chat_id < 0 else self._private))
            self._chats[chat_id] = limiter
        return limiter


class OutboxSender:
    def __init__(self, db: Database, bot: Bot, max_attempts: int, clock: Clock | None = None,
                 limits: Limits | None = None) -> None:
        self.db = db
        self.dashboard: str | None = None  # where 打开驾驶舱 buttons lead (Settings.dashboard_address)
        self.dashboard_link: str | None = None  # and in groups (Settings.dashboard_link)
        self.bot = bot
        self.max_attempts = max_attempts
        self.clock = clock or SystemClock()
        self.limits = limits or Limits()
        self._wake = asyncio.Event()
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)
        self._workers: dict[int, asyncio.Task] = {}
        self._busy: set[int] = set()  # chats found due while their worker was still at them
        self.active = False  # this process is the one sending (Database.sending)
        self.term = 0  # its term as the sender (outbox.begin_term)
        self.deposed = 0  # times a newer sender's term was found in this one's way
        self._announcing: set[asyncio.Task] = set()
        self._marking: set[asyncio.Task] = set()
        self.uncertain = 0  # sends whose answer was lost: Telegram may have delivered them
        self._held_until = 0.0  # the event loop's time at which the last private chat's 429 ends

    def wake(self) -> None:
        """Something was queued: this process's sender sends it, or the sender elsewhere hears of it."""
        if self.active:
            self._wake.set()
        else:
            task = asyncio.get_running_loop().create_task(self.db.announce())
            self._announcing.add(task)
            task.add_done_callback(self._announcing.discard)

    async def run(self) -> None:
        """Send while this process is the sender; otherwise wait to take over from one that goes away."""
        while True:
            async with self.db.sending() as mine:
                if mine:
                    async with self.db.transaction() as tx:
                        self.term = await outbox.begin_term(tx)
                    await self._pace_after(timedelta(seconds=PACE_WINDOW))
                    self.active = True
                    listening = asyncio.create_task(self._listen())
                    try:
                        await self._send()
                    finally:
                        self.active = False
                        listening.cancel()
            await asyncio.sleep(TAKE_OVER)

    async def _listen(self) -> None:
        async for _ in self.db.announcements():  # another worker queued messages
            self._wake.set()

    async def _send(self) -> None:
        try:
            while self.term:  # until deposed
                self._wake.clear()
                for chat_id, unreachable in await outbox.due_chats(self.db.glance, self.clock.now()):
                    if chat_id in self._workers:
                        self._busy.add(chat_id)
                    else:
                        self._workers[chat_id] = asyncio.create_task(self._drain(chat_id, unreachable))
                if self._workers:  # woken by what is queued or postponed; after the last worker, to sleep
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), LOOK_AGAIN)
                else:
                    await self._sleep_until_due()
        finally:
            for task in self._workers.values():
                task.cancel()
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _sleep_until_due(self) -> None:
        due = await outbox.next_due(self.db.glance)
        timeout = 5.0
        if due is not None:
            timeout = min(timeout, max(0.05, (due - self.clock.now()).total_seconds()))
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass

    async def _drain(self, chat_id: int, unreachable: bool) -> None:
        try:
            async with self.db.one_statement() as conn:
                row = await self._claim(conn, chat_id)
            while row is not None:  # each record claims the chat's next message in its own transaction
                if unreachable:
                    row = await self._failed(row, "unreachable")
                elif row.method in _BESIDE and (beside := await self._claim_beside(row)) is not None:
                    await asyncio.gather(self._deliver(row, then=False), self._deliver(beside, then=False))
                    async with self.db.one_statement() as conn:
                        row = await self._claim(conn, chat_id)
                else:
                    row = await self._deliver(row)
        except Exception:
            log.exception("outbox worker for chat %s failed", chat_id)
        finally:
            self._workers.pop(chat_id, None)
            if chat_id in self._busy:  # found due again while it was being drained: the loop looks again
                self._busy.discard(chat_id)
                self._wake.set()

    async def _claim(self, tx: Conn, chat_id: int) -> OutboxRow | None:
        """The chat's next message, claimed under this sender's term; None when none may go now."""
        row = await outbox.claim_next(tx, chat_id, self.clock.now(), self.term)
        if row is None and await outbox.current_term(tx) != self.term:
            self._depose()
        return row

    async def _claim_beside(self, row: OutboxRow) -> OutboxRow | None:
        async with self.db.one_statement() as conn:
            return await outbox.claim_message_after(conn, row, self.clock.now(), self.term)

    def _depose(self) -> None:
        """A newer sender has taken over (this process lost its lock and did not know): send nothing more."""
        if self.term:
            log.warning("another worker has become the sender (term %s ended): this one stops sending", self.term)
            self.term, self.deposed = 0, self.deposed + 1
        self._wake.set()

    async def _deliver(self, row: OutboxRow, then: bool = True) -> OutboxRow | None:
        """Send one row; the chat's next, claimed, if `then` and the chat may go on now (a chat that turns out
        unreachable fails all its queue and stops here)."""
        params = delivery.resolve_dashboard(row.method, dict(row.params), self.dashboard, self.dashboard_link)
        if row.attachment is not None:
            params[row.attachment_field] = InputFile(row.attachment, filename=row.attachment_name)
        try:
            result = await self._call(row, params)
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            if row.chat_id > 0:
                self._held_until = max(self._held_until, asyncio.get_running_loop().time() + wait)
                log.warning("429 in private chat %s: every message waits %s s", row.chat_id, wait)
            return await self._postpone(row, wait, f"429 retry after {exc.retry_after}", count=False)
        except Forbidden as exc:
            return await self._unreachable(row, str(exc))
        except BadRequest as exc:
            text = str(exc).lower()
            if any(h in text for h in _HARMLESS):
                return await self._sent(row, None, then)
            if "chat not found" in text:
                return await self._unreachable(row, str(exc))
            if not any(s in text for s in _STALE):
                log.error("Telegram refused outbox row %s (%s): %s", row.id, row.method, exc)
            return await self._failed(row, str(exc), then)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, TimedOut) or "connect" in str(exc).lower() or "disconnect" in str(exc).lower():
                self.uncertain += 1
                log.warning("outbox row %s: answer lost (%s); it may arrive twice", row.id, exc)
            if row.attempts + 1 >= self.max_attempts:
                return await self._failed(row, f"gave up after {row.attempts + 1} attempts: {exc}", then)
            delay = min(2 ** row.attempts, 300) * random.uniform(0.5, 1.0)
            return await self._postpone(row, delay, str(exc), count=True)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return await self._sent(row, message_id, then)

    async def _call(self, row: OutboxRow, params: dict) -> object:
        """A place among the sends in flight first, the chat's token last: nothing delays the send after taking
        it, so a chat's sends keep the spacing it set. A button's answer does not wait out a 429 (it expires
        within seconds and is not a message)."""
        if row.method != "answerCallbackQuery":
            while (wait := self._held_until - asyncio.get_running_loop().time()) > 0:
                await asyncio.sleep(wait)
        async with self._in_flight:
            if row.method != "answerCallbackQuery":
                await self.limits.overall.acquire()
            if row.method in outbox.MESSAGES:
                await self.limits.chat(row.chat_id).acquire()
            return await self.bot.do_api_request(row.method, api_kwargs=params)

    async def _sent(self, row: OutboxRow, message_id: int | None, then: bool) -> OutboxRow | None:
        """Recorded even when the process is being stopped right now (settle() waits for it): a message
        Telegram took but the outbox still holds would go again after the restart."""
        task = asyncio.ensure_future(self._mark_sent(row, message_id, then))
        self._marking.add(task)
        task.add_done_callback(self._marking.discard)
        return await asyncio.shield(task)

    async def _mark_sent(self, row: OutboxRow, message_id: int | None, then: bool) -> OutboxRow | None:
        async with self.db.transaction() as tx:
            if not await outbox.mark_sent(tx, row, message_id, self.clock.now()):
                self._depose()  # the newer sender has claimed it too and will record its own send
                return None
            return await self._claim(tx, row.chat_id) if then else None

    async def settle(self) -> None:
        """Wait for the sends being recorded (at stop, after the loops are cancelled)."""
        await asyncio.gather(*self._marking, return_exceptions=True)

    async def _pace_after(self, since: timedelta) -> None:
        """A sender taking over counts what the one before it sent lately against each chat's and the
        overall pace (Telegram's limits are the bot's): without it, a chat the old sender had just written
        to could get a burst over the limit."""
        for chat_id, count in (await outbox.sent_per_chat(self.db.read, self.clock.now() - since)).items():
            for _ in range(count):
                limiter = self.limits.chat(chat_id)
                if limiter.has_capacity():
                    await limiter.acquire()
                if self.limits.overall.has_capacity():
                    await self.limits.overall.acquire()

    async def _failed(self, row: OutboxRow, error: str, then: bool = True) -> OutboxRow | None:
        async with self.db.transaction() as tx:
            if not await outbox.mark_failed(tx, row, error, self.clock.now()):
                self._depose()
                return None
            return await self._claim(tx, row.chat_id) if then else None

    async def _postpone(self, row: OutboxRow, seconds: float, error: str, count: bool) -> None:
        until = self.clock.now() + timedelta(seconds=seconds)
        async with self.db.transaction() as tx:
            recorded = await outbox.postpone(tx, row, until, error, count)
        if not recorded:
            self._depose()
        self._wake.set()

    async def _unreachable(self, row: OutboxRow, error: str) -> None:
        """Permanent: fail the chat's queue, record it, and tell the administrators once."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await reach.lost(tx, now, row.chat_id, error)
            await outbox.fail_pending_for_chat(tx, row.chat_id, error, now)  # a chat we did not know
        log.warning("chat %s is unreachable: %s", row.chat_id, error)


