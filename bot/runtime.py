"""Getting updates in durably and handling each exactly once.

Poll with `Bot.get_updates`, store the batch in the inbox, and only then ask for the next offset
(which is what acknowledges the batch to Telegram). Handle pending inbox rows in order, each in its
own transaction that also marks the row handled. A crash before the commit leaves the row pending
and it is handled after the restart; a redelivered update_id is ignored by the inbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import timedelta

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from bot.clock import Clock
from bot.context import CURRENT_WORK, UnitOfWork
from bot.sender import OutboxSender
from bot.services.replies import apologise
from storage import Database, inbox

log = logging.getLogger(__name__)

STORAGE_RETRY = 5.0
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

    async def poll(self) -> None:
        """Fetch forever; each batch is stored before the next request acknowledges it."""
        offset = await inbox.next_offset(self.db.read)
        failures = 0
        while True:
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES,
                    read_timeout=self.poll_timeout + 10,
                )
                failures = 0
            except InvalidToken:
                raise
            except (NetworkError, TimedOut) as exc:
                failures += 1
                log.warning("getUpdates failed (%s); retrying", exc)
                await asyncio.sleep(min(30, 2 ** failures) / 4)
                continue
            if not updates:
                continue
            rows = [(u.update_id, json.dumps(u.to_dict(), ensure_ascii=False)) for u in updates]
            try:
                async with self.db.transaction() as tx:
                    await inbox.store(tx, rows, self.clock.now())
            except sqlite3.OperationalError as exc:  # not stored: the same offset fetches them again
                await self._storage_trouble(exc)
                continue
            offset = updates[-1].update_id + 1
            self._pending.set()

    async def handle_forever(self) -> None:
        while True:
            self._pending.clear()
            try:
                while await self.handle_pending():
                    pass
            except sqlite3.OperationalError as exc:  # rolled back whole: the update stays pending
                await self._storage_trouble(exc)
                continue
            await self._pending.wait()

    async def _storage_trouble(self, exc: sqlite3.OperationalError) -> None:
        """Disk full, database locked by another program, …: nothing was half-written (each step is
        one transaction); say so plainly and try again shortly, rather than die."""
        log.error("the database refused a write (%s); nothing was lost, retrying in %s s", exc, STORAGE_RETRY)
        await asyncio.sleep(STORAGE_RETRY)

    async def handle_pending(self, limit: int = 100) -> int:
        rows = await inbox.pending(self.db.read, limit)
        for update_id, payload in rows:
            await self.handle(update_id, payload)
        return len(rows)

    async def handle(self, update_id: int, payload: str) -> None:
        update = Update.de_json(json.loads(payload), self.app.bot)
        try:
            async with self.db.transaction() as tx:
                work = UnitOfWork(tx, update_id)
                token = CURRENT_WORK.set(work)
                try:
                    await self.app.process_update(update)
                finally:
                    CURRENT_WORK.reset(token)
                if isinstance(work.error, sqlite3.OperationalError):
                    raise work.error  # the database's trouble, not the update's: roll back, retry later
                if work.error is not None:
                    raise HandlerFailed from work.error
                await inbox.mark_handled(tx, update_id, self.clock.now())
        except HandlerFailed as failed:
            await self._record_failure(update, update_id, failed.__cause__)
        self.sender.wake()

    async def _record_failure(self, update: Update, update_id: int, error: BaseException | None) -> None:
        """Nothing the handler did is kept; the person is told, and the update is not retried."""
        log.error("update %s failed", update_id, exc_info=error)
        async with self.db.transaction() as tx:
            await inbox.mark_handled(tx, update_id, self.clock.now(), error=repr(error)[:500])
            await apologise(tx, self.clock.now(), update)

    async def prune(self) -> None:
        async with self.db.transaction() as tx:
            await inbox.prune(tx, self.clock.now() - timedelta(days=7))
