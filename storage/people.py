"""Units, people and their roles."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Person, Role, Unit
from storage.db import Conn, Row, parse_utc, utc_text


def _select(conn: Conn) -> str:
    return f"""
SELECT p.id, p.name, p.unit_id, u.name AS unit_name, p.telegram_id, p.locale, p.unreachable,
       p.away_until, p.delegate_id, p.away_redirected, p.active,
       (SELECT {conn.group_concat("role", ",")} FROM person_roles r WHERE r.person_id = p.id) AS roles
FROM people p LEFT JOIN units u ON u.id = p.unit_id
"""


def _person(row: Row) -> Person:
    roles = frozenset(Role(r) for r in (row["roles"] or "").split(",") if r)
    return Person(
        id=row["id"], name=row["name"], unit_id=row["unit_id"], unit_name=row["unit_name"],
        telegram_id=row["telegram_id"], locale=row["locale"], roles=roles,
        unreachable=row["unreachable"], away_until=parse_utc(row["away_until"]),
        delegate_id=row["delegate_id"], away_redirected=row["away_redirected"], active=bool(row["active"]),
    )


async def ensure_unit(conn: Conn, name: str) -> int:
    return (await ensure_units(conn, [name]))[name]


async def ensure_units(conn: Conn, names: list[str]) -> dict[str, int]:
    """The units' ids by name, creating those that do not exist yet."""
    await conn.executemany("INSERT INTO units (name) VALUES (?) ON CONFLICT DO NOTHING",
                           [(n,) for n in dict.fromkeys(names)])
    wanted = set(names)
    return {r["name"]: r["id"] for r in await conn.all("SELECT id, name FROM units") if r["name"] in wanted}


async def units(conn: Conn) -> list[Unit]:
    rows = await conn.all("SELECT id, name FROM units ORDER BY name")
    return [Unit(id=r["id"], name=r["name"]) for r in rows]


async def get(conn: Conn, person_id: int) -> Person | None:
    row = await conn.one(_select(conn) + " WHERE p.id = ?", (person_id,))
    return _person(row) if row else None


async def by_telegram(conn: Conn, telegram_id: int) -> Person | None:
    row = await conn.one(_select(conn) + " WHERE p.telegram_id = ?", (telegram_id,))
    return _person(row) if row else None


async def by_name(conn: Conn, name: str) -> list[Person]:
    """People of that name who have not left."""
    rows = await conn.all(_select(conn) + " WHERE p.name = ? AND p.active = 1 ORDER BY p.id", (name,))
    return [_person(r) for r in rows]


async def stand_ins(conn: Conn, person: Person) -> list[Person]:
    """Bound people who have not left and share the person's unit or one of their projects: the unit's
    first, each by name."""
    rows = await conn.all(
        _select(conn) + " WHERE p.id <> ? AND p.active = 1 AND p.telegram_id IS NOT NULL AND (p.unit_id = ?"
        " OR p.id IN (SELECT o.person_id FROM project_people o JOIN project_people m ON m.project_id = o.project_id"
        " WHERE m.person_id = ?)) ORDER BY CASE WHEN p.unit_id = ? THEN 0 ELSE 1 END, p.name, p.id",
        (person.id, person.unit_id, person.id, person.unit_id))
    return [_person(r) for r in rows]


async def with_role(conn: Conn, role: Role) -> list[Person]:
    rows = await conn.all(
        _select(conn) + " WHERE p.id IN (SELECT person_id FROM person_roles WHERE role = ?) ORDER BY p.id",
        (role.value,),
    )
    return [_person(r) for r in rows]


async def create(
    conn: Conn, name: str, now: datetime, unit_id: int | None = None,
    telegram_id: int | None = None, locale: str | None = None,
) -> int:
    return await conn.execute(
        "INSERT INTO people (name, unit_id, telegram_id, locale, created_at) VALUES (?, ?, ?, ?, ?)",
        (name, unit_id, telegram_id, locale, utc_text(now)),
    )


async def add_role(conn: Conn, person_id: int, role: Role) -> None:
    await add_roles(conn, [(person_id, role)])


async def add_roles(conn: Conn, pairs: list[tuple[int, Role]]) -> None:
    await conn.executemany("INSERT INTO person_roles (person_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING",
                           [(person_id, role.value) for person_id, role in dict.fromkeys(pairs)])


async def ids_by_name(conn: Conn, names: list[str], now: datetime) -> dict[str, int]:
    """For each name the first person so called (by id), creating people for names not yet known."""
    async def known() -> dict[str, int]:
        found: dict[str, int] = {}
        for r in await conn.all("SELECT id, name FROM people WHERE active = 1 ORDER BY id"):
            found.setdefault(r["name"], r["id"])
        return found

    ids = await known()
    missing = [n for n in dict.fromkeys(names) if n not in ids]
    if missing:
        await conn.executemany("INSERT INTO people (name, created_at) VALUES (?, ?)",
                               [(n, utc_text(now)) for n in missing])
        ids = await known()
    return {n: ids[n] for n in names}


async def remove_role(conn: Conn, person_id: int, role: Role) -> bool:
    return await conn.rowcount("DELETE FROM person_roles WHERE person_id = ? AND role = ?",
                               (person_id, role.value)) > 0


async def unlink(conn: Conn, person_id: int) -> None:
    """Their Telegram account is no longer theirs to the bot (a new invite can bind one again)."""
    await conn.execute("UPDATE people SET telegram_id = NULL, unreachable = NULL WHERE id = ?", (person_id,))


async def deactivate(conn: Conn, person_id: int) -> None:
    """They left: no roles, no account, not found by name; their history stays."""
    await conn.execute("DELETE FROM person_roles WHERE person_id = ?", (person_id,))
    await conn.execute("UPDATE people SET telegram_id = NULL, active = 0, away_until = NULL,"
                       " delegate_id = NULL WHERE id = ?", (person_id,))


async def with_telegram_ids(conn: Conn, telegram_ids: list[int]) -> list[Person]:
    if not telegram_ids:  # PostgreSQL has no empty IN ()
        return []
    marks = ",".join("?" * len(telegram_ids))
    rows = await conn.all(_select(conn) + f" WHERE p.telegram_id IN ({marks}) ORDER BY p.id", telegram_ids)
    return [_person(r) for r in rows]


async def set_unit(conn: Conn, person_id: int, unit_id: int) -> None:
    await conn.execute("UPDATE people SET unit_id = ? WHERE id = ?", (unit_id, person_id))


async def bind_telegram(conn: Conn, person_id: int, telegram_id: int, locale: str | None) -> None:
    await conn.execute(
        "UPDATE people SET telegram_id = ?, locale = COALESCE(locale, ?), unreachable = NULL"
        " WHERE id = ?",
        (telegram_id, locale, person_id),
    )


async def in_unit(conn: Conn, unit_id: int) -> list[Person]:
    rows = await conn.all(_select(conn) + " WHERE p.unit_id = ? ORDER BY p.name", (unit_id,))
    return [_person(r) for r in rows]


async def heads_of_unit(conn: Conn, unit_id: int) -> list[Person]:
    rows = await conn.all(_select(conn) + " WHERE p.unit_id = ? AND p.id IN (SELECT person_id FROM person_roles"
                          " WHERE role = 'unit_head') ORDER BY p.id", (unit_id,))
    return [_person(r) for r in rows]


async def unit_heads_of_project(conn: Conn, project_id: int) -> list[Person]:
    rows = await conn.all(
        _select(conn) + """ WHERE p.unit_id IN (SELECT unit_id FROM project_units
                                           WHERE project_id = ? AND role = 'lead')
                      AND p.id IN (SELECT person_id FROM person_roles WHERE role = 'unit_head')
                      ORDER BY p.id""", (project_id,))
    return [_person(r) for r in rows]


async def unit(conn: Conn, unit_id: int) -> Unit | None:
    row = await conn.one("SELECT id, name FROM units WHERE id = ?", (unit_id,))
    return Unit(id=row["id"], name=row["name"]) if row else None


async def set_away(conn: Conn, person_id: int, until: datetime | None, delegate_id: int | None) -> None:
    await conn.execute(
        "UPDATE people SET away_until = ?, delegate_id = ?, away_redirected = 0 WHERE id = ?",
        (utc_text(until) if until else None, delegate_id, person_id))


async def count_redirect(conn: Conn, person_id: int) -> None:
    await conn.execute("UPDATE people SET away_redirected = away_redirected + 1 WHERE id = ?", (person_id,))


async def lead_leaders_of(conn: Conn, project_id: int) -> list[Person]:
    rows = await conn.all(
        _select(conn) + " WHERE p.id IN (SELECT person_id FROM project_people WHERE project_id = ?"
        " AND role = 'lead_leader') ORDER BY p.id", (project_id,))
    return [_person(r) for r in rows]
