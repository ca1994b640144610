"""A plausible county for the demo: 青山县, 30 projects across its departments and townships.

Written for the demo from the rulebooks' domain (DESIGN.md §1); every name is invented.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot.formats.project_sheet import MILESTONE_HEADERS, MILESTONE_SHEET, PROJECT_HEADERS

UNITS = ["县发改局", "县工信局", "县住建局", "县交通局", "县水利局", "县农业农村局", "城关镇", "白水镇"]
LEADERS = ["周建国", "陈卫东", "刘海燕", "孙志刚"]
LIAISONS = ["李娜", "张伟", "王芳", "赵磊", "钱丽", "吴敏", "郑浩", "冯静", "何军", "许婷"]
_KINDS = [
    ("工业", "新材料产业园标准化厂房", "key", "city", "continuing"),
    ("交通", "县城至白水镇二级公路改建", "key", "province", "continuing"),
    ("水利", "青山水库除险加固", "annual", "county", "new_start"),
    ("城建", "老旧小区改造（三期）", "annual", "county", "continuing"),
    ("农业", "高标准农田建设", "annual", "county", "new_start"),
    ("能源", "分布式光伏发电", "key", "city", "preparing"),
    ("社会事业", "县人民医院门诊综合楼", "key", "city", "continuing"),
    ("文旅", "白水河生态旅游步道", "reserve", "county", "planning"),
    ("物流", "冷链物流集散中心", "annual", "county", "preparing"),
    ("教育", "第二中学教学楼扩建", "annual", "county", "completed"),
]


# 青山县's outline for the dashboard's map (invented, like the county): a GeoJSON polygon around its projects
OUTLINE = {"type": "Feature", "properties": {"name": "青山县"}, "geometry": {"type": "Polygon", "coordinates": [[
    [117.02, 31.66], [117.31, 31.61], [117.55, 31.72], [117.53, 31.95], [117.36, 32.04], [117.12, 32.02],
    [117.01, 31.86], [117.02, 31.66]]]}}


def sample_rows() -> tuple[list[dict], list[dict]]:
    projects, milestones = [], []
    for n in range(30):
        industry, name, tier, level, stage = _KINDS[n % len(_KINDS)]
        code = f"QS-2026-{n + 1:03d}"
        total = 3000 + (n * 1370) % 47000
        projects.append({
            "code": code, "name": f"{name}项目" if n < 10 else f"{name}项目（{n // 10 + 1}期）",
            "tier": tier, "level": level, "stage": stage, "industry": industry,
            "location": ["城关镇", "白水镇", "工业园区"][n % 3], "owner": f"青山{industry}投资有限公司",
            "lead_unit": UNITS[n % len(UNITS)],
            "responsible_units": "、".join({UNITS[(n + 2) % len(UNITS)], UNITS[(n + 5) % len(UNITS)]}),
            "lead_leader": LEADERS[n % len(LEADERS)], "liaison": LIAISONS[n % len(LIAISONS)],
            "total_investment": total, "annual_plan": round(total * 0.4),
            "planned_start": f"2026-{n % 9 + 1:02d}-01", "planned_end": f"2028-{n % 12 + 1:02d}-28",
            "programmes": ["三年滚动", "专项债券、三年滚动", None][n % 3],
            "fund_special_bonds": round(total * 0.2) if n % 3 == 1 else None,
            "fund_self_raised": round(total * 0.2) if n % 3 == 1 else None,
            "longitude": round(117.08 + (n * 37 % 41) / 100, 3), "latitude": round(31.70 + (n * 53 % 29) / 100, 3),
        })
        milestones.append({"code": code, "name": "主体封顶", "due_date": f"2026/{n % 9 + 3}/15",
                           "owner": f"青山{industry}投资有限公司"})
        milestones.append({"code": code, "name": "竣工验收", "due_date": f"2028年{n % 12 + 1}月20日",
                           "owner": UNITS[n % len(UNITS)]})
    return projects, milestones


def sample_workbook() -> bytes:
    projects, milestones = sample_rows()
    book = Workbook()
    sheet = book.active
    sheet.title = "项目"
    sheet.append(list(PROJECT_HEADERS.values()))
    for row in projects:
        sheet.append([row.get(f) for f in PROJECT_HEADERS])
    extra = book.create_sheet(MILESTONE_SHEET)
    extra.append(list(MILESTONE_HEADERS.values()))
    for row in milestones:
        extra.append([row[f] for f in MILESTONE_HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
