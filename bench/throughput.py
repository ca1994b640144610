"""Throughput, latency and CPU per update: N people at once, 7 updates each (again until a run has 350),
against a bare python-telegram-bot echo bot (the framework's floor on this sandbox; on PTB's httpx and on
LiaisonBot's aiohttp) and against LiaisonBot for a read (`/projects`, 7 times) and for the steps of a
monthly report (menu, amount, stage, progress, photos skipped, next month's plan, submit), each bot in its
own process on the same local sandbox. Latency is from the update's arrival at the sandbox to the bot's
answer there; CPU is the bot process's (from /proc), and its peak RSS once started and answering (VmHWM);
LiaisonBot also counts the SQL statements it runs (bench.bots, on SIGUSR1)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import bots
from bench.scale import sheet
from bot.domain.clock import FixedClock
from bot.domain.policy import Policy
from bot.formats import project_sheet
from bot.sandbox.server import TOKEN, Sandbox, SandboxUser
from bot.services import registry
from bot.services.context import Context
from storage import open_database, people

STEPS = 7
UPDATES = 350  # at least, in each run
PATIENCE = 120  # seconds a person waits for each answer under load (a slow machine's 200 people need it)
FIRST_ID = 700_000


@dataclass
class Run:
    bot: str
    users: int
    updates: int
    seconds: float
    latencies: list[float]
    cpu: float  # the bot process's CPU seconds (user + system, from /proc) over the run
    idle_mb: float = 0.0  # its peak RSS after start-up and a first answer, before the load
    calls: int = 0  # Bot API calls the bot made over the run (getUpdates among them)
    statements: int | None = None  # SQL statements LiaisonBot ran over the run (BEGIN and COMMIT among them)

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per update handled."""
        return self.cpu / self.updates * 1000

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000


async def _seed(db_path: Path | str, n: int) -> None:
    db = await open_database(db_path)
    try:
        parsed = project_sheet.read_sheet(sheet(n), "projects.xlsx")
        async with db.transaction() as tx:
            await registry.apply_sheet(Context(tx, FixedClock(datetime(2026, 1, 5, 2, tzinfo=UTC)), Policy(),
                                               ZoneInfo("Asia/Shanghai")), parsed, False)
            for i in range(n):
                person = (await people.by_name(tx, f"联络员{i:04d}"))[0]
                await people.bind_telegram(tx, person.id, FIRST_ID + i, "zh")
    finally:
        await db.close()


async def _report(user: SandboxUser, latencies: list[float]) -> None:
    """The monthly report, as a liaison with one project types and taps it."""
    async def timed(step) -> None:
        started = time.perf_counter()
        await step
        latencies.append(time.perf_counter() - started)

    await timed(user.ask("填报月报", timeout=PATIENCE))
    await timed(user.ask("1,200", timeout=PATIENCE))
    keep_stage = next(b for b in user.last().button_labels if b.startswith("✅"))
    await timed(user.tap(keep_stage, timeout=PATIENCE))
    await timed(user.ask("主体施工", timeout=PATIENCE))
    await timed(user.tap("跳过", timeout=PATIENCE))
    await timed(user.ask("继续施工", timeout=PATIENCE))
    await timed(user.tap("✅ 提交", timeout=PATIENCE))


async def _reads(user: SandboxUser, latencies: list[float]) -> None:
    for _ in range(STEPS):
        started = time.perf_counter()
        await user.ask("/projects", timeout=PATIENCE)
        latencies.append(time.perf_counter() - started)


async def _echoes(user: SandboxUser, latencies: list[float]) -> None:
    for step in range(STEPS):
        started = time.perf_counter()
        await user.ask(f"第 {step} 步", timeout=PATIENCE)
        latencies.append(time.perf_counter() - started)


SCRIPTS = {"echo": ("bare PTB echo bot", _echoes), "echo-aiohttp": ("the echo bot on aiohttp", _echoes),
           "read": ("LiaisonBot /projects", _reads), "report": ("LiaisonBot monthly report", _report)}
ECHOES = ("echo", "echo-aiohttp")


def repeats(n: int) -> int:
    """How many times each person goes through the script, so that a run has at least `UPDATES`: CPU is
    counted in ticks of 10 ms, a blur of ±25 % on 35 updates at a millisecond each."""
    return -(-UPDATES // (n * STEPS))


async def measure(kind: str, n: int, paced: bool) -> Run:
    sandbox = await Sandbox().start()
    sandbox.limits.enforce = paced
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        bot = kind if kind in ECHOES else "liaison"
        if bot == "liaison":
            await _seed(db, n)
        command = [sys.executable, "-m", "bench.bots", bot, TOKEN, sandbox.base_url, sandbox.file_url, str(db),
                   "paced" if paced else "free"]
        counts = Path(folder) / "statements"
        environment = os.environ | ({bots.STATEMENTS: str(counts)} if bot == "liaison" else {})
        child = subprocess.Popen(command, env=environment)  # noqa: ASYNC220 - started once, before the measurement
        profiler = None
        try:
            users = [sandbox.user(FIRST_ID + i, f"联络员{i:04d}") for i in range(n)]
            warm = sandbox.user(FIRST_ID - 1, "warm-up")
            await warm.ask("/help", timeout=60)  # the bot is up and polling
            idle_mb = peak_rss_mb(child.pid)
            if os.environ.get("BENCH_PROFILE"):  # the bot's stacks, for py-spy: PROFILE.echo, .read, .report
                profiler = subprocess.Popen(["py-spy", "record", "--pid", str(child.pid), "--format", "raw",  # noqa: ASYNC220
                                             "--rate", "500", "-o", f"{os.environ['BENCH_PROFILE']}.{kind}"])
            latencies: list[float] = []
            label, script = SCRIPTS[kind]
            statements = await _statements(child, counts) if bot == "liaison" else None
            started, cpu, calls = time.perf_counter(), cpu_seconds(child.pid), len(sandbox.world.api_calls)
            times = repeats(n)
            await asyncio.gather(*(_again(times, script, user, latencies) for user in users))
            seconds, cpu = time.perf_counter() - started, cpu_seconds(child.pid) - cpu
            calls = len(sandbox.world.api_calls) - calls
            if statements is not None:
                statements = await _statements(child, counts) - statements
        finally:
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(30)
            child.terminate()
            child.wait(30)
            await sandbox.stop()
    return Run(label, n, n * STEPS * times, seconds, latencies, cpu, idle_mb, calls, statements)


async def _again(times: int, script, user: SandboxUser, latencies: list[float]) -> None:
    for _ in range(times):
        await script(user, latencies)


async def _statements(child: subprocess.Popen, counts: Path) -> int:
    """The statements LiaisonBot has run so far: it writes them to `counts` when signalled."""
    counts.unlink(missing_ok=True)
    child.send_signal(signal.SIGUSR1)
    for _ in range(500):
        if counts.exists() and (text := counts.read_text()):
            return int(text)
        await asyncio.sleep(0.01)
    raise TimeoutError("the bot did not say how many statements it ran")


def cpu_seconds(pid: int) -> float:
    """A process's user and system CPU time so far, from /proc/PID/stat (fields 14 and 15, in ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident memory so far (VmHWM in /proc/PID/status), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


ROUNDS = 3


def run(sizes: tuple[int, ...] = (5, 50), paced: bool = False, rounds: int = ROUNDS) -> list[Run]:
    """Each size: the echo bot, the read and the report, one after another, `rounds` times over (a shared
    machine's noise falls on all three alike); each bot's round with the median CPU per update is kept."""
    results = []
    for n in sizes:
        measured: dict[str, list[Run]] = {kind: [] for kind in SCRIPTS}
        for _ in range(rounds):
            for kind in SCRIPTS:
                measured[kind].append(asyncio.run(measure(kind, n, paced)))
        for runs in measured.values():
            results.append(sorted(runs, key=lambda r: r.cpu_ms)[len(runs) // 2])
    return results


def table(results: list[Run]) -> str:
    lines = ["| users | bot | updates | updates/s | p50 | p95 | p99 | CPU per update | Bot API calls per update"
             " | SQL statements per update | RSS after start |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        statements = "—" if r.statements is None else f"{r.statements / r.updates:.1f}"
        lines.append(f"| {r.users} | {r.bot} | {r.updates:,} | {r.rate:.1f} | {r.pct(50):.0f} ms |"
                     f" {r.pct(95):.0f} ms | {r.pct(99):.0f} ms | {r.cpu_ms:.2f} ms | {r.calls / r.updates:.2f} |"
                     f" {statements} | {r.idle_mb:.0f} MB |")
    lines.append("")
    by_size: dict[int, dict[str, Run]] = {}
    for r in results:
        by_size.setdefault(r.users, {})[r.bot] = r
    for users, runs in by_size.items():
        echo, same_client, read, report = (runs[SCRIPTS[kind][0]] for kind in SCRIPTS)
        lines.append(f"{users} users: CPU per update {read.cpu_ms / echo.cpu_ms:.1f}× the echo bot's for a read"
                     f" (target ≤ 1.4×) and {report.cpu_ms / echo.cpu_ms:.1f}× for a report step (target ≤ 2×);"
                     f" p95 {read.pct(95) / echo.pct(95):.1f}× and {report.pct(95) / echo.pct(95):.1f}× the echo"
                     f" bot's (target ≤ 2× at light load); the report at {report.rate / echo.rate:.0%} of its"
                     f" updates/s. Against the echo bot on aiohttp: CPU {read.cpu_ms / same_client.cpu_ms:.1f}×"
                     f" for a read, {report.cpu_ms / same_client.cpu_ms:.1f}× for a report step.")
    idle = max(r.idle_mb for r in results if r.bot not in (SCRIPTS[kind][0] for kind in ECHOES))
    lines.append(f"LiaisonBot's peak RSS after start-up: {idle:.0f} MB (target < 80 MB).")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(tuple(int(a) for a in sys.argv[1:]) or (5, 50))))
