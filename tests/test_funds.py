"""资金 (002 "紧盯资金到位率"; 000 "对预算内投资、专项债券…全程监管"): a project's funding plan by source from
the import, 资金到位 in the monthly report where the policy asks it, and 资金到位率 on the card, in the
ledger and in the 快讯 — each checked against figures counted here."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.app.process import BotProcess
from bot.domain.clock import FixedClock
from bot.domain.policy import Policy
from bot.formats.project_sheet import PROJECT_HEADERS, read_sheet
from bot.services import bulletins, exports, registry
from bot.services.context import Context
from messages.imports import import_report
from storage import projects as project_store
from storage import reports
from tests.conftest import fast_limits
from tests.helpers import LIAISON, TZ, bind, local, project_row, xlsx

FUNDS = Policy.model_validate({"monthly_report": {"ask_funds": True}})


async def _import(db, rows, policy=FUNDS, headers=PROJECT_HEADERS):
    async with db.transaction() as tx:
        return await registry.apply_sheet(Context(tx, FixedClock(local(2026, 11, 2, 9, 0)), policy, TZ),
                                          read_sheet(xlsx(rows, headers=headers), "p.xlsx"), False)


async def test_the_funding_plan_comes_by_source_and_a_bad_amount_names_its_column(db):
    report = await _import(db, [project_row("JC-2026-001", fund_central_budget="1000", fund_special_bonds="2000"),
                                project_row("JC-2026-002")])
    assert report.applied
    project = await project_store.by_code(db.read, "JC-2026-001")
    assert project.fund_plans == {2026: {"central_budget": 10_000_000, "special_bonds": 20_000_000}}
    assert project.planned_funds(2026) == 30_000_000
    assert (await project_store.by_code(db.read, "JC-2026-002")).fund_plans == {}
    bad = await _import(db, [project_row("JC-2026-001", fund_bank_loans="许多")])
    assert "第 2 行 银行贷款(万元)：不是数字 '许多'" in import_report("zh", bad, plain=True)
    # a sheet without the funding columns leaves the plan as it was
    await _import(db, [project_row("JC-2026-001")],
                  headers={k: v for k, v in PROJECT_HEADERS.items() if not k.startswith("fund_")})
    assert (await project_store.by_code(db.read, "JC-2026-001")).planned_funds(2026) == 30_000_000


async def test_a_liaison_gives_funds_arrived_and_the_card_ledger_and_bulletin_show_the_rate(
        settings, db, sandbox, clock):
    await _import(db, [project_row("JC-2026-001", fund_central_budget="1000", fund_special_bonds="2000"),
                       project_row("JC-2026-002", fund_self_raised="1000")])
    await bind(db, "李娜", LIAISON)
    process = await BotProcess(settings, policy=FUNDS, clock=clock, db=db, limits=fast_limits(), poll_timeout=5,
                               schedule=False).start()
    try:
        user = sandbox.user(LIAISON, "李娜")
        await user.ask("/report")
        await user.tap("JC-2026-001 JC-2026-001 产业园道路")
        asked = await user.ask("1200")
        assert "本年累计资金到位多少万元" in asked.text
        confirm = await user.ask("3500")  # more than the 3,000 万 planned: asked to confirm
        assert "超过了本年资金计划 3,000 万元" in confirm.text
        await user.tap("重新输入")
        await sandbox.wait_for(lambda: "本年累计资金到位" in user.last().text)
        assert "“一千”不是金额" in (await user.ask("一千")).text  # a word is answered, the flow goes on
        await sandbox.wait_for(lambda: "本年累计资金到位" in user.last().text)
        assert "建设阶段" in (await user.ask("2400")).text
        await user.tap("✅ 续建")
        await user.ask("路面施工")
        await user.tap("跳过")
        await user.ask("完成路面")
        await user.tap("✅ 提交")
        done = user.last().text
        assert "本年资金到位 2,400 万元，资金计划 3,000 万元，到位率 80%" in done
        card = (await user.ask("/project JC-2026-001")).text
        assert ("资金计划 3,000 万元（中央预算内投资 1,000、地方政府专项债券 2,000），"
                "到位 2,400 万元，到位率 80%") in card
    finally:
        await process.stop()

    project = await project_store.by_code(db.read, "JC-2026-001")
    [report] = await reports.history(db.read, project.id)
    assert report.funds_arrived == 24_000_000
    data = await bulletins.gather(db.read, "2026-11", None, FUNDS, TZ)
    assert (data.funds_planned, data.funds_arrived) == (40_000_000, 24_000_000)  # 002 reported none: 0 arrived
    text = (await bulletins.render(data, FUNDS, None, "全县")).text
    assert "资金计划 4,000 万元，到位 2,400 万元，资金到位率 60%" in text
    book = load_workbook(io.BytesIO(await exports.progress(db.read, "2026-11", FUNDS, TZ, None)))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert (rows["JC-2026-001"]["资金计划（万元）"], rows["JC-2026-001"]["资金到位（万元）"]) == (3000, 2400)
    assert rows["JC-2026-001"]["资金到位率"] == 0.8 and rows["JC-2026-002"]["资金到位（万元）"] is None


async def test_without_the_policy_no_funds_are_asked(db, sandbox, bot, projects):
    await bind(db, "李娜", LIAISON)
    user = sandbox.user(LIAISON, "李娜")
    await user.ask("/report")
    await user.tap("JC-2026-001 JC-2026-001 产业园道路")
    assert "资金到位" not in (await user.ask("1200")).text
