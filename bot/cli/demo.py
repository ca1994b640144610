"""`liaisonbot demo`: the sandbox, the real bot against it, a sample county and a scripted scene."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.app.process import BotProcess
from bot.app.sender import Limits
from bot.cli.demo_data import OUTLINE, sample_workbook
from bot.domain.clock import SystemClock
from bot.domain.periods import previous_month
from bot.domain.policy import Policy
from bot.domain.settings import Settings
from bot.formats import project_sheet
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.sandbox import Sandbox
from bot.services import registry
from bot.services.context import Context
from storage import open_database, projects, reports

ADMIN_ID = 900001
LIAISON_ID = 900002
WORKER_ID = 900003
LEADER_ID = 900004
GROUP_ID = -100900


async def run_demo(out: Callable[[str], None] = print, folder: Path | None = None,
                   dashboard: str | None = None, then: Callable[[str], Awaitable[object]] | None = None) -> None:
    """The scene; with `dashboard` (host:port) also 领导驾驶舱, served there, and a link that opens the demo
    leader's dashboard in any browser, kept up until `then(link)` is done (by default until Ctrl-C)."""
    sandbox = await Sandbox().start()
    with tempfile.TemporaryDirectory() as scratch:
        db_path = (folder or Path(scratch)) / "demo.db"
        outline = Path(scratch) / "qingshan.geojson"
        outline.write_text(json.dumps(OUTLINE, ensure_ascii=False), encoding="utf-8")
        settings = Settings(token=sandbox.token, api_base_url=sandbox.base_url, api_file_url=sandbox.file_url,
                            db=db_path, admin_ids=frozenset({ADMIN_ID}), dashboard_listen=dashboard,
                            dashboard_outline=outline if dashboard else None)
        db = await open_database(db_path)
        process = None
        try:
            sheet = project_sheet.read_sheet(sample_workbook(), "青山县重点项目.xlsx")
            async with db.transaction() as tx:
                report = await registry.apply_sheet(Context(tx, SystemClock(), Policy(), settings.tz), sheet,
                                                     skip_invalid=False)
            async with db.transaction() as tx:
                filed = await sample_reports(tx, SystemClock(), settings)
            out(f"== 青山县 sample data: {report.created} projects, {report.milestones} milestones, "
                f"{filed} monthly reports ==\n")
            # the scene's people answer instantly, so the per-chat pace is relaxed for the show
            process = await BotProcess(settings, db=db, limits=Limits(private_burst=30), schedule=False).start()
            await scene(sandbox, out)
            await bulletin_scene(sandbox, process, out)
            if dashboard:
                link = await dashboard_scene(sandbox, out)
                await (then(link) if then else asyncio.Event().wait())
        finally:
            if process:
                await process.stop()
            await db.close()
            await sandbox.stop()


def _code(text: str) -> str:
    return re.search(r"start=([A-Za-z0-9_-]+)", text).group(1)


async def scene(sandbox: Sandbox, out: Callable[[str], None]) -> None:
    admin = sandbox.user(ADMIN_ID, "王主任（项目中心）")
    liaison = sandbox.user(LIAISON_ID, "李娜")
    worker = sandbox.user(WORKER_ID, "钱工")
    stranger = sandbox.user(900099, "路人甲")

    # an administrator invites a liaison and a unit's staff member; they bind
    await admin.ask("/start")
    await liaison.ask(f"/start {_code((await admin.ask('/invite 李娜 联络员 QS-2026-001')).text)}")
    await worker.ask(f"/start {_code((await admin.ask('/invite 钱工 责任单位工作人员 县住建局')).text)}")
    await liaison.ask("/projects")
    await stranger.ask("/projects")

    # the liaison files the monthly report
    await liaison.ask("填报月报")
    await liaison.tap("QS-2026-001 新材料产业园标准化厂房项目")
    await liaison.ask("1,200")
    await liaison.tap("✅ 续建")
    await liaison.ask("3 号厂房主体封顶，4 号厂房基础施工")
    await liaison.tap("跳过")
    await liaison.tap(next(b for b in liaison.last().button_labels if b.startswith("主体封顶")))
    await liaison.tap("完成")
    await liaison.ask("4 号厂房主体施工，室外管网开工")
    await liaison.tap("✅ 提交")

    # she raises a blocking issue; the centre assigns it; it is solved and closed
    await liaison.ask("反映问题")
    await liaison.tap("QS-2026-001 新材料产业园标准化厂房项目")
    await liaison.tap("水电气讯配套")
    await liaison.ask("园区 10kV 线路未接通，设备无法调试")
    await liaison.ask("请供电公司 12 月 10 日前送电")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    await liaison.tap("✅ 提交")
    await sandbox.wait_for(lambda: "交办" in admin.last().button_labels)
    await admin.tap("交办")
    await admin.tap("县住建局")
    await admin.tap("钱工")
    await admin.tap("✅ 周建国")
    await admin.ask("协调供电公司制定送电方案")
    await admin.tap("否")
    await admin.tap(next(b for b in admin.last().button_labels if b.startswith("按规定期限")))
    await admin.tap("✅ 提交")
    await sandbox.wait_for(lambda: "签收" in worker.last().button_labels)
    await worker.tap("签收")
    await worker.ask("/issue Q-2026-0001")
    await worker.tap("办结")
    await worker.ask("供电公司已于 12 月 3 日送电，设备调试完成")
    await sandbox.wait_for(lambda: "满意销号" in liaison.last().button_labels)
    await liaison.tap("满意销号")
    await liaison.ask("/issue Q-2026-0001")

    # the centre schedules 周建国's dispatch meeting, records a decision of it and reads its agenda
    await admin.ask("/meeting")
    await admin.tap("调度会")
    await admin.tap("周建国")
    await admin.ask((date.today() + timedelta(days=2)).isoformat())
    await admin.tap("✅ 提交")
    await admin.ask("/decide")
    await admin.tap(admin.last().button_labels[0])
    await admin.tap("QS-2026-001 新材料产业园标准化厂房项目")
    await admin.ask("县住建局协调供电公司本月底前完成二期线路架设")
    await admin.tap("县住建局")
    await admin.tap("钱工")
    await admin.tap("周建国")
    await admin.ask((date.today() + timedelta(days=25)).isoformat())
    await admin.tap("✅ 提交")
    await admin.ask("/agenda")

    for title, user in (("项目中心管理员 王主任", admin), ("联络员 李娜", liaison),
                        ("责任单位 钱工", worker), ("陌生人", stranger)):
        out(f"── {title} 的对话 " + "─" * 30)
        out(sandbox.transcript(user.id))
        out("")


async def bulletin_scene(sandbox: Sandbox, process: BotProcess, out: Callable[[str], None]) -> None:
    """The administrator binds the county's group; the bulletin the monthly job publishes this month
    (on the 5th, for the month before) arrives there, whatever day the demo is run."""
    admin = sandbox.user(ADMIN_ID, "王主任（项目中心）")
    sandbox.group(GROUP_ID, "青山县重点项目调度群")
    await admin.ask("/bind", chat_id=GROUP_ID)
    await admin.tap("全部项目", chat_id=GROUP_ID)
    await admin.tap("月度投资快讯", chat_id=GROUP_ID)
    await admin.tap("完成", chat_id=GROUP_ID)
    await admin.tap("✅ 提交", chat_id=GROUP_ID)
    local = process.clock.now().astimezone(process.settings.tz)
    fifth = datetime(local.year, local.month, process.policy.bulletins.monthly_day, 9, 0, tzinfo=process.settings.tz)
    await run_job(process.db, JOBS["monthly-bulletin"], fifth, process.policy, process.settings.tz)
    process.sender.wake()
    await sandbox.wait_for(lambda: any("未报送月报" in (m.text or "") for m in sandbox.messages(GROUP_ID)), 60)
    out("── 群 青山县重点项目调度群 " + "─" * 30)
    out(sandbox.transcript(GROUP_ID))
    out("")


async def dashboard_scene(sandbox: Sandbox, out: Callable[[str], None]) -> str:
    """The project's lead leader binds; the dashboard becomes their menu button, whose link is printed."""
    admin, leader = sandbox.user(ADMIN_ID, "王主任（项目中心）"), sandbox.user(LEADER_ID, "周建国")
    await leader.ask(f"/start {_code((await admin.ask('/invite 周建国 包联领导')).text)}")
    await sandbox.wait_for(lambda: LEADER_ID in sandbox.world.menu_buttons)
    out("── 领导驾驶舱 " + "─" * 30)
    out("周建国's dashboard (his menu button, signed as Telegram signs it) — open it in a browser:")
    link = sandbox.mini_app_link(LEADER_ID)
    out(link)
    out("Ctrl-C stops the demo.")
    return link


async def sample_reports(tx, clock: SystemClock, settings: Settings) -> int:
    """Last month's reports for most projects, some on pace and some behind, so the bulletin (which
    is about last month) has greens, yellows and reds. Filed in the liaisons' names, on time."""
    period = previous_month(clock.now().astimezone(settings.tz).date())
    filed = 0
    for n, project in enumerate(await projects.all_active(tx)):
        if n % 6 == 5 or project.liaison_id is None or project.code == "QS-2026-001":
            continue  # a few missing, and the one the scene's liaison files herself
        share = (0.95, 0.85, 0.7, 0.6, 0.4)[n % 5]
        ytd = min(project.total_investment, int(project.annual_plan * share * int(period[5:]) / 12))
        today = clock.now().astimezone(settings.tz).date()
        due = [m for m in await projects.milestones(tx, project.id) if m.due_date <= today]
        reached = [] if n % 7 == 3 else [m.id for m in due]
        funds = project.planned_funds(int(period[:4]))
        await reports.add_revision(tx, project_id=project.id, period=period, reporter_id=project.liaison_id,
                                   ytd_completed=ytd, stage=project.stage.value, progress="按计划推进",
                                   photos=[], milestones_reached=reached, next_plan="继续施工", now=clock.now(),
                                   late=False, funds_arrived=int(funds * share) if funds else None)
        for milestone in due if reached else []:  # reached on time, most of them
            await projects.mark_milestones_reached(tx, project.id, [milestone.id], milestone.due_date)
        filed += 1
    return filed
