"""Group chats the bot is bound in: their scope and what they subscribe to."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import GroupChat
from storage.db import Conn, utc_text


async def get(conn: Conn, chat_id: int) -> GroupChat | None:
    row = await conn.one("SELECT * FROM group_chats WHERE chat_id = ?", (chat_id,))
    if row is None:
        return None
    kinds = await conn.all("SELECT kind FROM group_subscriptions WHERE chat_id = ?", (chat_id,))
    return GroupChat(chat_id=row["chat_id"], title=row["title"], scope_kind=row["scope_kind"],
                     scope_value=row["scope_value"], subscriptions=frozenset(k["kind"] for k in kinds),
                     unreachable=row["unreachable"])


async def bind(conn: Conn, chat_id: int, title: str, scope_kind: str, scope_value: str | None,
               bound_by: int, kinds: list[str], now: datetime) -> None:
    await conn.execute(
        "INSERT INTO group_chats (chat_id, title, scope_kind, scope_value, bound_by, bound_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title,"
        " scope_kind = excluded.scope_kind, scope_value = excluded.scope_value,"
        " bound_by = excluded.bound_by, bound_at = excluded.bound_at, unreachable = NULL",
        (chat_id, title, scope_kind, scope_value, bound_by, utc_text(now)))
    await conn.execute("DELETE FROM group_subscriptions WHERE chat_id = ?", (chat_id,))
    await conn.executemany("INSERT INTO group_subscriptions (chat_id, kind) VALUES (?, ?)",
                           [(chat_id, kind) for kind in kinds])


async def unbind(conn: Conn, chat_id: int) -> bool:
    return await conn.rowcount("DELETE FROM group_chats WHERE chat_id = ?", (chat_id,)) == 1


async def back_in(conn: Conn, chat_id: int) -> None:
    await conn.execute("UPDATE group_chats SET unreachable = NULL WHERE chat_id = ?", (chat_id,))


async def subscribed(conn: Conn, kind: str) -> list[int]:
    rows = await conn.all(
        "SELECT g.chat_id FROM group_chats g JOIN group_subscriptions s ON s.chat_id = g.chat_id"
        " WHERE s.kind = ? AND g.unreachable IS NULL ORDER BY g.chat_id", (kind,))
    return [r["chat_id"] for r in rows]


async def last_refusal(conn: Conn, chat_id: int, telegram_id: int) -> datetime | None:
    stamp = await conn.scalar("SELECT at FROM group_refusals WHERE chat_id = ? AND telegram_id = ?",
                              (chat_id, telegram_id))
    return datetime.fromisoformat(stamp) if stamp else None


async def record_refusal(conn: Conn, chat_id: int, telegram_id: int, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO group_refusals (chat_id, telegram_id, at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id, telegram_id) DO UPDATE SET at = excluded.at",
        (chat_id, telegram_id, utc_text(now)))
