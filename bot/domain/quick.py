"""一句话报进度: reading a monthly report or a problem from one line a liaison types, the way they would in a
work group ("HX-001 本月完成500万 累计3200万 主体封顶 下月计划室外管网开工", "QS-003 问题：10kV线路未接通").

Pure: the line and what the person may report on in, what was recognised out — never a guess. A line is
read only when it names one of the person's projects (its code, or a name only one of them has) and says
at least one thing the report asks; an amount without 本月 or 累计 is left for the flow to ask. The words
come from the caller (the catalogue's stages, the policy's categories, the project's nodes), so any locale
reads its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bot.domain.money import WAN

_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)\s*(亿元|亿|万元|万|元)?"
PATTERNS = {  # what each field looks like, in Chinese and in English; the first group is its value
    "code": re.compile(r"\b([A-Za-z][A-Za-z0-9]{0,7}-\d{2,4}(?:-\d{1,4})?)\b"),
    "ytd": re.compile(r"(?:本年累计|年度累计|累计完成|累计|\b(?:ytd|year to date|total)\b)(?:完成)?(?:投资)?[:：]?\s*"
                      + _AMOUNT, re.IGNORECASE),
    "month": re.compile(r"(?:本月|当月|\bthis month\b)(?:完成)?(?:投资)?[:：]?\s*" + _AMOUNT, re.IGNORECASE),
    "next_plan": re.compile(r"(?:下月计划|下月|下步计划|\bnext month\b)[:：]?\s*(.+)$", re.IGNORECASE),
    "problem": re.compile(r"(?:问题|困难|受阻问题|\b(?:problem|issue)\b)[:：]\s*(.*)$", re.IGNORECASE),
}
_BARE_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:亿元|亿|万元|万)")
_UNITS = {"亿元": 10_000 * WAN, "亿": 10_000 * WAN, "万元": WAN, "万": WAN, "元": 1, None: WAN}  # bare: 万元, as asked
_SEPARATORS = " ，,；;。、"


@dataclass(frozen=True)
class Reportable:
    """A project the person may report on, with the words that name its parts."""

    id: int
    code: str
    name: str
    nodes: tuple[tuple[int, str], ...] = ()  # open nodes: (id, name)


@dataclass
class QuickLine:
    kind: str  # "report" or "problem"
    projects: list[int]  # those it names: one, or several when a name is ambiguous
    ytd: int | None = None  # 本年累计, 元
    month: int | None = None  # 本月, 元 (added to last month's YTD by the caller)
    stage: str | None = None
    nodes: list[int] = field(default_factory=list)
    next_plan: str | None = None
    progress: str | None = None
    description: str | None = None
    category: int | None = None  # the policy category's index, when its name is in the line


_WIDE = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_WIDE |= {chr(c): chr(c - 0xFEE0) for c in [*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}  # Ａ-Ｚ ａ-ｚ
_WIDE |= {"－": "-", "．": ".", "\u3000": " "}


def normalise(text: str) -> str:
    """Full-width digits, letters, hyphens and spaces as ASCII (a person's Chinese punctuation is kept),
    a full-width comma between digits as a thousands separator; runs of spaces as one."""
    text = re.sub(r"(?<=\d)，(?=\d{3})", ",", "".join(_WIDE.get(c, c) for c in text))
    return " ".join(text.split())


def amount(number: str, unit: str | None) -> int | None:
    try:
        value = Decimal(number.replace(",", "")) * _UNITS[unit]
    except (InvalidOperation, KeyError):
        return None
    return int(value) if value == value.to_integral_value() and 0 <= value < 10**15 else None


def read(text: str, projects: list[Reportable], stages: dict[str, str], categories: list[str]) -> QuickLine | None:
    """`stages`: word → stage key; `categories`: the policy's names, in order. None: not a quick line."""
    line = normalise(text)
    named = _projects(line, projects)
    if not named:
        return None
    rest = line
    for project in projects:
        if project.id in named:
            rest = re.sub(re.escape(project.code), " ", rest, flags=re.IGNORECASE)
    if match := PATTERNS["problem"].search(rest):
        description = match.group(1).strip(_SEPARATORS)
        category = next((i for i, name in enumerate(categories) if name and name in description), None)
        return QuickLine("problem", named, description=description, category=category) if description else None
    found = QuickLine("report", named)
    if match := PATTERNS["next_plan"].search(rest):
        found.next_plan = match.group(1).strip(_SEPARATORS) or None
        rest = rest[:match.start()]
    for key in ("ytd", "month"):
        if match := PATTERNS[key].search(rest):
            setattr(found, key, amount(match.group(1), match.group(2)))
            rest = rest[:match.start()] + " " + rest[match.end():]
    if len(named) == 1:
        nodes = next(p.nodes for p in projects if p.id == named[0])
        found.nodes = [node_id for node_id, name in nodes if name and name in rest]
    for word, stage in sorted(stages.items(), key=lambda item: -len(item[0])):
        if match := re.search(rf"(?<![\u4e00-\u9fff]){re.escape(word)}(?:阶段)?(?![\u4e00-\u9fff])", rest):
            found.stage = stage
            rest = rest[:match.start()] + " " + rest[match.end():]
            break
    progress = rest.strip(_SEPARATORS + " ")
    found.progress = progress or None
    said = (found.ytd, found.month, found.stage, found.next_plan, found.nodes or None)
    if any(value is not None for value in said) or _BARE_AMOUNT.search(rest):  # an amount alone: asked which
        return found
    return None  # a project named and words only: a question or a remark, not a report


def _projects(line: str, projects: list[Reportable]) -> list[int]:
    """The projects the line names: by code (any case), else by a name only one of them carries."""
    codes = {p.code.upper(): p.id for p in projects}
    by_code = [codes[c.upper()] for c in PATTERNS["code"].findall(line) if c.upper() in codes]
    if by_code:
        return list(dict.fromkeys(by_code))
    by_name = [p.id for p in projects if len(p.name.removesuffix("项目")) >= 4 and p.name.removesuffix("项目") in line]
    return by_name
