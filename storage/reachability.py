"""Who our messages cannot reach any more (blocked the bot, left the group)."""

from __future__ import annotations

from storage.db import Conn


async def mark_unreachable(conn: Conn, chat_id: int, reason: str) -> None:
    if chat_id < 0:
        await conn.execute(
            "UPDATE group_chats SET unreachable = ? WHERE chat_id = ?", (reason, chat_id)
        )
    else:
        await conn.execute(
            "UPDATE people SET unreachable = ? WHERE telegram_id = ?", (reason, chat_id)
        )
