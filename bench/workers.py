"""Several workers: the throughput benchmark's liaisons (each files a monthly report, 7 updates) against
LiaisonBot on SQLite (one process, long polling) and on PostgreSQL with one and with three `liaisonbot run
--webhook` workers behind a round-robin balancer, the sandbox posting webhooks as Telegram does. With
Telegram's limits lifted (the bots' own cost) and enforced (messages/s held at the ceiling). CPU is the bot
processes' and, on PostgreSQL, the database server's, per update handled."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.throughput import FIRST_ID, STEPS, Run, _report, _seed, cpu_seconds
from bot.sandbox.balancer import Balancer
from bot.sandbox.server import TOKEN, Sandbox

SHAPES = (("SQLite, one process (polling)", "sqlite", 1),
          ("PostgreSQL, one worker (webhook)", "postgresql", 1),
          ("PostgreSQL, three workers (webhook)", "postgresql", 3))


@dataclass
class WorkersRun(Run):
    paced: bool = False
    db_cpu: float = 0.0  # the PostgreSQL server's CPU seconds over the run (SQLite's is in the bot's)
    messages: int = 0  # sendMessage calls
    violations: int = 0  # calls the sandbox refused with 429

    @property
    def db_cpu_ms(self) -> float:
        return self.db_cpu / self.updates * 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_cpu(data: Path) -> float:
    """CPU seconds of the PostgreSQL server: its postmaster and every process it started."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    total = cpu_seconds(postmaster)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    total += cpu_seconds(int(entry.name))
            except (OSError, ValueError):
                continue  # gone meanwhile
    return total


async def _ready(ports: list[int]) -> None:
    async with aiohttp.ClientSession() as http:
        for port in ports:
            for _ in range(600):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)  # a starting process, not a clock under test
            else:
                raise RuntimeError(f"the worker on port {port} never became ready")


async def measure(label: str, backend: str, workers: int, n: int, paced: bool, server) -> WorkersRun:
    sandbox = await Sandbox().start()
    sandbox.limits.enforce = paced
    balancer = Balancer()
    children: list[subprocess.Popen] = []
    database = f"bench_{os.getpid()}_{workers}_{n}_{int(paced)}"
    folder = tempfile.TemporaryDirectory()
    try:
        if backend == "sqlite":
            db = str(Path(folder.name) / "bench.db")
        else:
            server.admin(f"CREATE DATABASE {database}")
            db = server.url(database)
        await _seed(db, n)
        bot = [sys.executable, "-m", "bench.bots", "liaison", TOKEN, sandbox.base_url, sandbox.file_url, db,
               "paced" if paced else "free"]
        ports: list[int] = []
        if backend == "sqlite":
            children.append(subprocess.Popen(bot))  # noqa: ASYNC220 - started once, before the measurement
        else:
            public = await balancer.start()
            ports = [_free_port() for _ in range(workers)]
            balancer.workers = [f"http://127.0.0.1:{port}/telegram" for port in ports]
            children += [subprocess.Popen([*bot, f"{public} 127.0.0.1:{port}"]) for port in ports]  # noqa: ASYNC220
            await _ready(ports)
        await sandbox.user(FIRST_ID - 1, "warm-up").ask("/help", timeout=60)  # the bot is up and answering
        users = [sandbox.user(FIRST_ID + i, f"联络员{i:04d}") for i in range(n)]
        server_cpu = (lambda: _server_cpu(server.folder / "data")) if backend == "postgresql" else (lambda: 0.0)
        latencies: list[float] = []
        calls, refused = len(sandbox.world.api_calls), sandbox.limits.violations
        started, cpu, db_cpu = time.perf_counter(), sum(cpu_seconds(c.pid) for c in children), server_cpu()
        await asyncio.gather(*(_report(user, latencies) for user in users))
        seconds = time.perf_counter() - started
        cpu, db_cpu = sum(cpu_seconds(c.pid) for c in children) - cpu, server_cpu() - db_cpu
        messages = sum(method == "sendMessage" for _, method, _ in sandbox.world.api_calls[calls:])
        return WorkersRun(label, n, n * STEPS, seconds, latencies, cpu, paced=paced, db_cpu=db_cpu,
                          messages=messages, violations=sandbox.limits.violations - refused)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(30)
        if balancer.workers:
            await balancer.stop()
        await sandbox.stop()
        if backend == "postgresql":
            server.drop(database)
        folder.cleanup()


def run(free: tuple[int, ...] = (50, 200), paced: tuple[int, ...] = (100,)) -> tuple[list[WorkersRun], str]:
    """The runs, and why PostgreSQL's are missing if they are."""
    from tests import postgres

    server, why = postgres.start()
    results = []
    try:
        for n, enforce in [(n, False) for n in free] + [(n, True) for n in paced]:
            for label, backend, workers in SHAPES:
                if backend == "postgresql" and server is None:
                    continue
                print(f"  {label}, {n} users, limits {'enforced' if enforce else 'lifted'}…", file=sys.stderr)
                results.append(asyncio.run(measure(label, backend, workers, n, enforce, server)))
    finally:
        if server is not None:
            server.stop()
    return results, why


def table(results: list[WorkersRun], why: str = "") -> str:
    lines = ["| Telegram's limits | users | shape | updates/s | p50 | p99 | CPU per update: bot | database | messages/s"
             " | 429s |", "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {'enforced' if r.paced else 'lifted'} | {r.users} | {r.bot} | {r.rate:.1f} |"
                     f" {r.pct(50):.0f} ms | {r.pct(99):.0f} ms | {r.cpu_ms:.2f} ms | {r.db_cpu_ms:.2f} ms |"
                     f" {r.messages / r.seconds:.1f} | {r.violations} |")
    if why:
        lines.append(f"\nPostgreSQL rows missing: {why}.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(*run()))
