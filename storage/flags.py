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


async def record(conn: Conn, project_id: int, period: str, colour: str, before: str | None,
                 now: datetime) -> None:
    """Store the colour; when it differs from `before`, remember the change and when it happened."""
    changed = before is not None and before != colour
    await conn.execute(
        "INSERT INTO project_flags (project_id, period, colour, computed_at, previous_colour, changed_at)"
        " VALUES (:project, :period, :colour, :now, :before, :changed_at)"
        " ON CONFLICT (project_id, period) DO UPDATE SET colour = excluded.colour,"
        " computed_at = excluded.computed_at,"
        " previous_colour = CASE WHEN :changed = 1 THEN excluded.previous_colour"
        " ELSE project_flags.previous_colour END,"
        " changed_at = CASE WHEN :changed = 1 THEN excluded.changed_at ELSE project_flags.changed_at END",
        {"project": project_id, "period": period, "colour": colour, "now": utc_text(now),
         "before": before if changed else None, "changed_at": utc_text(now) if changed else None,
         "changed": int(changed)})


async def changed_since(conn: Conn, since: datetime) -> dict[int, tuple[str, str]]:
    """{project id: (from colour, to colour)} for flags that changed since `since`."""
    rows = await conn.all(
        "SELECT project_id, previous_colour, colour FROM project_flags WHERE changed_at >= ?",
        (utc_text(since),))
    return {r["project_id"]: (r["previous_colour"], r["colour"]) for r in rows}



async def histories(conn: Conn, project_id: int | None = None) -> dict[int, list[tuple[str, str]]]:
    """Every project's recorded colours (or one project's), newest month first."""
    found: dict[int, list[tuple[str, str]]] = {}
    for r in await conn.all("SELECT project_id, period, colour FROM project_flags WHERE CAST(? AS INTEGER) IS NULL"
                            " OR project_id = ?"
                            " ORDER BY project_id, period DESC", (project_id, project_id)):
        found.setdefault(r["project_id"], []).append((r["period"], r["colour"]))
    return found
