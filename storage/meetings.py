"""调度会: the meetings, when their packs and minutes went out."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.models import Meeting
from storage.db import Conn, Row, parse_utc, utc_text

_SELECT = "SELECT m.*, p.name AS leader_name FROM meetings m LEFT JOIN people p ON p.id = m.leader_id"


def _meeting(r: Row) -> Meeting:
    return Meeting(id=r["id"], kind=r["kind"], leader_id=r["leader_id"], leader_name=r["leader_name"],
                   held_on=date.fromisoformat(r["held_on"]), created_by=r["created_by"],
                   pack_sent_at=parse_utc(r["pack_sent_at"]), minutes_sent_at=parse_utc(r["minutes_sent_at"]))


async def create(conn: Conn, kind: str, leader_id: int | None, held_on: date, created_by: int | None,
                 now: datetime, recurrence: str | None = None) -> int | None:
    """The new meeting's id; None when the recurrence it is made for already has one."""
    row = await conn.one(
        "INSERT INTO meetings (kind, leader_id, held_on, created_by, created_at, recurrence)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (recurrence) DO NOTHING RETURNING id",
        (kind, leader_id, held_on.isoformat(), created_by, utc_text(now), recurrence))
    return row["id"] if row else None


async def get(conn: Conn, meeting_id: int) -> Meeting | None:
    row = await conn.one(_SELECT + " WHERE m.id = ?", (meeting_id,))
    return _meeting(row) if row else None


async def held_between(conn: Conn, after: date, until: date) -> list[Meeting]:
    """Meetings held after `after`, up to and including `until`."""
    rows = await conn.all(_SELECT + " WHERE m.held_on > ? AND m.held_on <= ? ORDER BY m.held_on, m.id",
                          (after.isoformat(), until.isoformat()))
    return [_meeting(r) for r in rows]


async def next_of(conn: Conn, leader_id: int | None, from_day: date, anyone: bool = False) -> Meeting | None:
    """The leader's next meeting on or after `from_day` (leader None: the centre's; `anyone`: whoever's)."""
    row = await conn.one(_SELECT + " WHERE (? = 1 OR m.leader_id IS NOT DISTINCT FROM ?) AND m.held_on >= ?"
                         " ORDER BY m.held_on, m.id LIMIT 1", (int(anyone), leader_id, from_day.isoformat()))
    return _meeting(row) if row else None


async def previous_of(conn: Conn, meeting: Meeting) -> Meeting | None:
    """The same leader's meeting before this one."""
    row = await conn.one(_SELECT + " WHERE m.leader_id IS NOT DISTINCT FROM ?"
                         " AND (m.held_on < ? OR (m.held_on = ? AND m.id < ?))"
                         " ORDER BY m.held_on DESC, m.id DESC LIMIT 1",
                         (meeting.leader_id, meeting.held_on.isoformat(), meeting.held_on.isoformat(), meeting.id))
    return _meeting(row) if row else None


async def recent(conn: Conn, since: date) -> list[Meeting]:
    """Meetings held since `since`, newest first (whose decisions may still be recorded)."""
    rows = await conn.all(_SELECT + " WHERE m.held_on >= ? ORDER BY m.held_on DESC, m.id DESC LIMIT 24",
                          (since.isoformat(),))
    return [_meeting(r) for r in rows]


async def mark(conn: Conn, meeting_id: int, column: str, now: datetime) -> None:
    assert column in ("pack_sent_at", "minutes_sent_at")
    await conn.execute(f"UPDATE meetings SET {column} = ? WHERE id = ?", (utc_text(now), meeting_id))
