"""A job's shape, its period keys, and running one exactly once (the jobs: catalog.py).

A run claims (job, period) in `job_runs` in the same transaction as every message it queues, so
running a job twice for one period — from the scheduler, from a restart's catch-up, or from
`liaisonbot jobs run --at` — sends once. A dry run does the same work and rolls it back.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.domain.clock import FixedClock
from bot.domain.periods import iso_week
from bot.domain.policy import Policy
from bot.domain.workdays import is_working_day
from bot.services.context import Context
from storage import Database, job_runs


@dataclass(frozen=True)
class Job:
    name: str
    cron: Callable[[Policy], dict]
    period: Callable[[datetime], str]
    run: Callable[..., Awaitable[None]]  # the service: run(ctx), or run(ctx, prepared) with `prepare`
    working_days_only: bool = False
    # slow work done before the run's transaction, on the read connection (charts), so the writer
    # is not held while it runs; the run receives its result
    prepare: Callable[[Context], Awaitable[object]] | None = None

    def trigger(self, policy: Policy, tz: ZoneInfo) -> CronTrigger:
        return CronTrigger(timezone=tz, **self.cron(policy))


@dataclass(frozen=True)
class Outcome:
    job: str
    period: str
    ran: bool
    reason: str = ""
    messages: tuple[tuple[int, str, dict], ...] = ()


class _DryRun(Exception):
    def __init__(self, rows: list) -> None:
        super().__init__("dry run")
        self.rows = rows


def at(moment) -> dict:
    return {"hour": moment.hour, "minute": moment.minute}


def weekday(iso_day: int) -> str:
    return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][iso_day - 1]


def by_week(local: datetime) -> str:
    return iso_week(local.date())


def by_day(local: datetime) -> str:
    return local.date().isoformat()


def by_quarter_hour(local: datetime) -> str:
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


async def run_job(db: Database, job: Job, instant: datetime, policy: Policy, tz: ZoneInfo,
                  dry_run: bool = False) -> Outcome:
    local = instant.astimezone(tz)
    period = job.period(local)
    if job.working_days_only and not is_working_day(local.date()):
        return Outcome(job.name, period, False, "not a working day")
    prepared = None
    if job.prepare is not None:
        if await job_runs.ran(db.read, job.name, period):
            return Outcome(job.name, period, False, "already ran")
        prepared = await job.prepare(Context(db.read, FixedClock(instant), policy, tz))
    try:
        async with db.transaction() as tx:
            if not await job_runs.claim(tx, job.name, period, instant):
                return Outcome(job.name, period, False, "already ran")
            first = await job_runs.last_outbox_id(tx)
            ctx = Context(tx, FixedClock(instant), policy, tz)
            await (job.run(ctx, prepared) if job.prepare is not None else job.run(ctx))
            rows = [(r["chat_id"], r["method"], json.loads(r["payload"]))
                    for r in await job_runs.new_rows_since(tx, first)]
            if dry_run:
                raise _DryRun(rows)
    except _DryRun as dry:
        return Outcome(job.name, period, True, "dry run", tuple(dry.rows))
    return Outcome(job.name, period, True, messages=tuple(rows))


def last_fire(job: Job, policy: Policy, tz: ZoneInfo, now: datetime, window: timedelta) -> datetime | None:
    """The latest scheduled instant in (now - window, now], if any: a run a restart may owe."""
    trigger = job.trigger(policy, tz)
    found = None
    fire = trigger.get_next_fire_time(None, now - window)
    while fire is not None and fire <= now:
        found = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return found
