"""Who changed a person's roles or account, and when: the record administrators can read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Conn, utc_text


@dataclass(frozen=True)
class PersonChange:
    at: datetime
    change: str          # role_added, role_removed, unlinked, deactivated
    detail: str | None   # the role, or the Telegram id unlinked
    actor: str | None    # the administrator's name; None for the command line or the settings
    source: str          # bot, cli, settings


async def record(conn: Conn, now: datetime, person_id: int, change: str, detail: str | None,
                 actor_id: int | None, source: str) -> None:
    await conn.execute(
        "INSERT INTO person_changes (at, person_id, change, detail, actor_id, source) VALUES (?, ?, ?, ?, ?, ?)",
        (utc_text(now), person_id, change, detail, actor_id, source))


async def of_person(conn: Conn, person_id: int, limit: int = 10) -> list[PersonChange]:
    rows = await conn.all(
        "SELECT c.at, c.change, c.detail, c.source, p.name AS actor FROM person_changes c"
        " LEFT JOIN people p ON p.id = c.actor_id WHERE c.person_id = ? ORDER BY c.id DESC LIMIT ?",
        (person_id, limit))
    return [PersonChange(datetime.fromisoformat(r["at"]), r["change"], r["detail"], r["actor"], r["source"])
            for r in rows]
