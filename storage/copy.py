"""`liaisonbot copy-db FROM TO`: a county's SQLite file into a new, empty PostgreSQL database (or another
SQLite file), table by table in the order their references allow, in one transaction, each table's rows
counted on both sides afterwards. Both are migrated to the same version first."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database

BATCH = 1000


class CopyRefused(Exception):
    """The copy cannot start: the source is not SQLite, or the target already holds data."""


@dataclass(frozen=True)
class Copied:
    table: str
    source: int
    target: int


async def _tables(source: Database) -> list[str]:
    """The source's tables, each after the tables it refers to."""
    names = [r[0] for r in await source.read.all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'schema_version' ORDER BY name")]
    refers = {name: {r["table"] for r in await source.read.all(f"PRAGMA foreign_key_list({name})")} - {name}
              for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refers[n] <= set(ordered)]
        if not ready:
            raise CopyRefused("the tables' references go round in a circle")
        ordered.extend(ready)
    return ordered


async def copy_database(source: Database, target: Database) -> list[Copied]:
    if source.dialect != "sqlite":
        raise CopyRefused("the source must be a SQLite file (PostgreSQL copies itself: pg_dump / pg_restore)")
    tables = await _tables(source)
    for table in tables:
        if await target.read.scalar(f"SELECT COUNT(*) FROM {table}"):
            raise CopyRefused(f"the target already holds data ({table}); copy into an empty database")
    async with target.transaction() as tx:
        for table in tables:
            columns = [r["name"] for r in await source.read.all(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
            offset = 0
            while rows := await source.read.all(f"SELECT {names} FROM {table} ORDER BY rowid LIMIT ? OFFSET ?",
                                                (BATCH, offset)):
                await tx.executemany(insert, [tuple(r) for r in rows])
                offset += len(rows)
            if target.dialect == "postgresql" and "id" in columns:  # the identity goes on after the copied ids
                await tx.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                                 f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
    return [Copied(table, await source.read.scalar(f"SELECT COUNT(*) FROM {table}"),
                   await target.read.scalar(f"SELECT COUNT(*) FROM {table}")) for table in tables]
