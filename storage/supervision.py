"""挂牌督办 of projects (when, by whom, why, and when lifted) and the 约谈 held over them."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.models import Supervision, Talk
from storage.db import Conn, Row, parse_utc, utc_text

_SELECT = """
SELECT s.*, a.name AS started_by_name, l.name AS lifted_by_name
FROM project_supervision s
LEFT JOIN people a ON a.id = s.started_by
LEFT JOIN people l ON l.id = s.lifted_by
"""


def _supervision(r: Row) -> Supervision:
    return Supervision(id=r["id"], project_id=r["project_id"], started_at=parse_utc(r["started_at"]),
                       started_by=r["started_by_name"], reason=r["reason"], lifted_at=parse_utc(r["lifted_at"]),
                       lifted_by=r["lifted_by_name"], lift_reason=r["lift_reason"])


async def start(conn: Conn, project_id: int, now: datetime, actor_id: int | None, reason: str) -> None:
    await conn.execute("INSERT INTO project_supervision (project_id, started_at, started_by, reason)"
                       " VALUES (?, ?, ?, ?)", (project_id, utc_text(now), actor_id, reason))


async def lift(conn: Conn, project_id: int, now: datetime, actor_id: int | None, reason: str) -> None:
    await conn.execute("UPDATE project_supervision SET lifted_at = ?, lifted_by = ?, lift_reason = ?"
                       " WHERE project_id = ? AND lifted_at IS NULL", (utc_text(now), actor_id, reason, project_id))


async def current(conn: Conn, project_id: int) -> Supervision | None:
    row = await conn.one(_SELECT + " WHERE s.project_id = ? AND s.lifted_at IS NULL", (project_id,))
    return _supervision(row) if row else None


async def all_current(conn: Conn) -> dict[int, Supervision]:
    """Every supervision still on, by project id."""
    return {r["project_id"]: _supervision(r) for r in await conn.all(_SELECT + " WHERE s.lifted_at IS NULL")}


async def ever_lifted_since(conn: Conn, project_id: int, since: datetime) -> bool:
    """Whether a supervision of the project was lifted at or after `since` (the watch then waits)."""
    return await conn.scalar("SELECT 1 FROM project_supervision WHERE project_id = ? AND lifted_at >= ?",
                             (project_id, utc_text(since))) is not None


async def add_talk(conn: Conn, project_id: int, held_on: date, talked_to: str, outcome: str, actor_id: int,
                   now: datetime) -> None:
    await conn.execute("INSERT INTO project_talks (project_id, held_on, talked_to, outcome, recorded_by, recorded_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)", (project_id, held_on.isoformat(), talked_to, outcome, actor_id,
                                                      utc_text(now)))


async def talks(conn: Conn, project_id: int, limit: int) -> list[Talk]:
    """The project's newest 约谈 first."""
    rows = await conn.all("SELECT t.*, p.name AS recorded_by_name FROM project_talks t"
                          " LEFT JOIN people p ON p.id = t.recorded_by WHERE t.project_id = ?"
                          " ORDER BY t.id DESC LIMIT ?", (project_id, limit))
    return [Talk(held_on=date.fromisoformat(r["held_on"]), talked_to=r["talked_to"], outcome=r["outcome"],
                 recorded_by=r["recorded_by_name"]) for r in rows]
