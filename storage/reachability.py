"""Who our messages cannot reach any more (blocked the bot, left the group)."""

from __future__ import annotations

from storage.db import Conn


async def mark_unreachable(conn: Conn, chat_id: int, reason: str) -> str | None:
    """Record it; the person's or group's name if this is news (it was reachable until now)."""
    table, key, name = ("group_chats", "chat_id", "title") if chat_id < 0 else ("people", "telegram_id", "name")
    found = await conn.scalar(
        f"SELECT {name} FROM {table} WHERE {key} = ? AND unreachable IS NULL", (chat_id,))
    await conn.execute(f"UPDATE {table} SET unreachable = ? WHERE {key} = ?", (reason, chat_id))
    return found


async def mark_reachable(conn: Conn, telegram_id: int) -> None:
    """They wrote to us, so we can write to them again."""
    await conn.execute("UPDATE people SET unreachable = NULL WHERE telegram_id = ? AND unreachable IS NOT NULL",
                       (telegram_id,))
