"""The durable update inbox: stored (as Telegram sent it) before Telegram is told we have them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Conn, Row, utc_text


@dataclass(frozen=True)
class InboxRow:
    update_id: int
    payload: str    # the update's JSON exactly as received
    attempts: int   # how often handling began before this one
    chat_id: int | None = None  # the chat it is about (None: none, or stored before the column)

    @property
    def turn(self) -> int:
        """Whose turn it waits for: its chat's (one update of a chat at a time), or its own."""
        return self.chat_id if self.chat_id is not None else -(2**62) - self.update_id


async def store(conn: Conn, updates: list[tuple[int, str, int | None]], now: datetime) -> None:
    """(update_id, JSON, chat id) each; redelivered update ids are ignored (ON CONFLICT DO NOTHING)."""
    stamp = utc_text(now)
    await conn.executemany(
        "INSERT INTO inbox (update_id, payload, chat_id, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(uid, payload, chat_id, stamp) for uid, payload, chat_id in updates],
    )


def _row(r: Row) -> InboxRow:
    return InboxRow(r["update_id"], r["payload"], r["attempts"], r["chat_id"])


async def pending(conn: Conn, limit: int = 100) -> list[InboxRow]:
    rows = await conn.all(
        "SELECT update_id, payload, attempts, chat_id FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
        " LIMIT ?", (limit,))
    return [_row(r) for r in rows]


_NEXT_OF_CHAT = ("update_id = ? AND handled_at IS NULL AND NOT EXISTS (SELECT 1 FROM inbox o WHERE"
                 " o.chat_id = inbox.chat_id AND o.handled_at IS NULL AND o.update_id < inbox.update_id)")


async def next_of_chat(conn: Conn, row: InboxRow) -> InboxRow | None:
    """The row as it stands now, if it is still pending and no older update of its chat is."""
    found = await conn.one(f"SELECT update_id, payload, attempts, chat_id FROM inbox WHERE {_NEXT_OF_CHAT}",
                           (row.update_id,))
    return _row(found) if found else None


async def take_next_of_chat(conn: Conn, row: InboxRow) -> InboxRow | None:
    """next_of_chat, with a handling of it counted by the same statement, to be committed before the handling
    (a crash mid-way leaves the count behind); its `attempts` are those begun before this one."""
    found = await conn.one(f"UPDATE inbox SET attempts = attempts + 1 WHERE {_NEXT_OF_CHAT}"
                           " RETURNING update_id, payload, attempts - 1 AS attempts, chat_id", (row.update_id,))
    return _row(found) if found else None


async def mark_handled(conn: Conn, update_id: int, now: datetime, error: str | None = None) -> None:
    await conn.execute(
        "UPDATE inbox SET handled_at = ?, error = ? WHERE update_id = ?",
        (utc_text(now), error, update_id),
    )


async def set_aside(conn: Conn, update_id: int, now: datetime, reason: str) -> None:
    await conn.execute(
        "UPDATE inbox SET handled_at = ?, error = ?, set_aside = 1 WHERE update_id = ?",
        (utc_text(now), reason, update_id),
    )


async def last_told(conn: Conn) -> datetime | None:
    stamp = await conn.scalar("SELECT MAX(told_at) FROM inbox WHERE set_aside = 1")
    return datetime.fromisoformat(stamp) if stamp else None


async def mark_told(conn: Conn, now: datetime) -> list[int]:
    """Every set-aside update the administrators have not heard of, now marked told."""
    rows = await conn.all("SELECT update_id FROM inbox WHERE set_aside = 1 AND told_at IS NULL ORDER BY update_id")
    await conn.execute("UPDATE inbox SET told_at = ? WHERE set_aside = 1 AND told_at IS NULL", (utc_text(now),))
    return [r["update_id"] for r in rows]


async def next_offset(conn: Conn) -> int | None:
    last = await conn.scalar("SELECT MAX(update_id) FROM inbox")
    return None if last is None else last + 1


async def prune(conn: Conn, before: datetime) -> int:
    """Forget handled updates older than `before`, keeping the newest row for the offset."""
    return await conn.rowcount(
        "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?"
        " AND update_id < (SELECT MAX(update_id) FROM inbox)",
        (utc_text(before),),
    )
