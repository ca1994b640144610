"""Messages waiting to be delivered, written in the transaction that caused them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from pydantic import BaseModel

from storage.db import Conn, utc_text


class OutboxRow(BaseModel):
    id: int
    chat_id: int
    claim_term: int | None = None
    method: str
    params: dict
    urgent: bool
    attempts: int
    attachment: bytes | None = None
    attachment_field: str | None = None
    attachment_name: str | None = None


def _row(r) -> OutboxRow:
    return OutboxRow(
        id=r["id"], chat_id=r["chat_id"], claim_term=r["claim_term"], method=r["method"],
        params=json.loads(r["payload"]), urgent=bool(r["urgent"]), attempts=r["attempts"], attachment=r["attachment"],
        attachment_field=r["attachment_field"], attachment_name=r["attachment_name"],
    )


async def add(
    conn: Conn, chat_id: int, method: str, params: dict, now: datetime, *,
    urgent: bool = False, deliver_after: datetime | None = None,
    attachment: tuple[str, str, bytes] | None = None,
) -> int:
    """`deliver_after` defers a message (quiet hours) without holding back the chat's others."""
    field, name, data = attachment if attachment else (None, None, None)
    return await conn.execute(
        "INSERT INTO outbox (chat_id, method, payload, urgent, created_at, deliver_after,"
        " attachment, attachment_field, attachment_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (chat_id, method, json.dumps(params, ensure_ascii=False), int(urgent), utc_text(now),
         utc_text(deliver_after) if deliver_after else None, data, field, name),
    )


MESSAGES = ("sendMessage", "sendPhoto", "sendDocument")  # the calls that put a new message in a chat
_MESSAGE = f"method IN ({', '.join(repr(m) for m in MESSAGES)})"
_PENDING = "sent_at IS NULL AND failed_at IS NULL"
_ELIGIBLE = f"{_PENDING} AND (deliver_after IS NULL OR deliver_after <= :now)"


async def due_chats(conn: Conn, now: datetime, limit: int = 500) -> list[tuple[int, bool]]:
    """Chats whose oldest eligible message may go now (a retry holds back the rest: order per chat), each with
    whether it is known to be unreachable (its messages fail without a try)."""
    rows = await conn.all(
        f"""SELECT o.chat_id, COALESCE(p.unreachable, g.unreachable) IS NOT NULL AS unreachable FROM outbox o
            LEFT JOIN people p ON o.chat_id > 0 AND p.telegram_id = o.chat_id
            LEFT JOIN group_chats g ON o.chat_id < 0 AND g.chat_id = o.chat_id
            WHERE o.id IN (SELECT MIN(id) FROM outbox WHERE {_ELIGIBLE} GROUP BY chat_id)
              AND (o.not_before IS NULL OR o.not_before <= :now)
            ORDER BY o.urgent DESC, o.id LIMIT :limit""",
        {"now": utc_text(now), "limit": limit},
    )
    return [(r["chat_id"], bool(r["unreachable"])) for r in rows]


async def begin_term(conn: Conn) -> int:
    """A new sender's term (see migration 0024): claims under any earlier term are refused from now on."""
    return await conn.scalar(
        "INSERT INTO sender_term (id, term) VALUES (1, 1)"
        " ON CONFLICT (id) DO UPDATE SET term = sender_term.term + 1 RETURNING term")


async def current_term(conn: Conn) -> int:
    return await conn.scalar("SELECT COALESCE(MAX(term), 0) FROM sender_term")


async def claim_next(conn: Conn, chat_id: int, now: datetime, term: int) -> OutboxRow | None:
    """The chat's oldest eligible message, claimed under `term` if that is still the current sender's term and
    the message may go now (a retry holds back the rest: order per chat); None otherwise."""
    row = await conn.one(
        f"""UPDATE outbox SET claim_term = :term
            WHERE id = (SELECT MIN(id) FROM outbox WHERE chat_id = :chat AND {_ELIGIBLE})
              AND (not_before IS NULL OR not_before <= :now)
              AND :term = (SELECT term FROM sender_term WHERE id = 1)
            RETURNING *""",
        {"chat": chat_id, "now": utc_text(now), "term": term},
    )
    return _row(row) if row else None


async def claim_message_after(conn: Conn, row: OutboxRow, now: datetime, term: int) -> OutboxRow | None:
    """The chat's next eligible row after `row`, claimed as `claim_next` claims, if it is a new message and may
    go now; None otherwise."""
    found = await conn.one(
        f"""UPDATE outbox SET claim_term = :term
            WHERE id = (SELECT MIN(id) FROM outbox WHERE chat_id = :chat AND id > :after AND {_ELIGIBLE})
              AND {_MESSAGE} AND (not_before IS NULL OR not_before <= :now)
              AND :term = (SELECT term FROM sender_term WHERE id = 1)
            RETURNING *""",
        {"chat": row.chat_id, "after": row.id, "now": utc_text(now), "term": term},
    )
    return _row(found) if found else None


async def next_due(conn: Conn) -> datetime | None:
    stamp = await conn.scalar(
        f"SELECT MIN(COALESCE(not_before, deliver_after)) FROM outbox WHERE {_PENDING}"
        " AND (not_before IS NOT NULL OR deliver_after IS NOT NULL)")
    return datetime.fromisoformat(stamp) if stamp else None


async def sent_per_chat(conn: Conn, since: datetime) -> dict[int, int]:
    """How many messages each chat was sent since `since`."""
    rows = await conn.all(f"SELECT chat_id, COUNT(*) AS n FROM outbox WHERE sent_at >= ? AND {_MESSAGE}"
                          " GROUP BY chat_id", (utc_text(since),))
    return {r["chat_id"]: r["n"] for r in rows}


_CLAIMED = "id = :id AND claim_term IS NOT DISTINCT FROM :term"  # its claim not taken over by a newer sender


async def mark_sent(conn: Conn, row: OutboxRow, message_id: int | None, now: datetime) -> bool:
    """Recorded only under the term that claimed it: False if a newer sender has claimed it since."""
    return bool(await conn.rowcount(
        f"UPDATE outbox SET sent_at = :now, message_id = :message, attempts = attempts + 1,"
        f" attachment = NULL WHERE {_CLAIMED}",
        {"now": utc_text(now), "message": message_id, "id": row.id, "term": row.claim_term},
    ))


async def postpone(conn: Conn, row: OutboxRow, until: datetime, error: str, count: bool) -> bool:
    """Not before `until`, kept to the second and rounded up: a retry never goes before the wait a 429 asked."""
    if until.microsecond:
        until = until.replace(microsecond=0) + timedelta(seconds=1)
    return bool(await conn.rowcount(
        f"UPDATE outbox SET not_before = :until, error = :error, attempts = attempts + :count WHERE {_CLAIMED}",
        {"until": utc_text(until), "error": error, "count": int(count), "id": row.id, "term": row.claim_term},
    ))


async def mark_failed(conn: Conn, row: OutboxRow, error: str, now: datetime) -> bool:
    return bool(await conn.rowcount(
        f"UPDATE outbox SET failed_at = :now, error = :error, attempts = attempts + 1 WHERE {_CLAIMED}",
        {"now": utc_text(now), "error": error, "id": row.id, "term": row.claim_term},
    ))


async def pending_for_chat(conn: Conn, chat_id: int) -> list[OutboxRow]:
    """Everything not yet delivered to a chat, due or deferred, in order (files left out)."""
    rows = await conn.all(
        f"SELECT id, chat_id, claim_term, method, payload, urgent, attempts, NULL AS attachment, attachment_field,"
        f" attachment_name FROM outbox WHERE chat_id = ? AND {_PENDING} ORDER BY id", (chat_id,))
    return [_row(r) for r in rows]


async def fail_pending_for_chat(conn: Conn, chat_id: int, error: str, now: datetime) -> int:
    return await conn.rowcount(
        f"UPDATE outbox SET failed_at = ?, error = ? WHERE chat_id = ? AND {_PENDING}",
        (utc_text(now), error, chat_id),
    )
