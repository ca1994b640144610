"""一句话报进度: a line a liaison types, read into the monthly report's or the problem's answers, so the same
flow checks each one, asks only what is missing and shows its card before anything is stored."""

from __future__ import annotations

from decimal import Decimal

import messages
from bot.domain import quick
from bot.domain.models import Person, Stage
from bot.domain.money import WAN
from bot.services import reports
from bot.services.context import Context
from storage import projects


async def read(ctx: Context, person: Person, text: str) -> tuple[str, dict, dict] | None:
    """The flow the line starts, its draft and its answers; None when the line is not a quick report."""
    mine = await reports.reportable_projects(ctx.tx, person)
    if not mine:
        return None
    words = []
    for p in mine:
        nodes = tuple((m.id, m.name) for m in await projects.milestones(ctx.tx, p.id) if m.reached_on is None)
        words.append(quick.Reportable(p.id, p.code, p.name, nodes))
    stages = {messages.label(locale, f"stage.{s.value}"): s.value for s in Stage for locale in messages.LOCALES}
    line = quick.read(text, words, stages, [c.name for c in ctx.policy.issue_categories])
    if line is None:
        return None
    one = line.projects[0] if len(line.projects) == 1 else None  # two that match: the flow asks which
    draft = {"project": str(one), "_single": True} if one else {}
    if line.kind == "problem":
        answers = {"description": line.description, "need": None, "need_by": None, "photos": []}
        if line.category is not None:
            answers["category"] = str(line.category)
        return "raise_issue", draft, answers
    ytd = line.ytd
    if ytd is None and line.month is not None and one:
        period = (await reports.months(ctx, one))[0].period  # the month the report is for: 本月 adds to the last
        ytd = (await reports.last_ytd(ctx.tx, one, period) or 0) + line.month
    answers = {"photos": [], "milestones": [str(node) for node in line.nodes]}
    if ytd is not None:
        answers["ytd"] = f"{Decimal(ytd) / WAN:f}万"
    for key in ("stage", "progress", "next_plan"):
        if getattr(line, key):
            answers[key] = getattr(line, key)
    return "monthly_report", draft, answers
