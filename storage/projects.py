"""Projects, the units and people attached to them, and their milestones."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.domain.models import Level, Milestone, Project, Stage, Tier
from storage.db import Conn, Row, stored, utc_text


def _select(conn: Conn) -> str:
    return f"""
SELECT pr.*,
  (SELECT u.name FROM project_units pu JOIN units u ON u.id = pu.unit_id
    WHERE pu.project_id = pr.id AND pu.role = 'lead') AS lead_unit,
  (SELECT {conn.group_concat("u.name", "、")} FROM project_units pu JOIN units u ON u.id = pu.unit_id
    WHERE pu.project_id = pr.id AND pu.role = 'responsible') AS responsible_units,
  (SELECT pe.name FROM project_people pp JOIN people pe ON pe.id = pp.person_id
    WHERE pp.project_id = pr.id AND pp.role = 'lead_leader') AS lead_leader,
  (SELECT pe.name FROM project_people pp JOIN people pe ON pe.id = pp.person_id
    WHERE pp.project_id = pr.id AND pp.role = 'liaison') AS liaison,
  (SELECT pp.person_id FROM project_people pp
    WHERE pp.project_id = pr.id AND pp.role = 'liaison') AS liaison_id,
  (SELECT {conn.json_object_agg("pl.year", "pl.annual_plan")} FROM project_plans pl
    WHERE pl.project_id = pr.id) AS plans,
  (SELECT {conn.json_object_agg("mp.period", "mp.amount")} FROM project_month_plans mp
    WHERE mp.project_id = pr.id) AS month_plans,
  (SELECT {conn.json_agg("pg.programme")} FROM project_programmes pg WHERE pg.project_id = pr.id) AS programmes,
  (SELECT {conn.json_agg(conn.json_array("f.year", "f.source", "f.amount"))} FROM project_funds f
    WHERE f.project_id = pr.id) AS funds,
  (SELECT {conn.json_agg(conn.json_array("pp.person_id", "pe.name"))} FROM project_people pp
    JOIN people pe ON pe.id = pp.person_id WHERE pp.project_id = pr.id AND pp.role = 'co_reporter') AS co_reporters
FROM projects pr
"""


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _json(text: str | None, empty: list | dict) -> list | dict:
    """An aggregated column: most projects have none of it, and json.loads is most of reading 10,000."""
    return json.loads(text) if text and text not in ("[]", "{}") else empty


def _project(row: Row) -> Project:
    row = dict(zip(row.keys(), row, strict=True))  # by name from a dict: sqlite3.Row looks a name up column by column
    co_reporters = sorted(_json(row["co_reporters"], []))
    funds: dict[int, dict[str, int]] = {}
    for year, source, amount in _json(row["funds"], []):
        funds.setdefault(year, {})[source] = amount
    return stored(
        Project, id=row["id"], code=row["code"], name=row["name"], tier=Tier(row["tier"]), level=Level(row["level"]),
        stage=Stage(row["stage"]), industry=row["industry"], location=row["location"],
        longitude=row["longitude"], latitude=row["latitude"],
        owner=row["owner"], total_investment=row["total_investment"],
        annual_plan=row["annual_plan"], planned_start=_date(row["planned_start"]),
        planned_end=_date(row["planned_end"]), lead_unit=row["lead_unit"],
        responsible_units=tuple((row["responsible_units"] or "").split("、")) if row["responsible_units"] else (),
        lead_leader=row["lead_leader"], liaison=row["liaison"], liaison_id=row["liaison_id"],
        active=bool(row["active"]), plans={int(y): v for y, v in _json(row["plans"], {}).items()},
        month_plans=_json(row["month_plans"], {}), programmes=tuple(sorted(_json(row["programmes"], []))),
        co_reporters=tuple(name for _, name in co_reporters), co_reporter_ids=tuple(i for i, _ in co_reporters),
        fund_plans=funds,
    )


async def by_code(conn: Conn, code: str) -> Project | None:
    row = await conn.one(_select(conn) + " WHERE pr.code = ?", (code,))
    return _project(row) if row else None


async def all_active(conn: Conn) -> list[Project]:
    return [_project(r) for r in await conn.all(_select(conn) + " WHERE pr.active = 1 ORDER BY pr.code")]


async def of_person(conn: Conn, person_id: int) -> list[Project]:
    """Projects where the person is liaison or lead leader, or where their unit leads or helps."""
    rows = await conn.all(
        _select(conn) + """
        WHERE pr.active = 1 AND (
          pr.id IN (SELECT project_id FROM project_people WHERE person_id = ?)
          OR pr.id IN (SELECT pu.project_id FROM project_units pu
                       JOIN people pe ON pe.unit_id = pu.unit_id WHERE pe.id = ?))
        ORDER BY pr.code""",
        (person_id, person_id),
    )
    return [_project(r) for r in rows]


async def count(conn: Conn) -> int:
    return await conn.scalar("SELECT COUNT(*) FROM projects")


async def every_by_code(conn: Conn) -> dict[str, Project]:
    """Every project, active or not, by code (an import compares against these)."""
    return {r["code"]: _project(r) for r in await conn.all(_select(conn))}


async def upsert_many(conn: Conn, rows: list[dict], now: datetime) -> dict[str, int]:
    """Insert or update by code; each row holds the columns of `projects` except the bookkeeping.
    The ids by code."""
    if not rows:
        return {}
    columns = list(rows[0])
    stamp = utc_text(now)
    await conn.executemany(
        f"INSERT INTO projects ({', '.join(columns)}, created_at, updated_at)"
        f" VALUES ({', '.join('?' for _ in columns)}, ?, ?)"
        f" ON CONFLICT (code) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns if c != "code")
        + ", updated_at = CASE WHEN "
        + " OR ".join(f"projects.{c} IS DISTINCT FROM excluded.{c}" for c in columns if c != "code")
        + " THEN excluded.updated_at ELSE projects.updated_at END",
        [[row[c] for c in columns] + [stamp, stamp] for row in rows],
    )
    wanted = {row["code"] for row in rows}
    return {r["code"]: r["id"] for r in await conn.all("SELECT id, code FROM projects") if r["code"] in wanted}


async def set_units(conn: Conn, links: dict[int, tuple[int | None, list[int]]]) -> None:
    """Each project's lead unit and responsible units, replacing what it had."""
    await conn.executemany("DELETE FROM project_units WHERE project_id = ?", [(p,) for p in links])
    rows = []
    for project_id, (lead, responsible) in links.items():
        rows += [(project_id, u, "responsible") for u in dict.fromkeys(responsible)]
        if lead is not None:
            rows.append((project_id, lead, "lead"))
    await conn.executemany("INSERT INTO project_units (project_id, unit_id, role) VALUES (?, ?, ?)", rows)


async def set_people(conn: Conn, assignments: list[tuple[int, str, int | None]]) -> None:
    """(project, role, person or None): the person now holding that role on the project."""
    await conn.executemany("DELETE FROM project_people WHERE project_id = ? AND role = ?",
                           [(p, role) for p, role, _ in assignments])
    await conn.executemany("INSERT INTO project_people (project_id, person_id, role) VALUES (?, ?, ?)",
                           [(p, person, role) for p, role, person in assignments if person is not None])


async def set_person(conn: Conn, project_id: int, role: str, person_id: int | None) -> None:
    await set_people(conn, [(project_id, role, person_id)])


_MILESTONES = """
SELECT m.*, (SELECT COUNT(*) FROM milestone_changes c WHERE c.milestone_id = m.id AND c.kind = 'replanned')
  AS replans
FROM milestones m"""


def _milestone(r: Row) -> Milestone:
    return Milestone(id=r["id"], project_id=r["project_id"], name=r["name"], due_date=date.fromisoformat(r["due_date"]),
                     reached_on=_date(r["reached_on"]), owner=r["owner"], replans=r["replans"])


async def milestones(conn: Conn, project_id: int) -> list[Milestone]:
    rows = await conn.all(_MILESTONES + " WHERE m.project_id = ? ORDER BY m.due_date, m.id", (project_id,))
    return [_milestone(r) for r in rows]


async def milestone(conn: Conn, milestone_id: int) -> Milestone | None:
    row = await conn.one(_MILESTONES + " WHERE m.id = ?", (milestone_id,))
    return _milestone(row) if row else None


async def replace_milestones(conn: Conn, project_id: int, items: list[tuple[str, date, str | None]]) -> None:
    """Keep the project's imported milestones equal to `items` (name, due date, owner), preserving when
    each was reached; those a liaison added stay."""
    names = [name for name, _, _ in items]
    kept = f" AND name NOT IN ({', '.join('?' * len(names))})" if names else ""  # PostgreSQL has no empty IN ()
    await conn.execute(f"DELETE FROM milestones WHERE project_id = ? AND source = 'import'{kept}",
                       [project_id, *names])
    await conn.executemany(
        "INSERT INTO milestones (project_id, name, due_date, owner) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (project_id, name) DO UPDATE SET due_date = excluded.due_date, owner = excluded.owner,"
        " source = 'import'",
        [(project_id, name, due.isoformat(), owner) for name, due, owner in items],
    )


async def add_milestone(conn: Conn, project_id: int, name: str, due: date, owner: str | None, actor_id: int,
                        now: datetime) -> int:
    """A node a liaison adds (kept across imports); recorded as added."""
    milestone_id = await conn.execute(
        "INSERT INTO milestones (project_id, name, due_date, owner, source) VALUES (?, ?, ?, ?, 'report')",
        (project_id, name, due.isoformat(), owner))
    await conn.execute("INSERT INTO milestone_changes (milestone_id, kind, new_due, actor_id, at)"
                       " VALUES (?, 'added', ?, ?, ?)", (milestone_id, due.isoformat(), actor_id, utc_text(now)))
    return milestone_id


async def replan_milestone(conn: Conn, milestone: Milestone, due: date, reason: str, actor_id: int,
                           now: datetime) -> None:
    await conn.execute("UPDATE milestones SET due_date = ? WHERE id = ?", (due.isoformat(), milestone.id))
    await conn.execute(
        "INSERT INTO milestone_changes (milestone_id, kind, old_due, new_due, reason, actor_id, at)"
        " VALUES (?, 'replanned', ?, ?, ?, ?, ?)",
        (milestone.id, milestone.due_date.isoformat(), due.isoformat(), reason, actor_id, utc_text(now)))


async def milestone_changes(conn: Conn, project_id: int | None = None) -> dict[int, list[tuple[str, str, str | None]]]:
    """Each node's re-plans (of one project, or of all), oldest first: (from, to, reason)."""
    rows = await conn.all(
        "SELECT c.milestone_id, c.old_due, c.new_due, c.reason FROM milestone_changes c"
        " JOIN milestones m ON m.id = c.milestone_id WHERE (CAST(? AS INTEGER) IS NULL OR m.project_id = ?)"
        " AND c.kind = 'replanned'"
        " ORDER BY c.id", (project_id, project_id))
    found: dict[int, list[tuple[str, str, str | None]]] = {}
    for r in rows:
        found.setdefault(r["milestone_id"], []).append((r["old_due"], r["new_due"], r["reason"]))
    return found


async def get(conn: Conn, project_id: int) -> Project | None:
    row = await conn.one(_select(conn) + " WHERE pr.id = ?", (project_id,))
    return _project(row) if row else None


async def unit_ids(conn: Conn, project_id: int) -> dict[str, list[int]]:
    """{'lead': [...], 'responsible': [...]} unit ids of a project."""
    found: dict[str, list[int]] = {"lead": [], "responsible": []}
    for r in await conn.all("SELECT unit_id, role FROM project_units WHERE project_id = ?", (project_id,)):
        found[r["role"]].append(r["unit_id"])
    return found


async def set_stage(conn: Conn, project_id: int, stage: str, now: datetime) -> None:
    await conn.execute("UPDATE projects SET stage = ?, updated_at = ? WHERE id = ?",
                       (stage, utc_text(now), project_id))


async def mark_milestones_reached(conn: Conn, project_id: int, ids: list[int], on: date) -> None:
    await conn.executemany(
        "UPDATE milestones SET reached_on = ? WHERE id = ? AND project_id = ? AND reached_on IS NULL",
        [(on.isoformat(), m, project_id) for m in ids])


async def has_person(conn: Conn, project_id: int, person_id: int, role: str) -> bool:
    return await conn.scalar(
        "SELECT 1 FROM project_people WHERE project_id = ? AND person_id = ? AND role = ?",
        (project_id, person_id, role)) is not None


async def where_person(conn: Conn, person_id: int, *roles: str) -> list[Project]:
    """Active projects where the person holds one of `roles` (liaison, co_reporter, lead_leader)."""
    rows = await conn.all(
        _select(conn) + " WHERE pr.active = 1 AND pr.id IN (SELECT project_id FROM project_people"
        f" WHERE person_id = ? AND role IN ({', '.join('?' for _ in roles)})) ORDER BY pr.code", (person_id, *roles))
    return [_project(r) for r in rows]


async def where_reporter(conn: Conn, person_id: int) -> list[Project]:
    """Active projects the person reports on: as their liaison or a co-reporter."""
    return await where_person(conn, person_id, "liaison", "co_reporter")


async def all_milestones(conn: Conn) -> list[Milestone]:
    return [_milestone(r) for r in await conn.all(_MILESTONES + " ORDER BY m.project_id, m.due_date")]


async def set_listed(conn: Conn, project_id: int, listed: bool, on: date, reason: str, actor_id: int | None,
                     source: str, now: datetime) -> None:
    """调出 (listed False) or 调入 a project, recorded with the date, the reason and who did it."""
    await conn.execute("UPDATE projects SET active = ? WHERE id = ?", (int(listed), project_id))
    await conn.execute(
        "INSERT INTO project_list_changes (project_id, change, on_date, reason, actor_id, source, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (project_id, "in" if listed else "out", on.isoformat(), reason, actor_id, source, utc_text(now)))


async def last_list_change(conn: Conn, project_id: int) -> tuple[str, date, str] | None:
    """(change, date, reason) of the project's newest 调出 / 调入."""
    row = await conn.one("SELECT change, on_date, reason FROM project_list_changes WHERE project_id = ?"
                         " ORDER BY id DESC LIMIT 1", (project_id,))
    return (row["change"], date.fromisoformat(row["on_date"]), row["reason"]) if row else None


async def set_plans(conn: Conn, plans: list[tuple[int, int, int]]) -> None:
    """(project id, year, 年度计划) each; a project's annual_plan becomes its newest year's."""
    for project_id, year, plan in plans:
        await conn.execute("INSERT INTO project_plans (project_id, year, annual_plan) VALUES (?, ?, ?)"
                           " ON CONFLICT (project_id, year) DO UPDATE SET annual_plan = excluded.annual_plan",
                           (project_id, year, plan))
    for project_id in {p for p, _, _ in plans}:
        await conn.execute("UPDATE projects SET annual_plan = (SELECT annual_plan FROM project_plans"
                           " WHERE project_id = ? ORDER BY year DESC LIMIT 1) WHERE id = ?", (project_id, project_id))


async def set_month_plans(conn: Conn, plans: list[tuple[int, int, list[int]]]) -> None:
    """(project id, year, the twelve months' planned investment) each, replacing that year's 分月计划."""
    await conn.executemany("DELETE FROM project_month_plans WHERE project_id = ? AND period LIKE ?",
                           [(p, f"{year}-%") for p, year, _ in plans])
    await conn.executemany("INSERT INTO project_month_plans (project_id, period, amount) VALUES (?, ?, ?)",
                           [(p, f"{year}-{month:02d}", amount) for p, year, amounts in plans
                            for month, amount in enumerate(amounts, start=1)])


async def set_funds(conn: Conn, plans: list[tuple[int, int, dict[str, int]]]) -> None:
    """(project id, year, amount by source) each, replacing that year's 资金计划."""
    await conn.executemany("DELETE FROM project_funds WHERE project_id = ? AND year = ?", [(p, y) for p, y, _ in plans])
    await conn.executemany("INSERT INTO project_funds (project_id, year, source, amount) VALUES (?, ?, ?, ?)",
                           [(p, y, source, amount) for p, y, funds in plans for source, amount in funds.items()
                            if amount])


async def set_programmes(conn: Conn, programmes: dict[int, tuple[str, ...]]) -> None:
    """Each project's programme lists, replacing what it had."""
    await conn.executemany("DELETE FROM project_programmes WHERE project_id = ?", [(p,) for p in programmes])
    await conn.executemany("INSERT INTO project_programmes (project_id, programme) VALUES (?, ?)",
                           [(p, name) for p, names in programmes.items() for name in names])


async def programmes(conn: Conn) -> list[str]:
    """Every programme list some active project is on."""
    return [r["programme"] for r in await conn.all(
        "SELECT DISTINCT programme FROM project_programmes pg JOIN projects pr ON pr.id = pg.project_id"
        " WHERE pr.active = 1 ORDER BY programme")]
