"""Fan-out: the monthly bulletin to 50 groups and the month-end reminder to 1,000 liaisons, queued
by the real jobs, delivered by LiaisonBot (its own process) to the sandbox enforcing Telegram's
limits. Measures the sustained rate, the sandbox's 429s, and that every message arrived once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.throughput import FIRST_ID, _seed
from bot.domain.policy import Policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.sandbox.server import TOKEN, Sandbox
from storage import groups, open_database

TZ = ZoneInfo("Asia/Shanghai")
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}
CEILING = 30.0


@dataclass
class Result:
    privates: int
    groups: int
    messages: int
    seconds: float
    rate: float
    refused_429: int
    duplicates: int
    missing: int


async def _queue(db_path: Path, n_groups: int) -> Counter:
    """Messages queued per chat by the two jobs."""
    db = await open_database(db_path)
    try:
        async with db.transaction() as tx:
            for g in range(n_groups):
                await groups.bind(tx, -100_000 - g, f"调度群{g:02d}", "all", None, 1, ["monthly_bulletin"],
                                  datetime.now(UTC))
        queued: Counter = Counter()
        for job, at in (("monthly-report-countdown", datetime(2026, 11, 27, 9, 0, tzinfo=TZ)),
                        ("monthly-bulletin", datetime(2026, 12, 5, 9, 0, tzinfo=TZ))):
            queued.update(chat for chat, _, _ in (await run_job(db, JOBS[job], at, Policy(), TZ)).messages)
        return queued
    finally:
        await db.close()


async def measure(n_private: int = 1_000, n_groups: int = 50) -> Result:
    sandbox = await Sandbox().start()
    sandbox.limits.enforce = True
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "fanout.db"
        await _seed(db, n_private)
        chats = [FIRST_ID + i for i in range(n_private)] + [-100_000 - g for g in range(n_groups)]
        for i in range(n_private):
            sandbox.user(FIRST_ID + i, f"联络员{i:04d}")
        for g in range(n_groups):
            sandbox.group(-100_000 - g, f"调度群{g:02d}")
        expected = await _queue(db, n_groups)
        total = sum(expected.values())
        child = subprocess.Popen([sys.executable, "-m", "bench.bots", "liaison", TOKEN,  # noqa: ASYNC220
                                  sandbox.base_url, sandbox.file_url, str(db), "paced"])
        try:
            def delivered() -> int:
                return sum(len(sandbox.messages(c)) for c in chats)
            deadline = time.monotonic() + total / 20 + 60
            while delivered() < total and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(2)  # anything more (a duplicate) would arrive now
        finally:
            child.terminate()
            child.wait(30)
            await sandbox.stop()
    sends = [t for t, method, chat in sandbox.world.api_calls if method in SENDS and chat in expected]
    seconds = sends[-1] - sends[0] if len(sends) > 1 else 0.0
    got = Counter({chat: len(sandbox.messages(chat)) for chat in chats})
    return Result(n_private, n_groups, sum(got.values()), seconds, (len(sends) - 1) / seconds if seconds else 0.0,
                  sandbox.limits.violations, sum((got - expected).values()), sum((expected - got).values()))


def table(r: Result) -> str:
    return "\n".join([
        "| private chats | groups | messages | seconds | messages/s | 429s | duplicates | missing |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        (f"| {r.privates:,} | {r.groups} | {r.messages:,} | {r.seconds:.1f} | {r.rate:.1f} | {r.refused_429} |"
         f" {r.duplicates} | {r.missing} |"),
        f"| target | | | | ≥ {CEILING * 0.95:.1f} (95 % of {CEILING:.0f}) | 0 | 0 | 0 |",
    ])


if __name__ == "__main__":
    print(table(asyncio.run(measure())))
