"""`liaisonbot demo`: the sandbox, the real bot against it, a sample county and a scripted scene."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot import importing
from bot.app import BotProcess
from bot.clock import SystemClock
from bot.demo_data import sample_workbook
from bot.sandbox import Sandbox
from bot.services import registry
from bot.settings import Settings
from storage import Database

ADMIN_ID = 900001
LIAISON_ID = 900002


async def run_demo(out: Callable[[str], None] = print, folder: Path | None = None) -> None:
    sandbox = await Sandbox().start()
    with tempfile.TemporaryDirectory() as scratch:
        db_path = (folder or Path(scratch)) / "demo.db"
        settings = Settings(token=sandbox.token, api_base_url=sandbox.base_url,
                            api_file_url=sandbox.file_url, db=db_path, admin_ids=frozenset({ADMIN_ID}))
        db = await Database.open(db_path)
        process = None
        try:
            sheet = importing.read_sheet(sample_workbook(), "青山县重点项目.xlsx")
            async with db.transaction() as tx:
                report = await registry.apply_sheet(tx, SystemClock(), sheet, skip_invalid=False)
            out(f"== 青山县 sample data: {report.created} projects, {report.milestones} milestones ==\n")
            process = await BotProcess(settings, db=db).start()
            await scene(sandbox, out)
        finally:
            if process:
                await process.stop()
            await db.close()
            await sandbox.stop()


async def scene(sandbox: Sandbox, out: Callable[[str], None]) -> None:
    admin = sandbox.user(ADMIN_ID, "王主任（项目中心）")
    liaison = sandbox.user(LIAISON_ID, "李娜")
    await admin.ask("/start")
    invite = await admin.ask("/invite 李娜 liaison QS-2026-001")
    code = re.search(r"start=([A-Za-z0-9_-]+)", invite.text).group(1)
    await liaison.ask(f"/start {code}")
    await liaison.ask("/projects")
    stranger = sandbox.user(900099, "路人甲")
    await stranger.ask("/projects")
    for title, user in (("项目中心管理员 王主任", admin), ("联络员 李娜", liaison), ("陌生人", stranger)):
        out(f"── {title} 的对话 " + "─" * 30)
        out(sandbox.transcript(user.id))
        out("")
