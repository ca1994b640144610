"""The one-line reader on its own (一句话报进度): realistic lines, both orders of fields, full-width digits and
punctuation, 万/亿/元, 本月 vs 累计, node names, problems, two projects, and what must not be guessed."""

from __future__ import annotations

import pytest

from bot.domain.quick import Reportable, amount, read

PROJECTS = [
    Reportable(1, "HX-2026-001", "海星产业园道路项目", ((11, "主体封顶"), (12, "室外管网开工"))),
    Reportable(2, "QS-2026-003", "青山水库除险加固项目", ((21, "大坝加固完成"),)),
    Reportable(3, "BH-2026-010", "滨河路改造项目"),
    Reportable(4, "BH-2026-011", "滨河路改造二期项目"),
]
STAGES = {"谋划": "planning", "前期": "preparing", "新开工": "new_start", "续建": "continuing", "竣工": "completed",
          "投产": "operating", "continuing": "continuing", "completed": "completed"}
CATEGORIES = ["用地", "规划", "环评", "资金", "水电气讯配套", "施工环境", "手续审批", "其他"]
WAN = 10_000

CASES = [
    # (line, expected fields; None: not a quick line)
    ("HX-2026-001 本月完成500万 累计3200万 主体封顶 下月计划室外管网开工",
     {"projects": [1], "month": 500 * WAN, "ytd": 3200 * WAN, "nodes": [11], "next_plan": "室外管网开工",
      "progress": "主体封顶"}),
    ("HX-2026-001 累计3200万 本月完成500万", {"ytd": 3200 * WAN, "month": 500 * WAN}),
    ("hx-2026-001 累计 3200 万元", {"projects": [1], "ytd": 3200 * WAN}),
    ("ＨＸ－２０２６－００１　累计３２００万", {"projects": [1], "ytd": 3200 * WAN}),
    ("HX-2026-001，本年累计完成投资：1.2亿", {"ytd": 12000 * WAN}),
    ("HX-2026-001 累计完成0.5亿元", {"ytd": 5000 * WAN}),
    ("HX-2026-001 累计32,000,000元", {"ytd": 32_000_000}),
    ("HX-2026-001 累计1,200.5万", {"ytd": 12_005_000}),
    ("HX-2026-001 本月500万", {"month": 500 * WAN, "ytd": None}),
    ("HX-2026-001 当月完成投资300万", {"month": 300 * WAN}),
    ("HX-2026-001 本月完成 5,000,000 元", {"month": 5_000_000}),
    ("HX-2026-001 年度累计4000万", {"ytd": 4000 * WAN}),
    ("HX-2026-001 累计3200", {"ytd": 3200 * WAN}),  # a bare number is 万元, as the flow asks
    ("HX-2026-001 完成500万", {"ytd": None, "month": None, "progress": "完成500万"}),  # 本月 or 累计? asked
    ("HX-2026-001 续建 累计3200万", {"stage": "continuing", "ytd": 3200 * WAN}),
    ("HX-2026-001 竣工", {"stage": "completed"}),
    ("HX-2026-001 新开工 本月100万", {"stage": "new_start", "month": 100 * WAN}),
    ("HX-2026-001 主体封顶", {"nodes": [11], "progress": "主体封顶"}),
    ("HX-2026-001 主体封顶，室外管网开工", {"nodes": [11, 12]}),
    ("HX-2026-001 下月计划：室外管网开工", {"next_plan": "室外管网开工", "nodes": []}),
    ("HX-2026-001 下月：路面铺设", {"next_plan": "路面铺设"}),
    ("HX-2026-001 累计3200万；下月计划路面摊铺、绿化", {"ytd": 3200 * WAN, "next_plan": "路面摊铺、绿化"}),
    ("HX-2026-001 路基施工完成80%", None),  # words only: a remark, not a report
    ("HX-2026-001 什么时候开调度会？", None),
    ("HX-2026-001 3号厂房主体封顶，4号厂房基础施工 累计1200万",
     {"ytd": 1200 * WAN, "nodes": [11], "progress": "3号厂房主体封顶，4号厂房基础施工"}),
    ("QS-2026-003 累计800万 大坝加固完成", {"projects": [2], "ytd": 800 * WAN, "nodes": [21]}),
    ("QS-2026-003 主体封顶", None),  # another project's node is not this one's: words only
    ("青山水库除险加固 累计800万", {"projects": [2], "ytd": 800 * WAN}),
    ("青山水库除险加固项目 本月100万", {"projects": [2], "month": 100 * WAN}),
    ("滨河路改造 累计100万", {"projects": [3]}),
    ("滨河路改造二期 累计100万", {"projects": [3, 4]}),  # two names in it: asked, never guessed
    ("HX-2026-001 QS-2026-003 累计100万", {"projects": [1, 2]}),
    ("QS-2026-003 问题：10kV线路未接通，需供电公司12月10日前送电",
     {"kind": "problem", "projects": [2], "description": "10kV线路未接通，需供电公司12月10日前送电", "category": None}),
    ("QS-2026-003 问题: 征地拆迁未完成，用地手续未批", {"kind": "problem", "category": 0}),
    ("QS-2026-003 困难：配套资金未到位", {"kind": "problem", "category": 3, "description": "配套资金未到位"}),
    ("HX-2026-001 受阻问题：施工环境差，村民阻工", {"kind": "problem", "category": 5}),
    ("HX-2026-001 问题：水电气讯配套不到位", {"kind": "problem", "category": 4}),
    ("HX-2026-001 问题：", None),
    ("HX-2026-001 continuing ytd", {"stage": "continuing", "ytd": None}),
    ("HX-2026-001 this month 500万 YTD 3200万 continuing next month: outdoor pipes",
     {"month": 500 * WAN, "ytd": 3200 * WAN, "stage": "continuing", "next_plan": "outdoor pipes"}),
    ("HX-2026-001 year to date: 1.2亿", {"ytd": 12000 * WAN}),
    ("QS-2026-003 problem: the 10kV line is not connected",
     {"kind": "problem", "description": "the 10kV line is not connected"}),
    ("HX-2026-001 completed", {"stage": "completed"}),
    ("HX-2026-001 累计3200万 续建 下月计划 路面", {"ytd": 3200 * WAN, "stage": "continuing", "next_plan": "路面"}),
    ("下月计划室外管网开工 HX-2026-001", {"projects": [1]}),
    ("HX-2026-001\u3000本月完成５００万", {"month": 500 * WAN}),
    ("HX-2026-001 累计３，２００万", {"ytd": 3200 * WAN}),
    ("HX-2026-001 累计3200万元。", {"ytd": 3200 * WAN}),
    ("HX-2026-001 累计 1.25 亿", {"ytd": 12500 * WAN}),
    ("HX-2026-001 累计12000000元", {"ytd": 12_000_000}),
    ("HX-2026-001 本月完成0.05亿", {"month": 500 * WAN}),
    ("HX-2026-001 累计3200万 本月500万 竣工 下月计划竣工验收", {"stage": "completed", "next_plan": "竣工验收"}),
    ("HX-2026-002 累计3200万", None),  # not one of the person's projects
    ("XX-2026-001 本月完成500万", None),
    ("今天天气不错", None),
    ("你好", None),
    ("HX-2026-001", None),  # a code and nothing said
    ("累计3200万", None),  # nothing named
    ("海星 累计3200万", None),  # too short a name to be sure
    ("HX-2026-001 累计三千二百万", None),  # Chinese numerals: not guessed, not a report
    ("HX-2026-001 累计-500万", {"ytd": None}),
    ("HX-2026-001 本月完成五百万 累计3200万", {"ytd": 3200 * WAN, "month": None}),
    ("HX-2026-001 主体封顶了", {"nodes": [11]}),
    ("HX-2026-001 续建中", None),  # a word inside other words is not a stage
    ("HX-2026-001 完成前期手续 累计100万", {"stage": None, "ytd": 100 * WAN}),
]


@pytest.mark.parametrize(("line", "expected"), CASES, ids=[c[0][:24] for c in CASES])
def test_a_line(line, expected):
    found = read(line, PROJECTS, STAGES, CATEGORIES)
    if expected is None:
        assert found is None
        return
    assert found is not None
    expected = {"kind": "report", **expected}
    assert {key: getattr(found, key) for key in expected} == expected


def test_there_are_sixty_lines_or_more():
    assert len(CASES) >= 60


def test_amounts_are_exact_money():
    assert amount("1.2", "亿") == 120_000_000 and amount("0.01", "元") is None and amount("5", None) == 50_000
