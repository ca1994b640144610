"""What every repository and the bot work with, whichever database holds the data: a `Conn` to run SQL on
(one transaction, or committed data for reads), a `Database` that gives them, numbered migrations, and
how times are stored. `storage.open_database` opens a SQLite file (storage.sqlite, the default) or a
postgresql:// address (storage.postgres). The few functions the two name differently are the `Conn`'s to
spell (`group_concat`, `json_agg`, …), so a repository's SQL is written once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class Row(Protocol):
    """A row read by column name or by position (sqlite3.Row, storage.postgres.PgRow)."""

    def __getitem__(self, key: str | int) -> Any: ...

    def keys(self) -> list[str]: ...


def parameters(params: Iterable[Any] | dict) -> tuple | dict:
    """Positional (?) or named (:name) parameters, as the drivers take them."""
    return params if isinstance(params, dict) else tuple(params)


def utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def parse_utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def stored(model: type[M], **values: Any) -> M:
    """A model of rows read in bulk (a bulletin reads every project and report), from values the repository
    has already converted (dates, enums, tuples): they were validated when written, so they are not again,
    and every instance shares one set of its field names where pydantic would give each its own (2 KB of a
    project's 5). tests/test_stored_models.py holds each such model equal to a validated one.

    What `model_construct` does for a model without aliases, extras or private attributes, less its walk
    through every field's alias and default (a third of making 10,000 projects): the values are the
    instance's `__dict__`, a field left out takes its default."""
    names = _plain_fields(model)
    if len(values) < len(names):
        fields = model.model_fields
        values.update((name, fields[name].get_default(call_default_factory=True)) for name in names - values.keys())
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", names)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


@cache
def _plain_fields(model: type[BaseModel]) -> frozenset[str]:
    fields = model.model_fields.values()
    plain = not model.__private_attributes__ and not model.__pydantic_post_init__ and model.model_config.get(
        "extra") != "allow" and all(f.alias is None and f.validation_alias is None for f in fields)
    if not plain:
        raise TypeError(f"{model.__name__} has aliases, extras or private attributes: read it with model_construct")
    return frozenset(model.model_fields)


class Conn:
    """The facade repositories use; a backend gives `execute`, `executemany`, `rowcount` and `all`."""

    dialect = "sqlite"

    async def execute(self, sql: str, params: Iterable[Any] | dict = ()) -> int | None:
        """Run one statement; for an INSERT, the new row's id."""
        raise NotImplementedError

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        raise NotImplementedError

    async def rowcount(self, sql: str, params: Iterable[Any] | dict = ()) -> int:
        raise NotImplementedError

    async def all(self, sql: str, params: Iterable[Any] | dict = ()) -> list[Row]:
        raise NotImplementedError

    async def one(self, sql: str, params: Iterable[Any] | dict = ()) -> Row | None:
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Iterable[Any] | dict = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]

    # -- what the two databases spell differently, as SQL text ---------------------------------
    def group_concat(self, expr: str, separator: str) -> str:
        name = "GROUP_CONCAT" if self.dialect == "sqlite" else "string_agg"
        return f"{name}({expr}, '{separator}')"

    def json_agg(self, expr: str) -> str:
        """A JSON array (text) of `expr` over the group; '[]' for none."""
        return f"json_group_array({expr})" if self.dialect == "sqlite" else f"COALESCE(json_agg({expr})::text, '[]')"

    def json_object_agg(self, key: str, value: str) -> str:
        """A JSON object (text) of `key` → `value` over the group; '{{}}' for none."""
        if self.dialect == "sqlite":
            return f"json_group_object({key}, {value})"
        return f"COALESCE(json_object_agg({key}, {value})::text, '{{}}')"

    def json_array(self, *exprs: str) -> str:
        name = "json_array" if self.dialect == "sqlite" else "json_build_array"
        return f"{name}({', '.join(exprs)})"


class Database:
    """A database the bot runs on: `read` sees committed data only (never decide a write on it), a
    `transaction()` is all or nothing, writers in one process take turns."""

    dialect = "sqlite"
    unavailable: tuple[type[Exception], ...] = ()  # locked, full, gone: nothing written, try again later
    path: Path | str

    @property
    def read(self) -> Conn:
        raise NotImplementedError

    @property
    def glance(self) -> Conn:
        """Committed data too, for the small indexed reads the update runner and the sender make at every
        update (what is pending, which chats are due): where the database allows it, without the step to a
        thread that `read` takes. Never a long read: it holds the event loop while it runs."""
        return self.read

    def transaction(self) -> AbstractAsyncContextManager[Conn]:
        raise NotImplementedError

    def one_statement(self) -> AbstractAsyncContextManager[Conn]:
        """For a write that is a single statement (reads beside it are fine): on PostgreSQL it commits by
        itself, atomic as any statement is, without BEGIN and COMMIT around it (two round trips fewer); on
        SQLite it is a transaction, whose BEGIN and COMMIT cost no more than the statement (storage.sqlite).
        Two writes here could be two commits: use transaction() for those."""
        raise NotImplementedError

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded, each atomically; returns their names."""
        raise NotImplementedError

    def sending(self) -> AbstractAsyncContextManager[bool]:
        """Whether this process is the one that sends the outbox (Telegram's limits are the bot's, not a
        process's): held while the context lasts. A process alone on its database always is."""
        raise NotImplementedError

    async def announce(self) -> None:
        """Tell the sender, wherever it runs, that the outbox has something new."""
        raise NotImplementedError

    def announcements(self) -> AsyncIterator[None]:
        """One item each time a worker announces new outbox rows (never, with one process alone)."""
        raise NotImplementedError

    def turn(self, key: int) -> AbstractAsyncContextManager[bool]:
        """Whether this process may handle the updates of `key` (a chat) now; False while another worker on
        the same database is at them. A process alone on its database always may."""
        raise NotImplementedError

    async def schema_version(self) -> int:
        raise NotImplementedError

    async def backup(self, target: Path) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


def migration_files(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered file in storage/migrations, in order; for PostgreSQL its
    twin in migrations/postgresql/ where there is one (SQLite rebuilds a table where PostgreSQL alters it)."""
    def numbered(folder) -> dict[int, tuple[int, str, str]]:
        return {int(e.name.split("_", 1)[0]): (int(e.name.split("_", 1)[0]), e.name, e.read_text(encoding="utf-8"))
                for e in folder.iterdir() if e.name.endswith(".sql")}

    root = resources.files("storage.migrations")
    found = numbered(root)
    if dialect == "postgresql":
        found |= numbered(root / "postgresql")
    return [found[version] for version in sorted(found)]


