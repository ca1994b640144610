"""Chats our messages cannot reach any more — a person who blocked the bot, a group that removed
it — and the administrators told once, with what could not be delivered."""

from __future__ import annotations

import html
import re
from datetime import datetime

from bot.domain.models import Role
from bot.services.notify import tell
from storage import groups, outbox, people, reachability
from storage.db import Conn

LISTED = 5        # undelivered messages named in the notice; the rest are counted
LINE_CHARS = 40
_TAGS = re.compile(r"<[^>]+>")


async def lost(tx: Conn, now: datetime, chat_id: int, reason: str) -> None:
    """Record it; if it is news, fail what waits for that chat and tell the administrators."""
    name = await reachability.mark_unreachable(tx, chat_id, reason)
    if name is None:
        return  # known already, or nobody we know
    waiting = [_first_line(row.params, row.attachment_name) for row in await outbox.pending_for_chat(tx, chat_id)]
    await outbox.fail_pending_for_chat(tx, chat_id, reason, now)
    for admin in await people.with_role(tx, Role.admin):
        if admin.telegram_id != chat_id:
            await tell(tx, now, admin, "delivery.unreachable", name=name, reason=reason, group=chat_id < 0,
                       undelivered=waiting[:LISTED], count=len(waiting))


async def regained(tx: Conn, chat_id: int) -> None:
    """They opened the bot again, or added it back to the group."""
    if chat_id < 0:
        await groups.back_in(tx, chat_id)
    else:
        await reachability.mark_reachable(tx, chat_id)


def _first_line(params: dict, attachment_name: str | None) -> str:
    text = html.unescape(_TAGS.sub("", params.get("text") or params.get("caption") or attachment_name or ""))
    line = next((part.strip() for part in text.splitlines() if part.strip()), "…")
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + "…"
