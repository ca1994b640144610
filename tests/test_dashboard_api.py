"""领导驾驶舱's API beyond the overview: 排名, a project's 档案 with its photos fetched through the bot, actions on a
problem through the same services as the alert buttons, the map, and how people are offered the dashboard
(the menu button, 打开驾驶舱 on a leader's alerts, a link in a group)."""

from __future__ import annotations

import io
import json

import aiohttp
import pytest
from PIL import Image

from bot.app.dashboard import read_outline
from bot.domain.errors import ConfigError
from bot.domain.webapp import sign
from bot.formats.project_sheet import read_sheet
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import dashboard as dashboard_service
from bot.services import delivery, registry
from bot.services import issues as issue_service
from bot.services.context import Context
from storage import groups, people, reports
from tests.helpers import (
    ADMIN,
    HEAD,
    LEADER,
    LIAISON,
    POLICY,
    TZ,
    WORKER,
    assigned_issue,
    local,
    project_row,
    raised_issue,
    xlsx,
)


def png(colour: str = "steelblue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()


def signed(who: int, at, token: str) -> str:
    user = json.dumps({"id": who, "first_name": "x", "language_code": "zh-hans"})
    return sign({"auth_date": str(int(at.timestamp())), "user": user}, token)


@pytest.fixture
async def ask(dashboard, settings, clock):
    """ask(method, path, who, body=None) → (status, json or bytes) as `who` (None: no sign-in)."""
    async with aiohttp.ClientSession() as http:
        async def call(method: str, path: str, who: int | None, body: object = None):
            headers = {"Authorization": f"tma {signed(who, clock.now(), settings.token_value())}"} if who else {}
            async with http.request(method, dashboard.address + "api/" + path, headers=headers, json=body) as answer:
                assert answer.headers.get("Cache-Control") == "no-store"
                data = await answer.json() if answer.content_type == "application/json" else await answer.read()
                return answer.status, data
        yield call


async def _report_with_photo(db, clock, sandbox, code: str = "JC-2026-001", ytd: int = 30_000_000) -> bytes:
    picture = png()
    file_id = sandbox.world.store_file(picture, "site.png").file_id
    async with db.transaction() as tx:
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = ?", (code,))
        liaison = await tx.scalar("SELECT id FROM people WHERE name = '李娜'")
        await reports.add_revision(tx, project_id=project_id, period="2026-10", reporter_id=liaison,
                                   ytd_completed=ytd, stage="continuing", progress="主体完工", photos=[file_id],
                                   milestones_reached=[], next_plan="路面施工", now=clock.now(), late=False)
    return picture


async def test_the_ranking_keeps_to_the_scope_and_the_scorecard_to_those_who_see_everything(ask, team, db, clock,
                                                                                           sandbox):
    await _report_with_photo(db, clock, sandbox)
    status, leader = await ask("GET", "ranking", LEADER)
    assert status == 200 and leader["judged"] == "2026-10"
    [by_unit] = leader["rankings"]
    assert [(u["unit"], u["projects"], u["rank"]) for u in by_unit["units"]] == [("县交通局", 2, 1), ("县水利局", 1, 2)]
    assert by_unit["units"][0]["rate_text"] == "31.2%"  # 3,000 万 of 2 × 4,800 万 (31.25, as the 快讯 rounds it)
    assert {s["unit"] for s in leader["scores"]} >= {"县交通局", "县水利局"}
    status, liaison = await ask("GET", "ranking", LIAISON)
    assert [u["unit"] for u in liaison["rankings"][0]["units"]] == ["县交通局"] and liaison["scores"] == []


async def test_a_project_file_shows_its_report_photo_and_problems_only_to_those_who_see_it(ask, team, db, clock,
                                                                                           sandbox):
    picture = await _report_with_photo(db, clock, sandbox)
    await assigned_issue(db, local(2026, 11, 2, 10, 0))
    status, file = await ask("GET", "project?code=jc-2026-001", LIAISON)
    assert status == 200 and (file["code"], file["ytd_text"]) == ("JC-2026-001", "3,000")
    [report] = file["reports"]
    assert (report["period"], report["photos"], report["progress"]) == ("2026-10", 1, "主体完工")
    [problem] = file["problems"]
    assert [h["what"] for h in problem["history"]] == ["反映问题", "交办"]
    assert {"label": "包联领导", "value": "周建国"} in file["fields"]
    status, body = await ask("GET", "photo?project=JC-2026-001&period=2026-10&n=0", LIAISON)
    assert status == 200 and body == picture
    # someone else's project, a photo that is not there, no sign-in
    status, body = await ask("GET", "project?code=JC-2026-003", LIAISON)
    assert status == 404 and "JC-2026-003" in body["error"]
    for query in ("project=JC-2026-003&period=2026-10&n=0", "project=JC-2026-001&period=2026-10&n=1",
                  "project=JC-2026-001&period=2026-13&n=0", "project=JC-2026-001&period=2026-10&n=-1"):
        assert (await ask("GET", f"photo?{query}", LIAISON))[0] == 404
    assert (await ask("GET", "photo?project=JC-2026-001&period=2026-10&n=0", None))[0] == 401


async def test_a_leader_instructs_from_the_dashboard_and_the_person_responsible_is_told(ask, team, db, sandbox,
                                                                                         clock):
    sandbox.user(WORKER, "钱工")
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    number = await db.read.scalar("SELECT number FROM issues WHERE id = ?", (issue_id,))
    [listed] = (await ask("GET", "problems", LEADER))[1]
    assert set(listed["actions"]) == {"assign", "instruct", "extend", "flag"}
    status, line = await ask("POST", f"problems/{number}/instruct", LEADER, {"text": "本周内协调供电公司送电"})
    assert status == 200 and line["number"] == number
    kinds = await db.read.all("SELECT kind, text FROM issue_events WHERE issue_id = ? ORDER BY id", (issue_id,))
    assert (kinds[-1]["kind"], kinds[-1]["text"]) == ("instruct", "本周内协调供电公司送电")
    await sandbox.wait_for(lambda: any("本周内协调供电公司送电" in m.text for m in sandbox.messages(WORKER)))


@pytest.mark.parametrize(("who", "action", "body", "said"), [
    (LIAISON, "instruct", {"text": "快办"}, "不能办理"),  # a liaison may not instruct
    (LEADER, "instruct", {"text": "  "}, "不能为空"),
    (LEADER, "instruct", {"text": "字" * 1001}, "1000 字以内"),
    (LEADER, "extend", {"until": "2026-11-01", "reason": "等批复"}, "已经过去"),
    (LEADER, "extend", {"until": "明天", "reason": "等批复"}, "无法识别日期"),
    (LEADER, "delete", {}, "没有找到"),
])
async def test_a_refused_action_says_why_and_changes_nothing(ask, team, db, who, action, body, said):
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    number = await db.read.scalar("SELECT number FROM issues WHERE id = ?", (issue_id,))
    before = await db.read.scalar("SELECT COUNT(*) FROM issue_events")
    status, answer = await ask("POST", f"problems/{number}/{action}", who, body)
    assert status in (400, 404) and said in answer["error"]
    assert await db.read.scalar("SELECT COUNT(*) FROM issue_events") == before


async def test_extending_and_flagging_from_the_dashboard(ask, team, db):
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    number = await db.read.scalar("SELECT number FROM issues WHERE id = ?", (issue_id,))
    status, line = await ask("POST", f"problems/{number}/extend", LEADER, {"until": "2026-12-20", "reason": "等批复"})
    assert status == 200 and line["deadline"].startswith("2026-12-20")
    status, line = await ask("POST", f"problems/{number}/flag", LEADER, {})
    assert status == 200 and line["flagged"] and "unflag" in line["actions"]
    assert (await ask("POST", f"problems/{number}/flag", LEADER, {}))[0] == 400  # flagged already
    assert (await ask("POST", f"problems/{number}/instruct", LEADER, ["not", "a", "form"]))[0] == 400


async def test_assigning_from_the_dashboard_offers_the_units_people_and_deadline_then_assigns(ask, team, db):
    issue_id = await raised_issue(db, local(2026, 11, 19, 10, 0))
    number = await db.read.scalar("SELECT number FROM issues WHERE id = ?", (issue_id,))
    unit_id = await db.read.scalar("SELECT id FROM units WHERE name = '县住建局'")
    status, choices = await ask("GET", f"problems/{number}/assign?unit={unit_id}", ADMIN)
    assert status == 200 and choices["unit"] == unit_id and [p["name"] for p in choices["people"]] == ["钱工"]
    assert (await ask("GET", f"problems/{number}/assign", LIAISON))[0] == 404  # a liaison may not assign
    worker, leader = choices["people"][0]["id"], next(p["id"] for p in choices["leaders"] if p["name"] == "周建国")
    form = {"unit": str(unit_id), "assignee": str(worker), "leader": str(leader), "plan": "协调供电",
            "deadline": choices["deadline"]}
    status, line = await ask("POST", f"problems/{number}/assign", ADMIN, form)
    assert status == 200 and line["status"] == "assigned"
    stored = await db.read.one("SELECT assignee_id, plan FROM issues WHERE id = ?", (issue_id,))
    assert (stored["assignee_id"], stored["plan"]) == (worker, "协调供电")


async def test_the_map_shows_projects_with_coordinates_and_the_operators_outline(settings, db, clock, sandbox, team,
                                                                                 tmp_path, ask, dashboard):
    rows = [project_row("JC-2026-001", longitude="117.23", latitude="31.82"), project_row("JC-2026-002")]
    async with db.transaction() as tx:
        report = await registry.apply_sheet(Context(tx, clock, POLICY, TZ), read_sheet(xlsx(rows), "p.xlsx"), False)
    assert report.errors == []
    status, body = await ask("GET", "map", LEADER)
    assert [(p["code"], p["lon"], p["lat"]) for p in body["points"]] == [("JC-2026-001", 117.23, 31.82)]
    assert body["outline"] is None and (await ask("GET", "map", HEAD))[1]["points"][0]["code"] == "JC-2026-001"


async def test_leaders_and_the_centre_get_the_dashboard_as_their_menu_button(dashboard, team, sandbox, db, clock):
    for who in (LEADER, ADMIN, LIAISON):
        sandbox.user(who, str(who))
    async with db.transaction() as tx:
        await dashboard_service.offer_menu(tx, clock.now())
    dashboard.sender.wake()
    await sandbox.wait_for(lambda: {LEADER, ADMIN} <= set(sandbox.world.menu_buttons))
    assert sandbox.world.menu_buttons[LEADER] == {"type": "web_app", "text": "驾驶舱",
                                                  "web_app": {"url": dashboard.address}}
    assert LIAISON not in sandbox.world.menu_buttons
    link = sandbox.mini_app_link(LEADER, at=clock.now().timestamp())
    assert link.startswith(dashboard.address + "#tgWebAppData=")


async def test_a_leaders_alert_carries_the_dashboard_and_a_group_gets_a_link():
    keyboard = delivery.with_dashboard(None, "打开驾驶舱")
    private = delivery.resolve_dashboard("sendMessage", {"chat_id": 5, "reply_markup": keyboard}, "https://x/app/")
    assert private["reply_markup"]["inline_keyboard"] == [[{"text": "打开驾驶舱", "web_app": {"url": "https://x/app/"}}]]
    group = delivery.resolve_dashboard("sendMessage", {"chat_id": -5, "reply_markup": keyboard}, "https://x/app/",
                                       "https://t.me/qs_bot/dash")
    assert group["reply_markup"]["inline_keyboard"] == [[{"text": "打开驾驶舱", "url": "https://t.me/qs_bot/dash"}]]
    assert "reply_markup" not in delivery.resolve_dashboard("sendMessage", {"chat_id": -5, "reply_markup": keyboard},
                                                            "https://x/app/")  # a page link would not sign in
    assert "reply_markup" not in delivery.resolve_dashboard("sendMessage", {"chat_id": 5, "reply_markup": keyboard},
                                                            None)


async def test_an_escalated_problem_reaches_the_leader_with_the_dashboard_button(dashboard, team, db, sandbox, clock):
    sandbox.user(LEADER, "周建国")
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    async with db.transaction() as tx:
        leader = (await people.by_name(tx, "周建国"))[0]
        issue = await issue_service.checked(tx, leader, issue_id, "instruct")
        await issue_service._tell_with_buttons(tx, clock.now(), leader, issue, "issue.major_notice")
    dashboard.sender.wake()
    await sandbox.wait_for(lambda: sandbox.messages(LEADER))
    buttons = sandbox.messages(LEADER)[-1].buttons
    assert {"text": "打开驾驶舱", "web_app": {"url": dashboard.address}} in buttons


async def test_the_page_and_its_script_are_served_and_nothing_else(dashboard):
    async with aiohttp.ClientSession() as http:
        for path, kind in (("", "text/html"), ("static/app.js", "application/javascript"),
                           ("static/echarts.min.js", "application/javascript"), ("static/app.css", "text/css")):
            async with http.get(dashboard.address + path) as answer:
                assert answer.status == 200 and answer.content_type == kind
        for path in ("static/../../dashboard.py", "static/ECHARTS-LICENSE.txt", "static/.hidden.js", "static/x.js"):
            async with http.get(dashboard.address + path) as answer:
                assert answer.status == 404



async def test_the_page_speaks_the_persons_language(ask, team, db):
    async with db.transaction() as tx:
        await tx.execute("UPDATE people SET locale = 'en' WHERE telegram_id = ?", (LEADER,))
    status, words = await ask("GET", "words", LEADER)
    assert status == 200 and (words["locale"], words["tab_overview"], words["person"]) == ("en", "Overview", "周建国")
    zh = (await ask("GET", "words", ADMIN))[1]
    assert zh["tab_overview"] == "总览" and set(zh) == set(words)
    status, overview = await ask("GET", "overview", LEADER)
    assert overview["judged_text"] == "October 2026"


async def test_a_leader_binding_their_account_gets_the_dashboard_as_menu_button(dashboard, projects, sandbox, db):
    admin = sandbox.user(ADMIN, "王主任")
    leader = sandbox.user(LEADER, "周建国")
    await admin.ask("/start")
    invite = (await admin.ask("/invite 周建国 包联领导")).text
    code = invite.split("start=")[1].split()[0].split("<")[0]
    await leader.ask(f"/start {code}")
    await sandbox.wait_for(lambda: LEADER in sandbox.world.menu_buttons)
    assert sandbox.world.menu_buttons[LEADER]["web_app"]["url"] == dashboard.address


@pytest.mark.parametrize(("content", "said"), [
    (b"{not json", "not a readable GeoJSON"),
    (b'{"type": "Circle"}', "not GeoJSON"),
    (b"\xff\xfe", "not a readable GeoJSON"),
])
def test_an_unusable_outline_stops_the_start_naming_the_setting(tmp_path, content, said):
    path = tmp_path / "county.geojson"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=f"LIAISONBOT_DASHBOARD_OUTLINE.*{said}"):
        read_outline(path)
    with pytest.raises(ConfigError, match="not a readable"):
        read_outline(tmp_path / "missing.geojson")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "words"), ("GET", "overview"), ("GET", "ranking"), ("GET", "projects"), ("GET", "project?code=JC-2026-001"),
    ("GET", "problems"), ("GET", "problems/Q-2026-0001/assign"), ("GET", "map"),
    ("GET", "photo?project=JC-2026-001&period=2026-10&n=0"), ("POST", "problems/Q-2026-0001/instruct"),
])
async def test_every_endpoint_refuses_a_stranger_and_an_unsigned_call(ask, team, db, method, path):
    await assigned_issue(db, local(2026, 11, 2, 10, 0))
    for who in (None, 999_001):  # no sign-in; a Telegram account the county does not know
        status, body = await ask(method, path, who, {"text": "批示"} if method == "POST" else None)
        assert status == 401 and set(body) == {"error"}
    assert await db.read.scalar("SELECT COUNT(*) FROM issue_events WHERE kind = 'instruct'") == 0


async def test_a_groups_weekly_digest_carries_the_mini_apps_direct_link(dashboard, team, db, sandbox, clock):
    sandbox.group(-3001, "调度群")
    dashboard.sender.dashboard_link = "https://t.me/qs_bot/dash"  # LIAISONBOT_DASHBOARD_LINK
    async with db.transaction() as tx:
        admin = (await people.by_name(tx, "王主任"))[0]
        await groups.bind(tx, -3001, "调度群", "all", None, admin.id, ["weekly_digest"], clock.now())
    await run_job(db, JOBS["weekly-digest"], local(2026, 11, 30, 9, 0), POLICY, TZ)
    dashboard.sender.wake()
    await sandbox.wait_for(lambda: sandbox.messages(-3001))
    assert sandbox.messages(-3001)[-1].buttons == [{"text": "打开驾驶舱", "url": "https://t.me/qs_bot/dash"}]


async def test_nul_characters_in_a_call_are_refused_in_its_address_and_dropped_from_its_text(ask, team, db):
    """Our page never sends U+0000 (PostgreSQL's text cannot hold it): a forged one in the path or the
    query is refused plainly; in a text typed into the page it is dropped, as in chat."""
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))
    number = await db.read.scalar("SELECT number FROM issues WHERE id = ?", (issue_id,))
    for method, path in (("GET", "project?code=JC-2026-%00001"), ("GET", f"problems/{number}%00/assign"),
                         ("POST", f"problems/{number}%00/instruct")):
        status, answer = await ask(method, path, LEADER, {"text": "送电"} if method == "POST" else None)
        assert status == 400 and "U+0000" in answer["error"]
    status, line = await ask("POST", f"problems/{number}/instruct", LEADER, {"text": "本周\x00送电"})
    assert status == 200 and line["number"] == number
    kinds = await db.read.all("SELECT kind, text FROM issue_events WHERE issue_id = ? ORDER BY id", (issue_id,))
    assert [tuple(k) for k in kinds if k["kind"] == "instruct"] == [("instruct", "本周送电")]
