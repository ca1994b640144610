"""The durable update inbox: stored before Telegram is told we have them."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, utc_text


async def store(conn: Conn, updates: list[tuple[int, str]], now: datetime) -> None:
    """Redelivered update ids are ignored (INSERT OR IGNORE on the primary key)."""
    stamp = utc_text(now)
    await conn.executemany(
        "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
        [(uid, payload, stamp) for uid, payload in updates],
    )


async def pending(conn: Conn, limit: int = 100) -> list[tuple[int, str]]:
    rows = await conn.all(
        "SELECT update_id, payload FROM inbox WHERE handled_at IS NULL ORDER BY update_id LIMIT ?",
        (limit,),
    )
    return [(r["update_id"], r["payload"]) for r in rows]


async def mark_handled(conn: Conn, update_id: int, now: datetime, error: str | None = None) -> None:
    await conn.execute(
        "UPDATE inbox SET handled_at = ?, error = ? WHERE update_id = ?",
        (utc_text(now), error, update_id),
    )


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
