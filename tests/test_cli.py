"""The liaisonbot command: template, import, invite, migrate, backup, help, demo."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import aiohttp
from openpyxl import load_workbook

from bot.cli.demo import run_demo
from bot.domain.periods import previous_month
from storage import open_database
from tests.helpers import project_row, xlsx


def _cli(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISONBOT_")}
    env["LIAISONBOT_DB"] = str(cwd / "cli.db")
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)


def test_help_names_every_subcommand(tmp_path):
    result = _cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "demo", "import", "template", "invite", "migrate", "backup"):
        assert command in result.stdout
    assert "联络员" in result.stdout
    assert "--skip-invalid" in _cli("import", "projects", "--help", cwd=tmp_path).stdout


def test_template_then_import_then_reimport(tmp_path):
    assert _cli("template", "projects", "t.xlsx", cwd=tmp_path).returncode == 0
    assert load_workbook(tmp_path / "t.xlsx")["项目"]["M1"].value == "总投资(万元)"
    (tmp_path / "p.xlsx").write_bytes(xlsx([project_row("JC-1"), project_row("JC-2")]))
    first = _cli("import", "projects", "p.xlsx", cwd=tmp_path)
    assert first.returncode == 0 and "新增 2 个项目" in first.stdout
    again = _cli("import", "projects", "p.xlsx", "--lang", "en", cwd=tmp_path)
    assert "0 new, 0 updated, 2 unchanged" in again.stdout


def test_a_bad_import_exits_1_and_lists_every_problem(tmp_path):
    (tmp_path / "p.xlsx").write_bytes(xlsx([project_row("JC-1", stage="挖坑"), project_row("JC-1")]))
    result = _cli("import", "projects", "p.xlsx", cwd=tmp_path)
    assert result.returncode == 1
    assert "第 2 行 建设阶段：'挖坑' 不是可选的值" in result.stdout
    assert "--skip-invalid" in result.stdout
    count = sqlite3.connect(tmp_path / "cli.db").execute("SELECT COUNT(*) FROM projects").fetchone()[0]
    assert count == 0
    missing = _cli("import", "projects", "nope.xlsx", cwd=tmp_path)
    assert missing.returncode == 1 and "无法读取 nope.xlsx" in missing.stdout


def test_invite_without_a_token_prints_the_start_command(tmp_path):
    (tmp_path / "p.xlsx").write_bytes(xlsx([project_row("JC-1")]))
    _cli("import", "projects", "p.xlsx", cwd=tmp_path)
    result = _cli("invite", "--name", "李娜", "--role", "liaison", "--project", "JC-1", cwd=tmp_path)
    assert result.returncode == 0 and "/start " in result.stdout
    unknown = _cli("invite", "--name", "李娜", "--role", "liaison", "--project", "JC-404", cwd=tmp_path)
    assert unknown.returncode == 1 and "没有找到项目编号 JC-404" in unknown.stdout


def test_migrate_records_versions_and_is_idempotent(tmp_path):
    first = _cli("migrate", cwd=tmp_path)
    assert "已应用：0001_foundation.sql" in first.stdout
    again = _cli("migrate", cwd=tmp_path)
    assert "数据库已是最新" in again.stdout
    rows = sqlite3.connect(tmp_path / "cli.db").execute("SELECT version, name FROM schema_version").fetchall()
    assert rows[0] == (1, "0001_foundation.sql")
    mode = sqlite3.connect(tmp_path / "cli.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


async def test_backup_is_consistent_while_writes_go_on(tmp_path):
    db = await open_database(tmp_path / "live.db")
    stop = asyncio.Event()

    async def writer():
        n = 0
        while not stop.is_set():
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO units (name) VALUES (?)", (f"单位{n}",))
            n += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.05)
    await db.backup(tmp_path / "copy.db")
    stop.set()
    await task
    await db.close()
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM units").fetchone()[0] > 0


def test_backup_command(tmp_path):
    _cli("migrate", cwd=tmp_path)
    result = _cli("backup", "b.db", cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "b.db").exists()


async def test_demo_plays_the_scene():
    lines: list[str] = []
    await run_demo(lines.append)
    text = "\n".join(lines)
    assert "30 projects" in text
    assert "李娜，您好！您已登记为联络员" in text
    assert "我的项目（共 3 个）" in text
    assert "只为项目中心登记的人员服务" in text
    assert "已提交 QS-2026-001 新材料产业园标准化厂房项目 2026年" in text
    assert "已提交，编号 Q-2026-0001" in text and "已销号。感谢反馈" in text
    assert "本群已绑定：全部项目" in text and "[图片] 《投资快讯》" in text and "二、牵头单位排名" in text
    assert "资金到位率" in text and "七、单位工作情况" in text  # the 通报 sections, on the sample data
    assert "已记录议定事项 Y-2026-0001" in text and "调度会议程（周建国主持" in text  # a meeting, its decision
    last_month = previous_month(datetime.now(ZoneInfo("Asia/Shanghai")).date())
    assert f"《投资快讯》{last_month[:4]}年第{int(last_month[5:])}期" in text  # what the job publishes this month


async def test_demo_with_the_dashboard_prints_a_link_that_opens_the_leaders_dashboard():
    lines: list[str] = []
    seen = {}

    async def open_it(link: str) -> None:
        address, _, fragment = link.partition("#")
        launch = parse_qs(fragment)["tgWebAppData"][0]
        async with aiohttp.ClientSession() as http:
            async with http.get(address) as page:
                seen["page"] = page.status
            async with http.get(address + "api/overview", headers={"Authorization": f"tma {launch}"}) as answer:
                seen["overview"] = await answer.json()
            async with http.get(address + "api/map", headers={"Authorization": f"tma {launch}"}) as answer:
                seen["map"] = await answer.json()

    await run_demo(lines.append, dashboard="127.0.0.1:0", then=open_it)
    assert seen["page"] == 200 and seen["overview"]["person"] == "周建国" and seen["overview"]["projects"] == 30
    assert len(seen["map"]["points"]) == 30 and seen["map"]["outline"]["properties"]["name"] == "青山县"
    assert any(line.startswith("http://127.0.0.1:") and "#tgWebAppData=" in line for line in lines)


def test_jobs_list_and_run_once_per_period(tmp_path):
    listing = _cli("jobs", "list", cwd=tmp_path)
    assert listing.returncode == 0
    for name in ("weekly-update-request", "monthly-report-countdown", "issue-clocks"):
        assert name in listing.stdout
    dry = _cli("jobs", "run", "issue-clocks", "--at", "2026-12-01T09:00", "--dry-run", cwd=tmp_path)
    assert "试运行，将发送 0 条" in dry.stdout
    first = _cli("jobs", "run", "issue-clocks", "--at", "2026-12-01T09:00", cwd=tmp_path)
    assert "issue-clocks（2026-12-01T09:00）：已排入 0 条" in first.stdout
    again = _cli("jobs", "run", "issue-clocks", "--at", "2026-12-01T09:10", cwd=tmp_path)
    assert "本期已运行过" in again.stdout
    assert _cli("jobs", "run", "nope", "--at", "2026-12-01T09:00", cwd=tmp_path).returncode == 1
    assert _cli("jobs", "run", "issue-clocks", "--at", "tomorrow", cwd=tmp_path).returncode == 1


def test_bulletin_preview_writes_text_and_chart(tmp_path):
    (tmp_path / "p.xlsx").write_bytes(xlsx([project_row("JC-1"), project_row("JC-2", lead_unit="县水利局")]))
    _cli("import", "projects", "p.xlsx", cwd=tmp_path)
    result = _cli("bulletin", "--month", "2026-10", "--scope", "unit:县水利局", "--preview", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (tmp_path / "out" / "bulletin.txt").read_text(encoding="utf-8")
    assert "《投资快讯》2026年第10期（牵头单位 县水利局）" in text and "共 1 个项目" in text and "<b>" not in text
    assert (tmp_path / "out" / "chart.png").read_bytes().startswith(b"\x89PNG")
    bad = _cli("bulletin", "--month", "2026-10", "--scope", "unit:无此单位", "--preview", "out", cwd=tmp_path)
    assert bad.returncode == 1 and "没有名为 无此单位 的单位" in bad.stdout
