"""SQLite, the default: one writer connection behind a lock, one reader connection.

SQLite allows one writer at a time; every write goes through `transaction()`, which holds an asyncio lock
and `BEGIN IMMEDIATE`. Reads outside a transaction use a second connection so that they only ever see
committed data (WAL gives readers a consistent snapshot).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.db import Conn, Database, Row, migration_files, parameters, utc_text


class SqliteConn(Conn):
    """The facade over an aiosqlite connection."""

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int | None:
        # one step in aiosqlite's thread (a step costs ~70 µs of CPU here, the statement itself ~1 µs):
        # the statement, then last_insert_rowid(), which is what a cursor's lastrowid says
        row = await self.raw.execute_insert(sql, parameters(params))
        return row[0] if row else None

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        await self.raw.executemany(sql, [tuple(r) for r in rows])

    async def rowcount(self, sql: str, params: Iterable[Any] = ()) -> int:
        cursor = await self.raw.execute(sql, parameters(params))
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        # One step in aiosqlite's thread: execute, fetch, close. Cursors left open while other
        # tasks query the same connection would keep a read transaction, and an old snapshot.
        return list(await self.raw.execute_fetchall(sql, parameters(params)))


async def _connect(path: Path) -> aiosqlite.Connection:
    raw = await aiosqlite.connect(path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    await raw.execute("PRAGMA journal_mode=WAL")
    await raw.execute("PRAGMA foreign_keys=ON")
    await raw.execute("PRAGMA busy_timeout=10000")
    await raw.execute("PRAGMA synchronous=NORMAL")
    return raw


class SqliteDatabase(Database):
    unavailable = (sqlite3.OperationalError,)

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = SqliteConn(writer)
        self._reader = SqliteConn(reader)
        self._lock = asyncio.Lock()
        self._turns: set[int] = set()  # the chats a task of this process is handling

    @classmethod
    async def open(cls, path: Path | str, migrate: bool = True) -> SqliteDatabase:
        path = Path(path)
        writer = await _connect(path)
        db = cls(path, writer, await _connect(path))
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        await self._reader.raw.close()
        await self._writer.raw.close()

    @property
    def read(self) -> Conn:
        """Committed data only; never use it to decide a write (use a transaction)."""
        return self._reader

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """All or nothing, even when the task is cancelled half-way: aiosqlite still runs a
        statement whose await was cancelled, so every way out queues a ROLLBACK behind it."""
        async with self._lock:
            try:
                await self._writer.raw.execute("BEGIN IMMEDIATE")
                yield self._writer
                await self._writer.raw.execute("COMMIT")
            except BaseException:
                await asyncio.shield(self._rollback())
                raise

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[Conn]:
        async with self._lock:  # not inside another task's transaction on the same connection
            yield self._writer

    @asynccontextmanager
    async def sending(self) -> AsyncIterator[bool]:
        yield True  # one process per SQLite file

    async def announce(self) -> None:
        return None  # the sender is this process's own, woken directly

    async def announcements(self) -> AsyncIterator[None]:
        await asyncio.Event().wait()  # no other process writes here
        yield

    @asynccontextmanager
    async def turn(self, key: int) -> AsyncIterator[bool]:
        """One process per SQLite file: only this process's own tasks can be at the same chat."""
        if key in self._turns:
            yield False
            return
        self._turns.add(key)
        try:
            yield True
        finally:
            self._turns.discard(key)

    async def _rollback(self) -> None:
        try:
            await self._writer.raw.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass  # nothing had begun, or the COMMIT went through before the cancellation

    async def schema_version(self) -> int:
        await self._writer.raw.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        return await self._writer.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version")

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded, each atomically; returns their names."""
        applied = []
        async with self._lock:
            current = await self.schema_version()
            for version, name, sql in migration_files():
                if version <= current:
                    continue
                stamp = utc_text(datetime.now(UTC))
                # foreign keys off while a migration rebuilds a table (SQLite's documented way: a
                # dropped parent would otherwise cascade to its children); back on after
                await self._writer.raw.execute("PRAGMA foreign_keys=OFF")
                try:
                    await self._writer.raw.executescript(
                        f"BEGIN IMMEDIATE;\n{sql}\n"
                        f"INSERT INTO schema_version VALUES ({version}, '{name}', '{stamp}');\n"
                        "COMMIT;"
                    )
                except sqlite3.Error:
                    if self._writer.raw.in_transaction:
                        await self._writer.raw.execute("ROLLBACK")
                    raise
                finally:
                    await self._writer.raw.execute("PRAGMA foreign_keys=ON")
                applied.append(name)
        return applied

    async def backup(self, target: Path) -> None:
        """SQLite's online backup: consistent even while the bot writes."""
        dest = await aiosqlite.connect(target)
        try:
            await self._reader.raw.backup(dest)
        finally:
            await dest.close()
