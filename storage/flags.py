"""Projects' flags as last computed, per month."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, utc_text


async def latest_colours(conn: Conn, period: str) -> dict[int, str]:
    """Each project's colour for `period`, or its latest earlier one if not computed yet."""
    rows = await conn.all(
        "SELECT project_id, colour FROM project_flags f WHERE period = (SELECT MAX(period) FROM project_flags"
        " WHERE project_id = f.project_id AND period <= ?)", (period,))
    return {r["project_id"]: r["colour"] for r in rows}


async def record(conn: Conn, project_id: int, period: str, colour: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO project_flags (project_id, period, colour, computed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (project_id, period) DO UPDATE SET colour = excluded.colour,"
        " computed_at = excluded.computed_at", (project_id, period, colour, utc_text(now)))
