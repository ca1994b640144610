"""The registry as counties keep it: a project's own 分月计划 as its 序时进度, programme lists (所属清单)
as group and bulletin scopes, and more than one person reporting on a project (003's 联系人 + 专员)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.domain.models import GroupChat, Role
from bot.domain.policy import Policy
from bot.formats.project_sheet import read_sheet, template
from bot.services import bulletins, registry
from bot.services import reports as report_service
from bot.services.context import Context
from messages.imports import import_report
from storage import people
from storage import projects as project_store
from tests.helpers import ADMIN, LIAISON, POLICY, TZ, bind, by_chat, local, project_row, run_at, xlsx

CO_REPORTER = 6003


async def _import(db, rows, month_plans=None, policy: Policy = POLICY, skip: bool = False):
    async with db.transaction() as tx:
        return await registry.apply_sheet(Context(tx, FixedClock(local(2026, 3, 2, 10, 0)), policy, TZ),
                                          read_sheet(xlsx(rows, month_plans=month_plans), "p.xlsx"), skip)


def _plan(code: str, **months: object) -> dict:
    return {"code": code} | {f"m{n}": months.get(f"m{n}") for n in range(1, 13)} | (
        {"plan_year": months["plan_year"]} if "plan_year" in months else {})


async def _report(db, code: str, month: str, ytd: int, name: str = "李娜", policy: Policy = POLICY):
    async with db.transaction() as tx:
        person = (await people.by_name(tx, name))[0]
        project = await project_store.by_code(tx, code)
        day = int(month[5:])
        return await report_service.submit_monthly(
            tx, FixedClock(local(2026, day, 20, 10, 0)), policy, TZ, person, period=month, project_id=project.id,
            ytd=ytd, stage="continuing", progress="x", photos=[], milestone_ids=[], next_plan="y")


# -- 分月计划 -------------------------------------------------------------------------------------
async def test_a_projects_monthly_plan_is_its_schedule_and_named_in_the_reason(db):
    # 4,800 万 for the year, back-loaded: nothing until May, then 600 万 a month (June: 1,200 万 = 25%)
    months = {f"m{n}": "600" for n in range(5, 13)}
    report = await _import(db, [project_row("JC-2026-001"), project_row("JC-2026-002")],
                           [_plan("JC-2026-001", **months)])
    assert report.applied and report.month_plans == 1
    assert "分月计划 1 个" in import_report("zh", report, plain=True)
    project = await project_store.by_code(db.read, "JC-2026-001")
    assert project.month_plans["2026-06"] == 6_000_000 and project.month_plans["2026-01"] == 0
    await bind(db, "李娜", LIAISON)
    # 600 万 by June: 12.5% done against its own 25% (12.5 behind, yellow); the straight line would ask 50% (red)
    for code in ("JC-2026-001", "JC-2026-002"):
        await _report(db, code, "2026-06", 6_000_000)
    data = await bulletins.gather(db.read, "2026-06", None, POLICY, TZ)
    assert [f.code for f in data.yellow] == ["JC-2026-001"] and [f.code for f in data.red] == ["JC-2026-002"]
    own = data.yellow[0].reasons[0].values
    assert (own["time_share"], own["behind"], own["basis"]) == (25.0, 12.5, "plan")
    text = (await bulletins.render(data, POLICY, None, "全县")).text
    assert "年度投资完成 12.5%，序时进度（按分月计划） 25.0%，落后 12.5 个百分点" in text
    assert "年度投资完成 12.5%，序时进度 50.0%，落后 37.5 个百分点" in text  # the other: the county's line


async def test_a_monthly_plan_over_the_annual_plan_or_for_an_unknown_project_is_refused(db):
    report = await _import(db, [project_row("JC-2026-001")],
                           [_plan("JC-2026-001", m1="4000", m2="1000"), _plan("NOPE-1", m1="10"),
                            _plan("JC-2026-001", m3="很多")])
    assert not report.applied
    said = import_report("zh", report, plain=True)
    assert "“月度计划”表 第 2 行 12月：各月计划合计 5000 万元，超过年度计划投资 4800 万元" in said
    assert "“月度计划”表 第 3 行 项目编号：没有该项目编号 'NOPE-1'" in said
    assert "“月度计划”表 第 4 行 3月：不是数字 '很多'" in said
    assert await project_store.by_code(db.read, "JC-2026-001") is None  # all or nothing


async def test_a_monthly_plan_sheet_may_follow_alone_and_replaces_only_its_year(db):
    await _import(db, [project_row("JC-2026-001")], [_plan("JC-2026-001", m12="4800")])
    # next year's plan, with next year's list; this year's months are kept
    await _import(db, [project_row("JC-2026-001", annual_plan="6000", plan_year="2027")],
                  [_plan("JC-2026-001", plan_year="2027", m6="3000", m12="3000")])
    project = await project_store.by_code(db.read, "JC-2026-001")
    assert project.month_plans["2026-12"] == 48_000_000 and project.month_plans["2027-06"] == 30_000_000
    assert float(project.planned_share("2026-11")) == 0 and float(project.planned_share("2027-06")) == 50
    # a sheet without the 月度计划 sheet leaves the plans as they are
    await _import(db, [project_row("JC-2026-001")])
    assert (await project_store.by_code(db.read, "JC-2026-001")).month_plans == project.month_plans


def test_the_template_has_the_monthly_plan_sheet_and_the_new_columns():
    book = load_workbook(io.BytesIO(template()))
    assert [c.value for c in book["月度计划"][1]] == ["项目编号", "计划年度", *(f"{n}月" for n in range(1, 13))]
    headers = [c.value for c in book.worksheets[0][1]]
    assert "协报人" in headers and "所属清单" in headers
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert "各月合计不得超过年度计划" in notes["月度计划"]


# -- programme lists ------------------------------------------------------------------------------
async def test_programme_lists_scope_a_group_and_a_bulletin(db, sandbox, bot):
    await _import(db, [project_row("JC-2026-001", programmes="专项债券、三年滚动"),
                       project_row("JC-2026-002", programmes="三年滚动"), project_row("JC-2026-003")])
    project = await project_store.by_code(db.read, "JC-2026-001")
    assert project.programmes == ("三年滚动", "专项债券")
    await bind(db, "王主任", ADMIN, role=Role.admin)
    admin = sandbox.user(ADMIN, "王主任")
    assert "所属清单：三年滚动、专项债券" in (await admin.ask("/project JC-2026-001")).text
    debt = GroupChat(chat_id=1, title="t", scope_kind="programme", scope_value="专项债券")
    data = await bulletins.gather(db.read, "2026-02", debt, POLICY, TZ)
    assert data.projects == 1 and data.annual_plan == 48_000_000
    assert (await bulletins.gather(db.read, "2026-02", None, POLICY, TZ)).projects == 3

    sandbox.group(-900, "专项债项目群")
    reply = await admin.ask("/bind", chat_id=-900)
    assert "所属清单" in str(reply.buttons)
    await admin.tap("所属清单", chat_id=-900)
    await admin.tap("专项债券", chat_id=-900)
    await admin.tap("完成", chat_id=-900)
    await admin.tap("✅ 提交", chat_id=-900)
    assert "本群已绑定：所属清单 专项债券" in admin.last(-900).text


async def test_a_policy_that_names_its_programmes_refuses_others(db):
    policy = Policy.model_validate({"projects": {"programmes": ["中央预算内投资", "专项债券"]}})
    report = await _import(db, [project_row("JC-2026-001", programmes="专项债券、地方债")], policy=policy)
    assert not report.applied
    assert "第 2 行 所属清单：不在本县的项目清单中（可填：中央预算内投资、专项债券）'地方债'" in import_report(
        "zh", report, plain=True)


# -- several reporters ----------------------------------------------------------------------------
async def test_a_co_reporter_reports_and_gets_the_weekly_reminder_but_not_the_monthly_one(db, sandbox, bot):
    await _import(db, [project_row("JC-2026-001", co_reporters="孙专员、李娜"), project_row("JC-2026-002")])
    project = await project_store.by_code(db.read, "JC-2026-001")
    assert project.co_reporters == ("孙专员",) and project.liaison == "李娜"  # the liaison is not twice
    await bind(db, "李娜", LIAISON)
    await bind(db, "孙专员", CO_REPORTER)
    co = sandbox.user(CO_REPORTER, "孙专员")
    card = await co.ask("/project JC-2026-001")
    assert "联络员：李娜；协报人：孙专员" in card.text
    assert "没有找到" in (await co.ask("/project JC-2026-002")).text

    _, _, figures = await _report(db, "JC-2026-001", "2026-03", 12_000_000, name="孙专员")
    assert figures["rate"] == 25.0
    weekly = by_chat(await run_at(db, "weekly-update-request", local(2026, 3, 27, 16, 0)))
    assert "JC-2026-001" in weekly[CO_REPORTER] and "JC-2026-002" not in weekly[CO_REPORTER]
    assert "JC-2026-002" in weekly[LIAISON]
    monthly = by_chat(await run_at(db, "monthly-report-countdown", local(2026, 4, 27, 9, 0)))
    assert CO_REPORTER not in monthly and "JC-2026-001" in monthly[LIAISON]
