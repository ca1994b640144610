"""One-time invite codes, stored only as their hash."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from bot.domain.models import Invite, Role
from storage.db import Conn, parse_utc, utc_text


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def create(
    conn: Conn, code: str, person_id: int, role: Role, created_by: int | None,
    now: datetime, expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO invites (code_hash, person_id, role, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (code_hash(code), person_id, role.value, created_by, utc_text(now), utc_text(expires_at)),
    )


async def find(conn: Conn, code: str) -> Invite | None:
    row = await conn.one("SELECT * FROM invites WHERE code_hash = ?", (code_hash(code),))
    if row is None:
        return None
    return Invite(person_id=row["person_id"], role=row["role"],
                  expires_at=parse_utc(row["expires_at"]), used_at=parse_utc(row["used_at"]))


async def mark_used(conn: Conn, code: str, telegram_id: int, now: datetime) -> bool:
    """True if this call used the code; False if it was already used."""
    changed = await conn.rowcount(
        "UPDATE invites SET used_at = ?, used_by = ? WHERE code_hash = ? AND used_at IS NULL",
        (utc_text(now), telegram_id, code_hash(code)),
    )
    return changed == 1


async def record_wrong(conn: Conn, telegram_id: int, now: datetime, keep: timedelta) -> None:
    """One more wrong code from this account; attempts older than `keep` are forgotten."""
    await conn.execute("DELETE FROM invite_attempts WHERE telegram_id = ? AND at < ?",
                       (telegram_id, utc_text(now - keep)))
    await conn.execute("INSERT INTO invite_attempts (telegram_id, at) VALUES (?, ?)", (telegram_id, utc_text(now)))


async def wrong_since(conn: Conn, telegram_id: int, since: datetime) -> list[datetime]:
    """When this account tried wrong codes since `since`, oldest first."""
    rows = await conn.all("SELECT at FROM invite_attempts WHERE telegram_id = ? AND at >= ? ORDER BY at",
                          (telegram_id, utc_text(since)))
    return [parse_utc(r["at"]) for r in rows]
