"""Which scheduled runs happened: one row per (job, period), never two."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, parse_utc, utc_text


async def claim(conn: Conn, job: str, period: str, now: datetime) -> bool:
    """True if this call is the one that runs `job` for `period` (the caller's transaction)."""
    changed = await conn.rowcount(
        "INSERT INTO job_runs (job, period, started_at, finished_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (job, period) DO NOTHING", (job, period, utc_text(now), utc_text(now)))
    return changed == 1


async def ran(conn: Conn, job: str, period: str) -> bool:
    return await conn.scalar("SELECT 1 FROM job_runs WHERE job = ? AND period = ?", (job, period)) is not None


async def last_run(conn: Conn, job: str) -> tuple[str, datetime] | None:
    row = await conn.one(
        "SELECT period, started_at FROM job_runs WHERE job = ? ORDER BY started_at DESC LIMIT 1", (job,))
    return (row["period"], parse_utc(row["started_at"])) if row else None


async def new_rows_since(conn: Conn, outbox_id: int) -> list:
    return await conn.all("SELECT chat_id, method, payload FROM outbox WHERE id > ? ORDER BY id", (outbox_id,))


async def last_outbox_id(conn: Conn) -> int:
    return await conn.scalar("SELECT COALESCE(MAX(id), 0) FROM outbox")
