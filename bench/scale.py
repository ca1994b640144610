"""Scale: N projects with 12 months of reports and N/5 issues. Times the import of an N-row sheet,
the monthly bulletin (figures, text and chart for all projects), the progress ledger (.xlsx), and
the peak memory of the process that did it (each size runs in its own child process)."""

from __future__ import annotations

import asyncio
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.commands import settle
from bot.domain.clock import FixedClock
from bot.domain.policy import Policy
from bot.formats import project_sheet
from bot.formats.project_sheet import PROJECT_HEADERS
from bot.services import bulletins, exports, registry
from bot.services.context import Context
from storage import Database, open_database
from storage.db import utc_text

TZ = ZoneInfo("Asia/Shanghai")
MONTH = "2026-12"
UNITS = 40
TARGETS = {"import_s": 10.0, "bulletin_s": 1.0, "ledger_s": 5.0, "rss_mb": 200.0}


def sheet(n: int) -> bytes:
    from openpyxl import Workbook  # the benchmark's own making of data: not in the bot's phases' memory

    book = Workbook(write_only=True)
    ws = book.create_sheet("项目")
    ws.append(list(PROJECT_HEADERS.values()))
    stages = ["续建", "新开工", "前期", "竣工"]
    for i in range(n):
        row = {"code": f"BX-{i:05d}", "name": f"测试项目{i:05d}", "tier": "重点" if i % 3 else "年度建设",
               "level": "县列", "stage": stages[i % 4], "industry": "交通", "location": "城关镇", "owner": "城投公司",
               "lead_unit": f"单位{i % UNITS:02d}", "responsible_units": f"单位{(i + 1) % UNITS:02d}",
               "lead_leader": f"领导{i % 12:02d}", "liaison": f"联络员{i % 2000:04d}",
               "total_investment": str(5000 + i % 900), "annual_plan": str(1200 + i % 300),
               "planned_start": "2026-03-01", "planned_end": "2027-12-31"}
        ws.append([row.get(field) for field in PROJECT_HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def seed_history(db: Database, issues: int) -> None:
    """12 months of one report per project (rising year-to-date) and `issues` issues in every status."""
    now = datetime(2026, 12, 28, 2, tzinfo=UTC)
    async with db.transaction() as tx:
        rows = await tx.all("SELECT pr.id, pr.annual_plan, pp.person_id FROM projects pr"
                            " JOIN project_people pp ON pp.project_id = pr.id AND pp.role = 'liaison'")
        await tx.executemany(
            "INSERT INTO monthly_reports (project_id, period, revision, reporter_id, ytd_completed, stage, progress,"
            " next_plan, submitted_at) VALUES (?, ?, 1, ?, ?, 'continuing', '主体施工', '继续施工', ?)",
            [(r["id"], f"2026-{m:02d}", r["person_id"], r["annual_plan"] * m * (70 + r["id"] % 40) // 1200,
              utc_text(now - timedelta(days=30 * (12 - m)))) for r in rows for m in range(1, 13)])
        statuses = ["open", "assigned", "acknowledged", "solved", "reopened", "closed"]
        await tx.executemany(
            "INSERT INTO issues (number, project_id, raised_by, category, description, level, status, created_at,"
            " updated_at, resolve_due, closed_at) VALUES (?, ?, ?, '用地', '征地未完成', ?, ?, ?, ?, ?, ?)",
            [(f"Q-2026-{i + 1:04d}", rows[i * 5 % len(rows)]["id"], rows[i * 5 % len(rows)]["person_id"], 1 + i % 3,
              statuses[i % 6], utc_text(now - timedelta(days=i % 200)), utc_text(now),
              utc_text(now - timedelta(days=i % 20 - 5)), utc_text(now) if i % 6 == 5 else None)
             for i in range(issues)])


async def import_sheet(n: int, folder: Path) -> dict:
    data = (folder / "projects.xlsx").read_bytes()
    db = await open_database(folder / "scale.db")
    try:
        started = time.perf_counter()
        parsed = await asyncio.to_thread(project_sheet.read_sheet, data, "projects.xlsx")
        async with db.transaction() as tx:
            report = await registry.apply_sheet(Context(tx, FixedClock(datetime(2026, 1, 5, 2, tzinfo=UTC)), Policy(),
                                                         ZoneInfo("Asia/Shanghai")), parsed, False)
        elapsed = time.perf_counter() - started
    finally:
        await db.close()
    assert report.created == n, report.errors[:3]
    return {"import_s": elapsed}


async def history(n: int, folder: Path) -> dict:
    db = await open_database(folder / "scale.db")
    try:
        await seed_history(db, n // 5)
    finally:
        await db.close()
    return {}


async def reports(n: int, folder: Path) -> dict:
    db = await open_database(folder / "scale.db")
    policy = Policy()
    try:
        timings = []
        for _ in range(2):  # the first in the process loads matplotlib and compiles the templates
            started = time.perf_counter()
            figures = await bulletins.gather(db.read, MONTH, None, policy, TZ)
            await bulletins.render(figures, policy, None, "全部项目")
            timings.append(time.perf_counter() - started)
            del figures  # a bot keeps no bulletin's figures once it is sent
        started = time.perf_counter()
        ledger = await exports.progress(db.read, MONTH, policy, TZ, None)
        ledger_s = time.perf_counter() - started
    finally:
        await db.close()
    return {"bulletin_s": timings[0], "bulletin_again_s": timings[1], "ledger_s": ledger_s,
            "ledger_kb": len(ledger) // 1024}


def peak_rss_mb() -> float:
    """This process's peak resident memory since its exec (VmHWM; getrusage's ru_maxrss would carry
    the high-water mark of the parent the process was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


async def write_sheet(n: int, folder: Path) -> dict:
    (folder / "projects.xlsx").write_bytes(sheet(n))
    return {}


PHASES = {"sheet": write_sheet, "import": import_sheet, "history": history, "reports": reports}
BOT_WORK = ("import", "reports")  # the phases that are the bot's own work: their peak memory counts


def run(sizes: tuple[int, ...] = (1_000, 10_000)) -> list[dict]:
    """Each phase in a fresh interpreter, so that the peak memory of the bot's work is its own and
    not the benchmark's making of the data."""
    results = []
    for n in sizes:
        found = {"projects": n, "reports": n * 12, "issues": n // 5, "rss_mb": 0.0}
        with tempfile.TemporaryDirectory() as folder:
            for phase in PHASES:
                out = subprocess.run([sys.executable, "-m", "bench.scale", phase, str(n), folder], check=True,
                                     capture_output=True, text=True)
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                rss = figures.pop("rss_mb")
                found |= figures
                if phase in BOT_WORK:
                    found["rss_mb"] = max(found["rss_mb"], rss)
        results.append(found)
    return results


def table(results: list[dict]) -> str:
    lines = ["| projects | reports | issues | import sheet | bulletin (figures + chart): first in the process |"
             " again | progress ledger | peak RSS |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['projects']:,} | {r['reports']:,} | {r['issues']:,} | {r['import_s']:.2f} s |"
                     f" {r['bulletin_s']:.2f} s | {r['bulletin_again_s']:.2f} s |"
                     f" {r['ledger_s']:.2f} s ({r['ledger_kb']:,} KB) | {r['rss_mb']:.0f} MB |")
    lines.append(f"| target at 10,000 | | | < {TARGETS['import_s']:.0f} s | < {TARGETS['bulletin_s']:.0f} s |"
                 f" < {TARGETS['bulletin_s']:.0f} s | < {TARGETS['ledger_s']:.0f} s | < {TARGETS['rss_mb']:.0f} MB |")
    if len(results) >= 2:
        small, big = results[0], results[-1]
        factor = big["projects"] / small["projects"]
        growth = ", ".join(f"{key.removesuffix('_s')} ×{big[key] / small[key]:.1f}"
                           for key in ("import_s", "bulletin_s", "ledger_s"))
        lines.append(f"\nGrowth from {small['projects']:,} to {big['projects']:,} projects (×{factor:.0f}): {growth}"
                     f" (×{factor:.0f} is linear).")
    return "\n".join(lines)


if __name__ == "__main__":
    phase, size, where = sys.argv[1:4]
    settle()  # as `liaisonbot run` does once started
    figures = asyncio.run(PHASES[phase](int(size), Path(where)))
    print(json.dumps(figures | {"rss_mb": peak_rss_mb()}))
