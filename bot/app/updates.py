"""Getting updates in durably and handling each exactly once.

Poll getUpdates for the raw JSON, store the batch in the inbox as Telegram sent it, and only then
ask for the next offset (which is what acknowledges the batch to Telegram). Handle pending inbox
rows in order, each in its own transaction that also marks the row handled. A crash before the
commit leaves the row pending and it is handled after the restart; a redelivered update_id is
ignored by the inbox.

No update can stop either loop: updates are parsed only when handled, so one the library cannot
read is set aside with its reason; each handling is counted before it begins, so one that has
crashed the process `CRASHES_ALLOWED` times is set aside at the next start instead of crashing it
again. Kinds we did not ask for are passed over quietly.

Several workers may share one database (PostgreSQL, webhooks): each stores what is posted to it, and
whichever is free handles a chat's next update, one at a time per chat (Database.turn).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.app.sender import OutboxSender
from bot.domain import inputs
from bot.domain.clock import Clock
from bot.services.failures import CRASHES_ALLOWED, apologise, set_aside
from handlers.context import CURRENT_WORK, UnitOfWork
from storage import Database, inbox
from storage.inbox import InboxRow

log = logging.getLogger(__name__)

STORAGE_RETRY = 5.0
SWEEP = 3.0  # seconds between looks at the inbox when nothing here says an update came
PAGE = 100  # pending updates read at a time
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class HandlerFailed(Exception):
    pass


class UpdateRunner:
    def __init__(self, app: Application, db: Database, clock: Clock, sender: OutboxSender,
                 poll_timeout: int = 25) -> None:
        self.app = app
        self.db = db
        self.clock = clock
        self.sender = sender
        self.poll_timeout = poll_timeout
        self._pending = asyncio.Event()
        self._begun: set[int] = set()  # updates whose attempt this process has counted

    async def poll(self) -> None:
        """Fetch forever; each batch is stored before the next request acknowledges it."""
        offset = await inbox.next_offset(self.db.read)
        failures = 0
        while True:
            try:
                updates = await self.app.bot.do_api_request(
                    "getUpdates", api_kwargs={"offset": offset, "timeout": self.poll_timeout,
                                              "allowed_updates": ALLOWED_UPDATES},
                    read_timeout=self.poll_timeout + 10,
                )
                failures = 0
            except InvalidToken:
                raise
            except TelegramError as exc:  # network trouble, a time-out, a 5xx, another poller
                failures += 1
                log.warning("getUpdates failed (%s); retrying", exc)
                await asyncio.sleep(min(30, 2 ** failures) / 4)
                continue
            rows = _stored_form(updates)
            if not rows:
                continue
            try:
                async with self.db.transaction() as tx:
                    await inbox.store(tx, rows, self.clock.now())
            except self.db.unavailable as exc:  # not stored: the same offset fetches them again
                await self._storage_trouble(exc)
                continue
            offset = max(update_id for update_id, _, _ in rows) + 1
            self._pending.set()

    async def receive(self, raw: object) -> bool:
        """One update posted to the webhook: stored (and committed) before the post is answered; False if it
        is no update."""
        rows = _stored_form([raw])
        if not rows:
            return False
        async with self.db.transaction() as tx:
            await inbox.store(tx, rows, self.clock.now())
        self._pending.set()
        return True

    async def handle_forever(self) -> None:
        while True:
            self._pending.clear()
            try:
                if await self.handle_pending(PAGE) == PAGE:  # more may be waiting behind them
                    continue
            except self.db.unavailable as exc:  # rolled back whole: the update stays pending
                await self._storage_trouble(exc)
                continue
            if self._pending.is_set():  # stored while these were handled: no need to look again otherwise
                continue
            with contextlib.suppress(TimeoutError):  # another worker's updates, left by a worker that died
                await asyncio.wait_for(self._pending.wait(), SWEEP)

    async def _storage_trouble(self, exc: Exception) -> None:
        """Disk full, database locked by another program, …: nothing was half-written (each step is
        one transaction); say so plainly and try again shortly, rather than die."""
        log.error("the database refused a write (%s); nothing was lost, retrying in %s s", exc, STORAGE_RETRY)
        await asyncio.sleep(STORAGE_RETRY)

    async def handle_pending(self, limit: int = PAGE) -> int:
        """Handle what is pending, each chat's updates in order and one at a time even when other workers
        share the database: a chat another worker is at is left to it; an update is taken only when its
        chat's older ones are done. The number handled."""
        handled = 0
        for row in await inbox.pending(self.db.glance, limit):
            async with self.db.turn(row.turn) as mine:
                current = await self._take(row) if mine else None
                if current is not None:
                    await self.handle(current)
                    handled += 1
        return handled

    async def _take(self, row: InboxRow) -> InboxRow | None:
        """The row if it is its chat's next, this handling counted in its own commit (a retry after the
        database's trouble is no new attempt)."""
        if row.update_id in self._begun:
            return await inbox.next_of_chat(self.db.glance, row)
        async with self.db.one_statement() as conn:
            current = await inbox.take_next_of_chat(conn, row)
        if current is not None:
            self._begun.add(row.update_id)
        return current

    async def handle(self, row: InboxRow) -> None:
        """`row.attempts`: the handlings begun before this one."""
        if row.attempts >= CRASHES_ALLOWED:
            await self._set_aside(row, "crashed", f"handling began {row.attempts} times and never ended",
                                  _parsed(row.payload, self.app.bot))
            self._begun.discard(row.update_id)
            return
        await self._handle(row)  # the database's trouble propagates: rolled back, tried again later
        self._begun.discard(row.update_id)
        self.sender.wake()

    async def _handle(self, row: InboxRow) -> None:
        try:
            raw = _decoded(row.payload)
            if not any(kind in raw for kind in ALLOWED_UPDATES):
                await self._done(row.update_id)  # a kind we did not ask for: nothing to answer
                return
            update = Update.de_json(raw, self.app.bot)
        except Exception as exc:  # the library cannot read it (an older server, a proxy, …)
            await self._set_aside(row, "unreadable", repr(exc))
            return
        try:
            await self._process(row.update_id, update)
        except HandlerFailed as failed:
            await self._record_failure(update, row.update_id, failed.__cause__)
        except self.db.unavailable:
            raise
        except Exception as exc:  # outside the handlers' reach (marking it handled, …)
            await self._set_aside(row, "crashed", repr(exc), update)

    async def _process(self, update_id: int, update: Update) -> None:
        async with self.db.transaction() as tx:
            work = UnitOfWork(tx, update_id)
            token = CURRENT_WORK.set(work)
            try:
                await self.app.process_update(update)
            finally:
                CURRENT_WORK.reset(token)
            if isinstance(work.error, self.db.unavailable):
                raise work.error  # the database's trouble, not the update's: roll back, retry later
            if work.error is not None:
                raise HandlerFailed from work.error
            await inbox.mark_handled(tx, update_id, self.clock.now())

    async def _done(self, update_id: int) -> None:
        async with self.db.transaction() as tx:
            await inbox.mark_handled(tx, update_id, self.clock.now())

    async def _set_aside(self, row: InboxRow, reason: str, detail: str, update: Update | None = None) -> None:
        log.error("update %s set aside (%s): %s", row.update_id, reason, detail)
        async with self.db.transaction() as tx:
            await set_aside(tx, self.clock.now(), row.update_id, reason, detail, update)

    async def _record_failure(self, update: Update, update_id: int, error: BaseException | None) -> None:
        """Nothing the handler did is kept; the person is told, and the update is not retried."""
        log.error("update %s failed", update_id, exc_info=error)
        async with self.db.transaction() as tx:
            await inbox.mark_handled(tx, update_id, self.clock.now(), error=repr(error)[:500])
            await apologise(tx, self.clock.now(), update)

    async def prune(self) -> None:
        async with self.db.transaction() as tx:
            await inbox.prune(tx, self.clock.now() - timedelta(days=7))


def _stored_form(updates: object) -> list[tuple[int, str, int | None]]:
    """(update_id, JSON, chat id) of each update in a getUpdates answer; anything without an id cannot be
    acknowledged or stored, and is logged and skipped."""
    rows = []
    for raw in updates if isinstance(updates, list) else []:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if isinstance(update_id, int) and not isinstance(update_id, bool) and 0 <= update_id < 2**63:
            rows.append((update_id, json.dumps(raw, ensure_ascii=False), chat_of(raw)))
        else:
            log.error("getUpdates returned something that is not an update: %.200r", raw)
    return rows


def chat_of(raw: dict) -> int | None:
    """The chat an update is about (a button's: its message's chat), as far as its JSON says."""
    for kind in ALLOWED_UPDATES:
        part = raw.get(kind)
        if isinstance(part, dict):
            chat = part.get("chat") or (part.get("message") or {}).get("chat") or part.get("from") or {}
            chat_id = chat.get("id") if isinstance(chat, dict) else None
            if isinstance(chat_id, int) and not isinstance(chat_id, bool) and -2**63 <= chat_id < 2**63:
                return chat_id
    return None


def _decoded(payload: str) -> dict:
    """A stored update as handlers see it: without U+0000 (inputs.without_nul)."""
    return inputs.without_nul(json.loads(payload))


def _parsed(payload: str, bot) -> Update | None:
    try:
        return Update.de_json(_decoded(payload), bot)
    except Exception:
        return None
