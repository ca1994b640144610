"""Monthly reports (every revision kept) and weekly updates."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.models import MonthlyReport, Stage, WeeklyUpdate
from storage.db import Conn, Row, parse_utc, stored, utc_text


def _list(text: str) -> tuple:
    return () if text == "[]" else tuple(json.loads(text))


def _report(r: Row) -> MonthlyReport:
    return stored(
        MonthlyReport, id=r["id"], project_id=r["project_id"], period=r["period"], revision=r["revision"],
        reporter_id=r["reporter_id"], ytd_completed=r["ytd_completed"], stage=Stage(r["stage"]),
        progress=r["progress"], photos=_list(r["photos"]),
        milestones_reached=_list(r["milestones_reached"]), next_plan=r["next_plan"],
        submitted_at=parse_utc(r["submitted_at"]), late=bool(r["late"]), funds_arrived=r["funds_arrived"],
        extra=json.loads(r["extra"]) if r["extra"] != "{}" else {},
    )


async def add_revision(conn: Conn, *, project_id: int, period: str, reporter_id: int,
                       ytd_completed: int, stage: str, progress: str, photos: list[str],
                       milestones_reached: list[int], next_plan: str, now: datetime, late: bool,
                       funds_arrived: int | None = None, extra: dict | None = None) -> MonthlyReport:
    revision = await conn.scalar(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM monthly_reports WHERE project_id = ? AND period = ?",
        (project_id, period),
    )
    row_id = await conn.execute(
        "INSERT INTO monthly_reports (project_id, period, revision, reporter_id, ytd_completed, stage,"
        " progress, photos, milestones_reached, next_plan, submitted_at, late, funds_arrived, extra)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (project_id, period, revision, reporter_id, ytd_completed, stage, progress,
         json.dumps(photos), json.dumps(milestones_reached), next_plan, utc_text(now), int(late), funds_arrived,
         json.dumps(extra or {}, ensure_ascii=False)),
    )
    return _report(await conn.one("SELECT * FROM monthly_reports WHERE id = ?", (row_id,)))


async def latest(conn: Conn, project_id: int, before_period: str | None = None) -> MonthlyReport | None:
    """The newest revision of the newest month (before `before_period` if given)."""
    row = await conn.one(
        "SELECT * FROM monthly_reports WHERE project_id = ? AND (CAST(? AS TEXT) IS NULL OR period < ?)"
        " ORDER BY period DESC, revision DESC LIMIT 1",
        (project_id, before_period, before_period),
    )
    return _report(row) if row else None


async def periods_of(conn: Conn, project_id: int) -> set[str]:
    """Every month the project has a report for."""
    return {r["period"] for r in await conn.all("SELECT DISTINCT period FROM monthly_reports WHERE project_id = ?",
                                                (project_id,))}


async def for_period(conn: Conn, project_id: int, period: str) -> list[MonthlyReport]:
    rows = await conn.all(
        "SELECT * FROM monthly_reports WHERE project_id = ? AND period = ? ORDER BY revision",
        (project_id, period),
    )
    return [_report(r) for r in rows]


async def history(conn: Conn, project_id: int) -> list[MonthlyReport]:
    rows = await conn.all(
        "SELECT * FROM monthly_reports WHERE project_id = ? ORDER BY period DESC, revision DESC",
        (project_id,),
    )
    return [_report(r) for r in rows]


def _weekly(r: Row) -> WeeklyUpdate:
    return WeeklyUpdate(id=r["id"], project_id=r["project_id"], week=r["week"],
                        reporter_id=r["reporter_id"], done=r["done"], plan=r["plan"],
                        has_problem=bool(r["has_problem"]), submitted_at=parse_utc(r["submitted_at"]))


async def save_weekly(conn: Conn, *, project_id: int, week: str, reporter_id: int, done: str,
                      plan: str, has_problem: bool, now: datetime) -> bool:
    """Store the week's update; True if it replaced an earlier one for the same week."""
    existed = await conn.scalar(
        "SELECT 1 FROM weekly_updates WHERE project_id = ? AND week = ?", (project_id, week))
    await conn.execute(
        "INSERT INTO weekly_updates (project_id, week, reporter_id, done, plan, has_problem, submitted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, week) DO UPDATE SET"
        " reporter_id = excluded.reporter_id, done = excluded.done, plan = excluded.plan,"
        " has_problem = excluded.has_problem, submitted_at = excluded.submitted_at",
        (project_id, week, reporter_id, done, plan, int(has_problem), utc_text(now)),
    )
    return bool(existed)


async def weekly_history(conn: Conn, project_id: int, limit: int = 8) -> list[WeeklyUpdate]:
    rows = await conn.all(
        "SELECT * FROM weekly_updates WHERE project_id = ? ORDER BY week DESC LIMIT ?",
        (project_id, limit),
    )
    return [_weekly(r) for r in rows]


async def reported_project_ids(conn: Conn, period: str) -> set[int]:
    rows = await conn.all("SELECT DISTINCT project_id FROM monthly_reports WHERE period = ?", (period,))
    return {r["project_id"] for r in rows}


async def weekly_project_ids(conn: Conn, week: str) -> set[int]:
    rows = await conn.all("SELECT project_id FROM weekly_updates WHERE week = ?", (week,))
    return {r["project_id"] for r in rows}


async def on_time_months(conn: Conn, first: str, last: str) -> dict[int, int]:
    """Each project's months from `first` to `last` with a report made by the due day (补报 not counted)."""
    rows = await conn.all("SELECT project_id, COUNT(DISTINCT period) AS n FROM monthly_reports"
                          " WHERE period BETWEEN ? AND ? AND late = 0 GROUP BY project_id", (first, last))
    return {r["project_id"]: r["n"] for r in rows}


async def latest_per_project(conn: Conn, year: int, up_to: str) -> list[MonthlyReport]:
    """Each project's newest revision of its newest month from January of `year` to `up_to` (one
    index seek per project on (project_id, period, revision))."""
    rows = await conn.all(
        "SELECT * FROM monthly_reports WHERE id IN (SELECT (SELECT r.id FROM monthly_reports r"
        " WHERE r.project_id = p.id AND r.period >= ? AND r.period <= ? ORDER BY r.period DESC, r.revision DESC"
        " LIMIT 1) FROM projects p)",
        (f"{year:04d}-01", up_to))
    return [_report(r) for r in rows]
