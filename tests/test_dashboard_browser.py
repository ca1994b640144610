"""领导驾驶舱 in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright) at a phone's size
opens the page as Telegram would — signed launch data from the sandbox, `window.Telegram.WebApp` provided
here —, shows the figures the database holds, filters the projects, opens a project's file with its
photo, and a leader's 批示 on a problem is recorded and reaches the person responsible.

Screenshots go to $DASHBOARD_SCREENSHOTS (docs/dashboard/ is made that way) or the test's own folder.
Without Chromium or Playwright these tests are skipped, and the summary says why (-rs)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bot.app.process import BotProcess
from bot.domain.money import wan
from bot.formats.project_sheet import read_sheet
from bot.services import registry
from bot.services.context import Context
from tests.conftest import fast_limits
from tests.helpers import LEADER, POLICY, TZ, WORKER, assigned_issue, local, project_row, xlsx
from tests.test_dashboard_api import _report_with_photo

playwright_api = pytest.importorskip("playwright.async_api",
                                     reason="Playwright is not installed (pip install -e '.[test]')")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine: the dashboard's browser tests "
                                "need Debian's chromium and fonts-noto-cjk (apt install chromium fonts-noto-cjk)")
PHONE = {"width": 390, "height": 844}
OUTLINE = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
    [117.10, 31.70], [117.40, 31.68], [117.45, 31.90], [117.25, 32.00], [117.08, 31.88], [117.10, 31.70]]]}}


@pytest.fixture
async def served(settings, db, clock, sandbox, team, tmp_path):
    """The bot with the dashboard, three projects placed on the map, a report with a photo, an overdue problem."""
    rows = [project_row("JC-2026-001", longitude="117.23", latitude="31.82"),
            project_row("JC-2026-002", name="污水处理厂", longitude="117.30", latitude="31.75"),
            project_row("JC-2026-003", liaison="张伟", lead_unit="县水利局", longitude="117.18", latitude="31.93")]
    async with db.transaction() as tx:
        assert (await registry.apply_sheet(Context(tx, clock, POLICY, TZ), read_sheet(xlsx(rows), "p.xlsx"),
                                           False)).errors == []
    await _report_with_photo(db, clock, sandbox)
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    outline = tmp_path / "county.geojson"
    outline.write_text(json.dumps(OUTLINE))
    for who, name in ((LEADER, "周建国"), (WORKER, "钱工")):
        sandbox.user(who, name)
    process = await BotProcess(settings.model_copy(update={"dashboard_listen": "127.0.0.1:0",
                                                           "dashboard_outline": outline}),
                               clock=clock, db=db, limits=fast_limits(), schedule=False).start()
    yield process, issue_id
    await process.stop()


@pytest.fixture
async def phone():
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                            locale="zh-CN")
        yield context
        await browser.close()


def shots() -> Path:
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or Path(os.environ.get("TMPDIR", "/tmp")) / "dashboard")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_a_leader_opens_the_dashboard_reads_filters_opens_a_file_and_instructs(served, phone, sandbox, db,
                                                                                     clock):
    process, issue_id = served
    await sandbox.wait_for(lambda: LEADER in sandbox.world.menu_buttons)  # offered at start
    address = sandbox.world.menu_buttons[LEADER]["web_app"]["url"]
    launch = sandbox.launch_data(LEADER, at=clock.now().timestamp())
    await phone.add_init_script(
        f"window.Telegram = {{WebApp: {{initData: {json.dumps(launch)}, ready() {{}}, expand() {{}}}}}};")
    page = await phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(address)
    await page.wait_for_selector("body[data-ready='1']")
    folder = shots()
    await page.add_style_tag(content="nav#tabs { position: static; }")  # whole pages, the tab bar at their foot

    # 总览: the figures the database holds
    plan = await db.read.scalar("SELECT SUM(annual_plan) FROM projects WHERE active = 1")
    done = await db.read.scalar("SELECT SUM(ytd_completed) FROM monthly_reports")
    open_problems = await db.read.scalar("SELECT COUNT(*) FROM issues WHERE status <> 'closed'")
    assert await page.inner_text("[data-figure=plan] .value") == wan(plan)
    assert await page.inner_text("[data-figure=ytd] .value") == wan(done)
    assert await page.inner_text("[data-figure=projects] .value") == "3"
    assert await page.inner_text("[data-figure=problems] .value") == str(open_problems)
    assert "2026年10月" in await page.inner_text("[data-figure=judged]")
    await page.wait_for_selector(".chart canvas")
    await page.screenshot(path=folder / "overview.png", full_page=True)

    await page.click("#tabs [data-tab=ranking]")
    await page.wait_for_selector("[data-ranking=lead_unit] tbody tr")
    assert (await page.inner_text("[data-ranking=lead_unit] tbody tr")).split("\t")[:2] == ["1", "县交通局"]
    await page.screenshot(path=folder / "ranking.png", full_page=True)

    # 项目: search, then one flag
    await page.click("#tabs [data-tab=projects]")
    await page.wait_for_selector("[data-project]")
    assert len(await page.query_selector_all("[data-project]")) == 3
    await page.fill("input[name=q]", "污水")
    await page.dispatch_event("input[name=q]", "change")
    await page.wait_for_function("document.querySelectorAll('[data-project]').length === 1")
    assert await page.get_attribute("[data-project]", "data-project") == "JC-2026-002"
    await page.fill("input[name=q]", "")
    await page.dispatch_event("input[name=q]", "change")
    await page.wait_for_function("document.querySelectorAll('[data-project]').length === 3")
    await page.screenshot(path=folder / "projects.png", full_page=True)

    # 档案 with the report's photo, fetched through the bot
    await page.click("[data-project='JC-2026-001'] button")
    await page.wait_for_selector("[data-dossier='JC-2026-001']")
    await page.wait_for_function("(() => { const i = document.querySelector('img[data-photo]');"
                                 " return i && i.complete && i.naturalWidth === 64; })()")
    assert "主体完工" in await page.inner_text("[data-report='2026-10']")
    await page.screenshot(path=folder / "project.png", full_page=True)

    # 问题: 批示, recorded and told to the person responsible
    await page.click("#tabs [data-tab=problems]")
    number = await db.read.scalar("SELECT number FROM issues WHERE id = ?", (issue_id,))
    await page.click(f"[data-problem='{number}'] [data-action=instruct]")
    await page.fill(f"[data-problem='{number}'] textarea[name=text]", "请住建局本周内协调送电")
    await page.screenshot(path=folder / "problems.png", full_page=True)
    await page.click(f"[data-problem='{number}'] button[type=submit]")
    await page.wait_for_selector("#toast:not([hidden])")
    assert "批示" in await page.inner_text("#toast")
    event = await db.read.one("SELECT kind, text FROM issue_events WHERE issue_id = ? ORDER BY id DESC", (issue_id,))
    assert (event["kind"], event["text"]) == ("instruct", "请住建局本周内协调送电")
    await sandbox.wait_for(lambda: any("请住建局本周内协调送电" in m.text for m in sandbox.messages(WORKER)))

    # 地图: the operator's outline and each placed project
    await page.click("#tabs [data-tab=map]")
    await page.wait_for_selector("svg.map circle")
    assert len(await page.query_selector_all("svg.map circle")) == 3
    assert len(await page.query_selector_all("svg.map polyline")) == 1
    await page.screenshot(path=folder / "map.png", full_page=True)
    assert errors == []


async def test_the_menu_buttons_link_opens_the_page_and_a_forged_one_is_refused(served, phone, sandbox, clock):
    await sandbox.wait_for(lambda: LEADER in sandbox.world.menu_buttons)
    page = await phone.new_page()
    await page.goto(sandbox.mini_app_link(LEADER, at=clock.now().timestamp()))  # the launch data in the fragment
    await page.wait_for_selector("body[data-ready='1']")
    assert await page.inner_text("#who") == "周建国"
    forged = sandbox.mini_app_link(LEADER, at=clock.now().timestamp()).replace("tgWebAppData=auth_date%3D",
                                                                               "tgWebAppData=auth_date%3D1")
    await page.goto("about:blank")
    await page.goto(forged)
    await page.wait_for_function("document.getElementById('status').classList.contains('error')")
    assert "登录信息无效" in await page.inner_text("#status")
    assert await page.is_hidden("#tabs")
