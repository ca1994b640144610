"""SQLite, the default: one writer connection behind a lock, one reader, one that glances, one that checkpoints.

SQLite allows one writer at a time; every write goes through `transaction()`, which holds an asyncio lock
and `BEGIN IMMEDIATE`. Reads outside a transaction use a second connection so that they only ever see
committed data (WAL gives readers a consistent snapshot).

Where the work runs. Reads go to aiosqlite's thread: one may be long (a bulletin's figures over 10,000
projects); only the small indexed reads the update runner and the sender make at every update (`glance`:
what is pending, which chats are due) run on the loop's thread, on a read-only connection of their own. A
transaction runs where it is awaited, on the event loop's thread: each of its statements
takes microseconds, where a step to a thread and back costs some 30–70 µs of CPU (bench/NOTES.md), and
nothing in it waits — for the lock of another program on the file, BEGIN IMMEDIATE is tried without
waiting and tried again after an asyncio sleep (`LOCK_WAIT` in all); once it holds the write lock, WAL
gives a statement nothing else to wait for; COMMIT does not wait for the disk (synchronous=NORMAL), and
the checkpoint that copies the WAL into the file, which does, runs every `CHECKPOINT_EVERY` commits on a
connection of its own, in its thread, in the background: neither the writes nor the reads wait for it (a
PASSIVE checkpoint copies what no reader still needs and takes no lock a writer wants). What a transaction
holds the loop for is its own SQL, a millisecond for an update; an import's batches are the longest, some
tens of milliseconds each.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.db import Conn, Database, Row, migration_files, parameters, utc_text

log = logging.getLogger(__name__)

LOCK_WAIT = 10.0  # seconds a write waits for another program to let go of the file before giving up
CHECKPOINT_EVERY = 200  # commits between two checkpoints of the WAL
_RETRY_AFTER = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)  # seconds between tries for the lock, then the last


class SqliteConn(Conn):
    """Through aiosqlite, each call one step in its thread: the reader; the writer's migrations."""

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int | None:
        row = await self.raw.execute_insert(sql, parameters(params))  # the statement and last_insert_rowid()
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


class InlineConn(Conn):
    """A transaction's statements, run on the caller's thread (see the module's docstring)."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int | None:
        return self.raw.execute(sql, parameters(params)).lastrowid

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self.raw.executemany(sql, (tuple(r) for r in rows))

    async def rowcount(self, sql: str, params: Iterable[Any] = ()) -> int:
        return self.raw.execute(sql, parameters(params)).rowcount

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return self.raw.execute(sql, parameters(params)).fetchall()


async def _connect(path: Path) -> tuple[aiosqlite.Connection, sqlite3.Connection]:
    """An aiosqlite connection and the sqlite3 connection it runs in its thread, which the writer also uses
    from the loop's thread (check_same_thread off: the lock and the awaits keep the two from overlapping)."""
    opened: list[sqlite3.Connection] = []

    def connector() -> sqlite3.Connection:
        opened.append(sqlite3.connect(path, isolation_level=None, check_same_thread=False))
        return opened[0]

    raw = await aiosqlite.Connection(connector, iter_chunk_size=64)
    raw.row_factory = sqlite3.Row
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={int(LOCK_WAIT * 1000)}",
                   "synchronous=NORMAL"):
        await raw.execute_fetchall(f"PRAGMA {pragma}")  # read to the end: an open cursor would stop a COMMIT
    return raw, opened[0]


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


class SqliteDatabase(Database):
    unavailable = (sqlite3.OperationalError,)

    def __init__(self, path: Path, writer: tuple[aiosqlite.Connection, sqlite3.Connection],
                 reader: tuple[aiosqlite.Connection, sqlite3.Connection],
                 checkpointer: tuple[aiosqlite.Connection, sqlite3.Connection]):
        self.path = path
        self._writer = SqliteConn(writer[0])  # the thread's way to the writer: migrations
        self._inline = InlineConn(writer[1])
        self._reader = SqliteConn(reader[0])
        self._checkpointer = SqliteConn(checkpointer[0])
        self._glance = InlineConn(sqlite3.connect(path, isolation_level=None, check_same_thread=False))
        self._glance.raw.row_factory = sqlite3.Row
        # a WAL reader waits only in rare moments (another connection recovering the file after a crash)
        self._glance.raw.execute("PRAGMA busy_timeout=100")
        self._glance.raw.execute("PRAGMA query_only=1")
        self._files = (writer[1], reader[1], checkpointer[1], self._glance.raw)  # the sqlite3 connections
        self._lock = asyncio.Lock()
        self._commits = 0
        self._checkpoint: asyncio.Task | None = None
        self._turns: set[int] = set()  # the chats a task of this process is handling

    @classmethod
    async def open(cls, path: Path | str, migrate: bool = True) -> SqliteDatabase:
        path = Path(path)
        writer = await _connect(path)
        await writer[0].execute_fetchall("PRAGMA wal_autocheckpoint=0")  # checkpoints run in the thread
        await writer[0].execute_fetchall("PRAGMA busy_timeout=0")  # waiting for the lock is _begin's
        db = cls(path, writer, await _connect(path), await _connect(path))
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        if self._checkpoint is not None:
            await self._checkpoint
        await self._checkpointer.raw.close()
        self._glance.raw.close()
        await self._reader.raw.close()
        await self._writer.raw.close()  # the last connection to close checkpoints the WAL

    def trace(self, statement: Callable[[str], object]) -> None:
        """Hand every statement any of the connections runs (BEGIN and COMMIT among them) to `statement`: how
        `python -m bench` counts the statements of an update."""
        for connection in self._files:
            connection.set_trace_callback(statement)

    @property
    def read(self) -> Conn:
        """Committed data only; never use it to decide a write (use a transaction)."""
        return self._reader

    @property
    def glance(self) -> Conn:
        return self._glance

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """All or nothing, even when the task is cancelled half-way (the ROLLBACK cannot be interrupted)."""
        async with self._lock:
            await self._begin()
            try:
                yield self._inline
                self._inline.raw.execute("COMMIT")
            except BaseException:
                if self._inline.raw.in_transaction:
                    self._inline.raw.execute("ROLLBACK")
                raise
            self._commits += 1
            if self._commits % CHECKPOINT_EVERY == 0 and (self._checkpoint is None or self._checkpoint.done()):
                self._checkpoint = asyncio.create_task(self._copy_wal())

    async def _copy_wal(self) -> None:
        try:
            await self._checkpointer.all("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # the commits stand; the WAL is copied at a later checkpoint
            log.warning("checkpoint of the WAL failed (%s); the next one will copy it", exc)

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE without blocking the loop: tried at once (the writer's busy timeout is 0 outside
        migrations), again after a sleep while another program holds the lock, for `LOCK_WAIT` seconds in all."""
        waited, pauses = 0.0, iter(_RETRY_AFTER)
        while True:
            try:
                self._inline.raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or waited >= LOCK_WAIT:
                    raise
            pause = next(pauses, _RETRY_AFTER[-1])
            await asyncio.sleep(pause)
            waited += pause

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[Conn]:
        async with self.transaction() as tx:  # on the loop's thread, BEGIN and COMMIT cost what the statement does
            yield tx

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

    async def schema_version(self) -> int:
        await self._writer.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        return await self._writer.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version")

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded, each atomically; returns their names."""
        async with self._lock:
            await self._writer.all(f"PRAGMA busy_timeout={int(LOCK_WAIT * 1000)}")  # waited in the thread
            try:
                applied = await self._migrations()
            finally:
                await self._writer.all("PRAGMA busy_timeout=0")
        return applied

    async def _migrations(self) -> list[str]:
        applied = []
        current = await self.schema_version()
        for version, name, sql in migration_files():
            if version <= current:
                continue
            stamp = utc_text(datetime.now(UTC))
            # foreign keys off while a migration rebuilds a table (SQLite's documented way: a
            # dropped parent would otherwise cascade to its children); back on after
            await self._writer.execute("PRAGMA foreign_keys=OFF")
            try:
                await self._writer.raw.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\n"
                    f"INSERT INTO schema_version VALUES ({version}, '{name}', '{stamp}');\n"
                    "COMMIT;"
                )
            except sqlite3.Error:
                if self._writer.raw.in_transaction:
                    await self._writer.execute("ROLLBACK")
                raise
            finally:
                await self._writer.execute("PRAGMA foreign_keys=ON")
            applied.append(name)
        return applied

    async def backup(self, target: Path) -> None:
        """SQLite's online backup: consistent even while the bot writes."""
        dest = await aiosqlite.connect(target)
        try:
            await self._reader.raw.backup(dest)
        finally:
            await dest.close()
