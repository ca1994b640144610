"""Where each person is in a conversation: the flow, the step, the answers so far."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.models import Conversation
from storage.db import Conn, parse_utc, utc_text


async def get(conn: Conn, person_id: int) -> Conversation | None:
    r = await conn.one("SELECT * FROM conversations WHERE person_id = ?", (person_id,))
    if r is None:
        return None
    return Conversation(person_id=r["person_id"], flow=r["flow"], step=r["step"], nonce=r["nonce"],
                        draft=json.loads(r["draft"]), updated_at=parse_utc(r["updated_at"]))


async def save(conn: Conn, person_id: int, flow: str, step: str, nonce: str, draft: dict,
               now: datetime) -> None:
    await conn.execute(
        "INSERT INTO conversations (person_id, flow, step, nonce, draft, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET flow = excluded.flow,"
        " step = excluded.step, nonce = excluded.nonce, draft = excluded.draft,"
        " updated_at = excluded.updated_at",
        (person_id, flow, step, nonce, json.dumps(draft, ensure_ascii=False), utc_text(now)),
    )


async def clear(conn: Conn, person_id: int) -> None:
    await conn.execute("DELETE FROM conversations WHERE person_id = ?", (person_id,))
