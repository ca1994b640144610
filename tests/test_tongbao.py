"""The monthly 通报: overdue problems named with their units, the units' scorecard, rankings by place,
表扬 and 通报批评 by the policy's rule, and the same tables in the bulletin workbook. Every expected
figure is counted here from the data the test makes, not read back from the code under test."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.domain.policy import Policy, load_policy
from bot.formats.project_sheet import read_sheet
from bot.services import bulletins, exports, registry
from bot.services import issues as issue_service
from bot.services import reports as report_service
from bot.services.context import Context
from storage import issues as issue_store
from storage import people
from storage import projects as project_store
from tests.helpers import TZ, assigned_issue, local, project_row, xlsx

MONTH = "2026-10"
POLICY = Policy.model_validate({"bulletins": {"rank_by": ["lead_unit", "location"], "praise": 1, "criticise": 1}})


async def _report(db, name: str, code: str, wan: int, when, period: str = MONTH) -> None:
    async with db.transaction() as tx:
        person = (await people.by_name(tx, name))[0]
        project = await project_store.by_code(tx, code)
        await report_service.submit_monthly(tx, FixedClock(when), POLICY, TZ, person, period=period,
                                            project_id=project.id, ytd=wan * 10_000, stage="continuing",
                                            progress="x", photos=[], milestone_ids=[], next_plan="y")


async def _month(db) -> dict:
    """001 城关镇 and 002 东坝镇 led by 县交通局, 003 东坝镇 by 县水利局; 001 reports on time, 002 late (补报),
    003 on time and in full; 001 has two nodes due, one reached; two problems go to 县住建局, one solved in
    time, one left overdue."""
    rows = [project_row("JC-2026-001", location="城关镇"), project_row("JC-2026-002", location="东坝镇"),
            project_row("JC-2026-003", liaison="张伟", lead_unit="县水利局", location="东坝镇")]
    nodes = [{"code": "JC-2026-001", "name": "路基完成", "due_date": "2026-09-30"},
             {"code": "JC-2026-001", "name": "路面铺设", "due_date": "2026-10-15"},
             {"code": "JC-2026-001", "name": "竣工验收", "due_date": "2026-12-20"}]
    async with db.transaction() as tx:
        await registry.apply_sheet(Context(tx, FixedClock(local(2026, 10, 1, 9, 0)), POLICY, TZ),
                                   read_sheet(xlsx(rows, nodes), "p.xlsx"), False)
        project = await project_store.by_code(tx, "JC-2026-001")
        first = (await project_store.milestones(tx, project.id))[0]
        await project_store.mark_milestones_reached(tx, project.id, [first.id], local(2026, 9, 28, 9, 0).date())
    await _report(db, "李娜", "JC-2026-001", 4000, local(2026, 10, 20, 10, 0))
    await _report(db, "张伟", "JC-2026-003", 4800, local(2026, 10, 25, 10, 0))
    await _report(db, "李娜", "JC-2026-002", 500, local(2026, 9, 20, 10, 0), period="2026-09")
    await _report(db, "李娜", "JC-2026-002", 1000, local(2026, 11, 3, 10, 0))  # after the due day: 补报
    solved = await assigned_issue(db, local(2026, 10, 8, 10, 0))
    overdue = await assigned_issue(db, local(2026, 10, 9, 10, 0))
    async with db.transaction() as tx:
        worker = (await people.by_name(tx, "钱工"))[0]
        await issue_service.solve(tx, FixedClock(local(2026, 10, 15, 15, 0)), worker, solved, "已协调")
    late = await issue_store.get(db.read, overdue)
    return {"overdue": late}


async def test_the_tongbao_names_overdue_problems_ranks_places_and_scores_units(db, team):
    made = await _month(db)
    data = await bulletins.gather(db.read, MONTH, None, POLICY, TZ)
    end = local(2026, 10, 31, 23, 59, 59, 999999)
    late = made["overdue"]
    assert late.resolve_due < end  # the test's own premise: its deadline passed within October
    [line] = data.overdue
    assert (line.number, line.unit, line.days) == (late.number, "县住建局", (end - late.resolve_due).days)

    scores = {s.unit: s for s in data.scores}
    assert set(scores) == {"县交通局", "县水利局", "县住建局"}
    transport, water, housing = scores["县交通局"], scores["县水利局"], scores["县住建局"]
    assert (transport.reports.done, transport.reports.owed) == (1, 2)  # 002's report came after the due day
    assert (transport.nodes.done, transport.nodes.owed) == (1, 2)  # December's node is not due yet
    assert (water.reports.done, water.reports.owed, water.nodes.owed) == (1, 1, 0)
    assert (housing.issues.done, housing.issues.owed, housing.overdue) == (1, 2, 1)
    assert housing.reports.owed == 0 and housing.reports.rate is None

    places = {u.unit: (u.rank, u.ytd, u.plan) for u in data.rankings["location", "completion"]}
    assert places == {"城关镇": (1, 40_000_000, 48_000_000), "东坝镇": (2, 58_000_000, 96_000_000)}
    # 序时进度 in October is 83.3%: 县水利局 at 100% is praised, 县交通局 at 52.1% (31 points behind) criticised
    assert [u.unit for u in data.praised] == ["县水利局"] and [u.unit for u in data.criticised] == ["县交通局"]

    text = (await bulletins.render(data, POLICY, None, "全县")).text
    assert ("2. 县交通局：2 个项目，计划 9,600 万元，完成 5,000 万元，52.1%\n\n<b>地区排名</b>（按年度投资完成率）\n"
            "1. 城关镇：1 个项目，计划 4,800 万元，完成 4,000 万元，83.3%\n"
            "2. 东坝镇：2 个项目，计划 9,600 万元，完成 5,800 万元，60.4%\n\n<b>表扬</b>：县水利局（100%）") in text
    assert "<b>通报批评</b>：县交通局（52.1%），落后序时进度 10 个百分点以上。" in text
    assert f"• {late.number} JC-2026-001 JC-2026-001 产业园道路：县住建局，超期 {line.days} 天（责任单位办理）" in text
    assert ("• 县交通局：按时报送月报 1 个（应报 2 个，50%）；按期办结问题 —；超期问题 0 个；"
            "完成节点 1 个（到期 2 个，50%）") in text
    assert "• 县住建局：按时报送月报 —；按期办结问题 1 个（应办结 2 个，50%）；超期问题 1 个；完成节点 —" in text
    assert ("<b>逾期未完成的倒计时节点</b>（1 个）\n"
            "• JC-2026-001 JC-2026-001 产业园道路：路面铺设，计划2026年10月15日，逾期 16 天") in text
    english = (await bulletins.render(data, POLICY, "en", "county")).text
    assert ("• 县住建局: reports on time —; problems solved on time 1 (due 2, 50%); 1 overdue; "
            "nodes reached —") in english

    book = load_workbook(io.BytesIO(await exports.bulletin(db.read, MONTH, POLICY, TZ, None)))
    sheet = book["单位考核"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert (rows["县住建局"]["按期办结"], rows["县住建局"]["应办结问题"], rows["县住建局"]["超期问题"]) == (1, 2, 1)
    assert [r[1] for r in book["地区排名"].iter_rows(min_row=2, values_only=True)] == ["城关镇", "东坝镇"]
    assert [r[0] for r in book["超期问题"].iter_rows(min_row=2, values_only=True)] == [late.number]


async def test_a_problem_that_missed_a_clock_is_never_solved_on_time(db, team):
    issue_id = await assigned_issue(db, local(2026, 10, 8, 10, 0))
    async with db.transaction() as tx:  # it went up a level for a missed clock, then was solved before its deadline
        await issue_store.add_event(tx, issue_id, local(2026, 10, 12, 9, 0), None, "escalate", from_level=1,
                                    to_level=2, from_status="assigned", to_status="assigned", text="acknowledge")
        worker = (await people.by_name(tx, "钱工"))[0]
        await issue_service.solve(tx, FixedClock(local(2026, 10, 15, 15, 0)), worker, issue_id, "已协调")
    solved = await issue_store.get(db.read, issue_id)
    assert solved.solved_at <= solved.resolve_due  # in time by its deadline: only the missed clock counts
    data = await bulletins.gather(db.read, MONTH, None, POLICY, TZ)
    housing = next(s for s in data.scores if s.unit == "县住建局")
    assert (housing.issues.done, housing.issues.owed) == (0, 1)


async def test_the_default_policy_ranks_lead_units_only_and_neither_praises_nor_criticises(db, team):
    await _month(db)
    data = await bulletins.gather(db.read, MONTH, None, Policy(), TZ)
    assert list(data.rankings) == [("lead_unit", "completion")] and data.praised == [] and data.criticised == []
    text = (await bulletins.render(data, Policy(), None, "全县")).text
    assert "地区排名" not in text and "表扬" not in text and "通报批评" not in text
    assert "七、单位工作情况" in text
    quiet = Policy.model_validate({"bulletins": {"scorecard": False}})
    assert "单位工作情况" not in (await bulletins.render(await bulletins.gather(db.read, MONTH, None, quiet, TZ),
                                                            quiet, None, "全县")).text


async def test_the_county_files_rank_places_and_name_units_as_their_rules_say(db, team):
    await _month(db)
    counties = Path(__file__).parents[1] / "docs" / "policies"
    shenyang, jingchuan = load_policy(counties / "shenyang.toml"), load_policy(counties / "jingchuan.toml")
    data = await bulletins.gather(db.read, MONTH, None, shenyang, TZ)
    text = (await bulletins.render(data, shenyang, None, "全市")).text
    assert "<b>地区排名</b>" in text and "表扬" not in text
    data = await bulletins.gather(db.read, MONTH, None, jingchuan, TZ)
    assert list(data.rankings) == [("lead_unit", "completion")]
    assert [u.unit for u in data.praised] == ["县水利局"] and [u.unit for u in data.criticised] == ["县交通局"]


async def test_tiers_and_stages_read_in_the_order_of_a_projects_life(db, team):
    rows = [project_row("JC-2026-004", tier="储备", stage="竣工"),
            project_row("JC-2026-005", tier="年度建设", stage="谋划"),
            project_row("JC-2026-006", tier="年度建设", stage="投产")]
    async with db.transaction() as tx:
        await registry.apply_sheet(Context(tx, FixedClock(local(2026, 10, 1, 9, 0)), POLICY, TZ),
                                   read_sheet(xlsx(rows), "p.xlsx"), False)
    text = (await bulletins.render(await bulletins.gather(db.read, MONTH, None, POLICY, TZ), POLICY, None, "全县")).text
    assert "共 6 个项目：重点 3 个、年度建设 2 个、储备 1 个" in text
    assert "按阶段：谋划 1 个、续建 3 个、竣工 1 个、投产 1 个" in text


async def test_rankings_by_start_rate_and_funding_where_the_policy_lists_them(db, team):
    await _month(db)
    policy = Policy.model_validate({"bulletins": {"rank_indicators": ["completion", "starts", "funds"]}})
    data = await bulletins.gather(db.read, MONTH, None, policy, TZ)
    starts = {u.unit: (u.rank, u.plan, u.ytd) for u in data.rankings["lead_unit", "starts"]}
    assert starts == {"县交通局": (1, 2, 2), "县水利局": (1, 1, 1)}  # all three due in March and started: a tie
    assert [u.rate for u in data.rankings["lead_unit", "funds"]] == [None, None]  # no 资金计划 imported
    text = (await bulletins.render(data, policy, None, "全县")).text
    assert "<b>牵头单位排名</b>（按开工率）\n1. 县交通局：2 个项目，计划开工 2 个，已开工 2 个，100%" in text
    assert "<b>牵头单位排名</b>（按资金到位率）\n· 县交通局：2 个项目，无资金计划" in text
