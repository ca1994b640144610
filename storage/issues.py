"""Blocking issues: numbering, the row, the event log."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.domain.models import Issue, IssueEvent
from storage.db import Conn, Row, parse_utc, utc_text

_SELECT = """
SELECT i.*, pr.code AS project_code, pr.name AS project_name, r.name AS raiser_name,
       u.name AS unit_name, l.name AS leader_name, a.name AS assignee_name
FROM issues i
JOIN projects pr ON pr.id = i.project_id
JOIN people r ON r.id = i.raised_by
LEFT JOIN units u ON u.id = i.unit_id
LEFT JOIN people l ON l.id = i.leader_id
LEFT JOIN people a ON a.id = i.assignee_id
"""

# Columns a service may change through `update`; anything else is a programming error.
MUTABLE = {"status", "level", "major", "unit_id", "leader_id", "assignee_id", "plan", "ack_due",
           "resolve_due", "solution", "flagged", "acknowledged_at", "solved_at", "closed_at", "plan_due",
           "work_plan", "planned_at", "satisfaction", "confirmed_by"}


def _issue(r: Row) -> Issue:
    return Issue(
        id=r["id"], number=r["number"], project_id=r["project_id"], project_code=r["project_code"],
        project_name=r["project_name"], raised_by=r["raised_by"], raiser_name=r["raiser_name"],
        category=r["category"], category_item=r["category_item"], description=r["description"], need=r["need"],
        need_by=date.fromisoformat(r["need_by"]) if r["need_by"] else None,
        photos=tuple(json.loads(r["photos"])), level=r["level"], status=r["status"],
        major=bool(r["major"]), unit_id=r["unit_id"], unit_name=r["unit_name"],
        leader_id=r["leader_id"], leader_name=r["leader_name"], assignee_id=r["assignee_id"],
        assignee_name=r["assignee_name"], plan=r["plan"], ack_due=parse_utc(r["ack_due"]),
        resolve_due=parse_utc(r["resolve_due"]), solution=r["solution"], flagged=bool(r["flagged"]),
        created_at=parse_utc(r["created_at"]), solved_at=parse_utc(r["solved_at"]),
        closed_at=parse_utc(r["closed_at"]), plan_due=parse_utc(r["plan_due"]), work_plan=r["work_plan"],
        planned_at=parse_utc(r["planned_at"]), satisfaction=r["satisfaction"], confirmed_by=r["confirmed_by"],
        meeting_id=r["meeting_id"],
    )


async def next_number(conn: Conn, year: int, series: str = "Q") -> str:
    """Q-YYYY-NNNN (a problem) or Y-YYYY-NNNN (a meeting's decision): per series and year, never reused;
    the caller's write transaction makes it race-free."""
    await conn.execute(
        "INSERT INTO item_numbers (series, year, last) VALUES (?, ?, 1)"
        " ON CONFLICT (series, year) DO UPDATE SET last = item_numbers.last + 1", (series, year))
    last = await conn.scalar("SELECT last FROM item_numbers WHERE series = ? AND year = ?", (series, year))
    return f"{series}-{year}-{last:04d}"


async def create(conn: Conn, *, number: str, project_id: int, raised_by: int, category: str,
                 category_item: str | None, description: str, need: str | None, need_by: date | None,
                 photos: list[str], now: datetime, meeting_id: int | None = None) -> int:
    stamp = utc_text(now)
    return await conn.execute(
        "INSERT INTO issues (number, project_id, raised_by, category, category_item, description, need, need_by,"
        " photos, level, status, created_at, updated_at, meeting_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'open', ?, ?, ?)",
        (number, project_id, raised_by, category, category_item, description, need,
         need_by.isoformat() if need_by else None, json.dumps(photos), stamp, stamp, meeting_id),
    )


async def of_meeting(conn: Conn, meeting_id: int) -> list[Issue]:
    """A meeting's decisions, in the order recorded."""
    return [_issue(r) for r in await conn.all(_SELECT + " WHERE i.meeting_id = ? ORDER BY i.id", (meeting_id,))]


async def get(conn: Conn, issue_id: int) -> Issue | None:
    r = await conn.one(_SELECT + " WHERE i.id = ?", (issue_id,))
    return _issue(r) if r else None


async def by_number(conn: Conn, number: str) -> Issue | None:
    r = await conn.one(_SELECT + " WHERE i.number = ?", (number,))
    return _issue(r) if r else None


async def update(conn: Conn, issue_id: int, now: datetime, **changes: object) -> None:
    unknown = set(changes) - MUTABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    values = [utc_text(v) if isinstance(v, datetime) else v for v in changes.values()]
    await conn.execute(
        f"UPDATE issues SET {', '.join(f'{k} = ?' for k in changes)}, updated_at = ? WHERE id = ?",
        [*values, utc_text(now), issue_id],
    )


async def add_event(conn: Conn, issue_id: int, now: datetime, actor_id: int | None, kind: str, *,
                    from_status: str | None = None, to_status: str | None = None,
                    from_level: int | None = None, to_level: int | None = None,
                    text: str | None = None) -> None:
    await conn.execute(
        "INSERT INTO issue_events (issue_id, at, actor_id, kind, from_status, to_status, from_level,"
        " to_level, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (issue_id, utc_text(now), actor_id, kind, from_status, to_status, from_level, to_level, text),
    )


def _event(r: Row) -> IssueEvent:
    return IssueEvent(id=r["id"], issue_id=r["issue_id"], at=parse_utc(r["at"]), actor_id=r["actor_id"],
                      actor_name=r["actor_name"], kind=r["kind"], from_status=r["from_status"],
                      to_status=r["to_status"], from_level=r["from_level"], to_level=r["to_level"], text=r["text"])


_EVENTS = "SELECT e.*, p.name AS actor_name FROM issue_events e LEFT JOIN people p ON p.id = e.actor_id"


async def events(conn: Conn, issue_id: int) -> list[IssueEvent]:
    return [_event(r) for r in await conn.all(_EVENTS + " WHERE e.issue_id = ? ORDER BY e.id", (issue_id,))]


async def every(conn: Conn) -> list[Issue]:
    """The whole ledger, oldest first."""
    return [_issue(r) for r in await conn.all(_SELECT + " ORDER BY i.id")]


async def every_event(conn: Conn) -> dict[int, list[IssueEvent]]:
    """Every issue's history, by issue id."""
    grouped: dict[int, list[IssueEvent]] = {}
    for row in await conn.all(_EVENTS + " ORDER BY e.issue_id, e.id"):
        grouped.setdefault(row["issue_id"], []).append(_event(row))
    return grouped


async def of_project(conn: Conn, project_id: int, open_only: bool = True) -> list[Issue]:
    rows = await conn.all(
        _SELECT + " WHERE i.project_id = ? AND (? = 0 OR i.status != 'closed') ORDER BY i.id",
        (project_id, int(open_only)))
    return [_issue(r) for r in rows]


async def involving(conn: Conn, person_id: int, unit_id: int | None, status: str | None) -> list[Issue]:
    """Raised by, assigned to, led by the person, or in their unit or their unit's projects."""
    rows = await conn.all(
        _SELECT + """ WHERE (i.raised_by = ? OR i.assignee_id = ? OR i.leader_id = ?
                             OR i.unit_id = ?
                             OR i.project_id IN (SELECT project_id FROM project_units WHERE unit_id = ?))
                      AND (CAST(? AS TEXT) IS NULL OR i.status = ?) ORDER BY i.id DESC LIMIT 50""",
        (person_id, person_id, person_id, unit_id, unit_id, status, status))
    return [_issue(r) for r in rows]


async def all_recent(conn: Conn, status: str | None) -> list[Issue]:
    rows = await conn.all(
        _SELECT + " WHERE (CAST(? AS TEXT) IS NULL OR i.status = ?) ORDER BY i.id DESC LIMIT 50", (status, status))
    return [_issue(r) for r in rows]


async def unfinished(conn: Conn) -> list[Issue]:
    rows = await conn.all(_SELECT + " WHERE i.status != 'closed' ORDER BY i.id")
    return [_issue(r) for r in rows]


async def unfinished_of_person(conn: Conn, person_id: int) -> list[Issue]:
    """Unfinished issues the person raised, is assigned or leads."""
    rows = await conn.all(
        _SELECT + " WHERE i.status != 'closed' AND (i.raised_by = ? OR i.assignee_id = ? OR i.leader_id = ?)"
        " ORDER BY i.id", (person_id, person_id, person_id))
    return [_issue(r) for r in rows]


async def has_event(conn: Conn, issue_id: int, kind: str, text: str | None = None) -> bool:
    return await conn.scalar(
        "SELECT 1 FROM issue_events WHERE issue_id = ? AND kind = ? AND (CAST(? AS TEXT) IS NULL OR text = ?)",
        (issue_id, kind, text, text)) is not None



async def set_holders(conn: Conn, issue_id: int, person_ids: list[int]) -> None:
    """Who holds the issue at its level when the ladder names them (replacing the level below's)."""
    await conn.execute("DELETE FROM issue_holders WHERE issue_id = ?", (issue_id,))
    for person_id in dict.fromkeys(person_ids):
        await conn.execute("INSERT INTO issue_holders (issue_id, person_id) VALUES (?, ?)", (issue_id, person_id))


async def held_by(conn: Conn, person_id: int) -> set[int]:
    """The issues the person holds at the level they are at."""
    return {r["issue_id"] for r in await conn.all("SELECT issue_id FROM issue_holders WHERE person_id = ?",
                                                  (person_id,))}


async def holds(conn: Conn, issue_id: int, person_id: int) -> bool:
    return await conn.scalar("SELECT 1 FROM issue_holders WHERE issue_id = ? AND person_id = ?",
                             (issue_id, person_id)) is not None


async def extended_at_level(conn: Conn, issue_id: int, level: int) -> bool:
    return await conn.scalar(
        "SELECT 1 FROM issue_events e JOIN issues i ON i.id = e.issue_id"
        " WHERE e.issue_id = ? AND e.kind = 'extend' AND i.level = ?"
        " AND e.id > COALESCE((SELECT MAX(id) FROM issue_events WHERE issue_id = ?"
        " AND kind IN ('escalate', 'request')), 0)",
        (issue_id, level, issue_id)) is not None


async def under_leader(conn: Conn, person_id: int) -> list[Issue]:
    """Unfinished issues the person answers for: as the issue's leader or the project's."""
    rows = await conn.all(
        _SELECT + """ WHERE i.status != 'closed' AND (i.leader_id = ? OR i.project_id IN
                      (SELECT project_id FROM project_people WHERE person_id = ? AND role = 'lead_leader'))
                      ORDER BY i.level DESC, i.id""", (person_id, person_id))
    return [_issue(r) for r in rows]


async def escalated_since(conn: Conn, issue_ids: list[int], since: datetime) -> set[int]:
    if not issue_ids:
        return set()
    rows = await conn.all(
        f"SELECT DISTINCT issue_id FROM issue_events WHERE kind = 'escalate' AND at >= ?"
        f" AND issue_id IN ({', '.join('?' * len(issue_ids))})", [utc_text(since), *issue_ids])
    return {r["issue_id"] for r in rows}


async def open_or_closed_since(conn: Conn, since: datetime) -> list[Issue]:
    rows = await conn.all(_SELECT + " WHERE i.status != 'closed' OR i.closed_at >= ? OR i.created_at >= ?",
                          (utc_text(since), utc_text(since)))
    return [_issue(r) for r in rows]


async def breached_ids(conn: Conn) -> frozenset[int]:
    """Problems that ever went up a level for a missed clock (签收, 办理方案 or 办结; not 分拣 or a request)."""
    rows = await conn.all("SELECT DISTINCT issue_id FROM issue_events WHERE kind = 'escalate' AND text != 'sort'")
    return frozenset(r["issue_id"] for r in rows)


async def escalated_ids_since(conn: Conn, since: datetime) -> set[int]:
    rows = await conn.all("SELECT DISTINCT issue_id FROM issue_events WHERE kind = 'escalate' AND at >= ?",
                          (utc_text(since),))
    return {r["issue_id"] for r in rows}
