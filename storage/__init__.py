"""Storage: the only SQL in the project, on SQLite (the default) or PostgreSQL. Repositories return
pydantic models."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database


def is_postgresql(target: Path | str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


async def open_database(target: Path | str, migrate: bool = True) -> Database:
    """A SQLite file, or a postgresql:// address (the `postgresql` extra: psycopg)."""
    if is_postgresql(target):
        from storage.postgres import PgDatabase

        return await PgDatabase.open(target, migrate)
    from storage.sqlite import SqliteDatabase

    return await SqliteDatabase.open(target, migrate)


__all__ = ["Database", "is_postgresql", "open_database"]
