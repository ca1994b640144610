"""`python -m bench [throughput] [fanout] [scale] [workers]`: run the benchmarks (all by default), print
their tables and write them to docs/benchmarks.md with the machine they ran on."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from datetime import datetime
from pathlib import Path

from bench import fanout, scale, throughput, workers

OUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
INTRO = {
    "throughput": "## 1. CPU per update, latency and memory against the framework's floor\n\nA bare "
                  "python-telegram-bot echo bot answers each message (the floor: what the framework and this "
                  "sandbox cost), on PTB's own HTTP client (httpx) and on the one LiaisonBot uses (aiohttp); "
                  "LiaisonBot answers `/projects` 7 times (a read) and takes each person through a monthly report "
                  "(7 updates: menu, amount, stage, progress, photos skipped, next month's plan, submit — each a "
                  "write), with 5 people at once (light load) and 50, each person going through it again until "
                  "the run has 350 updates; the four bots in turn, three rounds (each bot's round with the median "
                  "CPU per update is shown). Each bot runs in its own process against the same sandbox, "
                  "Telegram's limits lifted (LiaisonBot's pacing too). CPU per update is the bot process's user "
                  "and system time (from /proc) over the run, divided by the updates; Bot API calls count "
                  "getUpdates too; SQL statements are those LiaisonBot's SQLite ran (SQLite's trace callback; "
                  "BEGIN and COMMIT count); RSS after start is the bot's peak once started and answering, before "
                  "the load.",
    "fanout": "## 2. Fan-out under Telegram's limits\n\nThe month-end reminder job and the monthly "
              "bulletin job queue their messages; LiaisonBot delivers them to the sandbox enforcing "
              "Telegram's limits (≈30/s in all, 1/s per private chat after a burst of 3, 20/min per group).",
    "scale": "## 3. Scale\n\nN projects with 12 months of reports and N/5 issues; each phase in its own "
             "process. The bulletin is the figures, the text and the chart for all projects; the "
             "ledger is the .xlsx progress ledger. Peak RSS is the largest of the bot's phases.",
    "workers": "## 4. SQLite and PostgreSQL, one worker and three\n\nThe monthly reports of section 1 against "
               "LiaisonBot on SQLite (one process, long polling) and on PostgreSQL with one and with three "
               "`liaisonbot run --webhook` workers behind a round-robin balancer, the sandbox posting webhooks "
               "as Telegram does (up to 40 at once, one chat's in order). PostgreSQL is Debian's, on a Unix "
               "socket, started by the benchmark as the test suite starts it (fsync off, as SQLite's "
               "synchronous=NORMAL does not wait for the disk either). CPU per update is the bot processes' "
               "and the database server's. With Telegram's limits lifted (and the bot's pacing), then enforced.",
}


def main(argv: list[str]) -> None:
    chosen = argv or ["throughput", "fanout", "scale", "workers"]
    sections = []
    for name in chosen:
        print(f"running {name}…", file=sys.stderr)
        if name == "throughput":
            body = throughput.table(throughput.run())
        elif name == "fanout":
            body = fanout.table(asyncio.run(fanout.measure()))
        elif name == "scale":
            body = scale.table(scale.run())
        elif name == "workers":
            body = workers.table(*workers.run())
        else:
            raise SystemExit(f"no benchmark called {name!r}: throughput, fanout, scale or workers")
        print(body + "\n")
        sections.append(f"{INTRO[name]}\n\n{body}\n")
    machine = (f"{platform.node() or 'this machine'}: {os.cpu_count()} CPUs, {platform.machine()}, "
               f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    header = (f"# Benchmarks\n\nWritten by `python -m bench {' '.join(chosen)}` on "
              f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {machine}. Shared machines are noisy: "
              "compare the figures of one run with each other, not across runs.\n")
    OUT.write_text(header + "\n" + "\n".join(sections) + _notes(), encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)


def _notes() -> str:
    notes = Path(__file__).with_name("NOTES.md")
    return "\n" + notes.read_text(encoding="utf-8") if notes.exists() else ""


if __name__ == "__main__":
    main(sys.argv[1:])
