"""The registry as counties keep it: a size threshold per level checked at import (003: 区县 ≥3000万,
市 ≥1亿; 004: ≥400万), and the county's own name for a level (开州: 区级)."""

from __future__ import annotations

from pathlib import Path

import messages
from bot.domain.policy import load_policy
from bot.formats.project_sheet import read_sheet
from bot.services import registry
from bot.services.context import Context
from messages.imports import import_report
from storage import projects
from tests.helpers import TZ, project_row, xlsx

COUNTIES = Path(__file__).parents[1] / "docs" / "policies"



async def _import(db, clock, policy, rows):
    async with db.transaction() as tx:
        return await registry.apply_sheet(Context(tx, clock, policy, TZ), read_sheet(xlsx(rows), "p.xlsx"), False)


async def test_a_project_below_its_levels_threshold_is_refused_with_its_row(db, clock, county):
    policy = county(load_policy(COUNTIES / "shenyang.toml"))
    assert policy.projects.min_total_investment == {"county": 3000, "city": 10000}
    report = await _import(db, clock, policy, [
        project_row("SY-001", total_investment="5000", annual_plan="1000"),
        project_row("SY-002", total_investment="2999.5", annual_plan="1000"),
        project_row("SY-003", level="市列", total_investment="8000", annual_plan="1000")])
    assert not report.applied
    said = import_report("zh", report, plain=True)
    assert "第 3 行 总投资(万元)：低于县级项目入库标准 3000 万元 '2999.5'" in said
    assert "第 4 行 总投资(万元)：低于市级项目入库标准 10000 万元 '8000'" in said
    assert "第 2 行" not in said and await projects.count(db.read) == 0


async def test_kaizhou_calls_its_projects_district_level_and_takes_either_word(db, clock, county):
    policy = county(load_policy(COUNTIES / "kaizhou.toml"))
    report = await _import(db, clock, policy, [
        project_row("KZ-001", level="区级", total_investment="450", annual_plan="100"),
        project_row("KZ-002", level="县列", total_investment="399", annual_plan="100")])
    said = import_report("zh", report, plain=True)
    assert "第 3 行 总投资(万元)：低于区级项目入库标准 400 万元 '399'" in said  # 004: ≥400万
    assert messages.label("zh", "level.county") == "区级" and messages.label("en", "level.county") == "county"


async def test_puyangs_programme_lists_are_the_ones_a_sheet_may_name(db, clock, county):
    policy = county(load_policy(COUNTIES / "puyang.toml"))
    report = await _import(db, clock, policy, [project_row("PY-001", programmes="地方政府专项债券"),
                                               project_row("PY-002", programmes="专项债")])
    assert not report.applied
    assert "第 3 行 所属清单：不在本县的项目清单中（可填：政策性开发性金融工具、三个一批、省市重点、中央预算内投资、" \
           "地方政府专项债券）'专项债'" in import_report("zh", report, plain=True)
    report = await _import(db, clock, policy, [project_row("PY-001", programmes="地方政府专项债券")])
    assert report.applied and (await projects.by_code(db.read, "PY-001")).programmes == ("地方政府专项债券",)
