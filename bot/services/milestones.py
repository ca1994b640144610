"""倒计时节点 by those who report on a project: adding a node with who answers for it, re-planning one with
a reason (every change kept), and the 倒计时台账 that reads them."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.errors import Refused
from bot.domain.models import Milestone, Person, Project
from bot.services.context import Context
from bot.services.permissions import Action, may
from storage import projects
from storage.db import Conn

MAX_NAME = 60
MAX_REASON = 200
HORIZON = timedelta(days=5 * 366)  # a node is planned from today to five years on


async def _reportable(ctx: Context, actor: Person, project_id: int) -> Project:
    project = await projects.get(ctx.tx, project_id)
    if project is None or not await may(ctx.tx, actor, Action.report, project=project):
        raise Refused("report.not_allowed")
    return project


def _check_date(due: date, today: date) -> None:
    if not today <= due <= today + HORIZON:
        raise Refused("node.date_range", value=due)


async def add(ctx: Context, actor: Person, project_id: int, name: str, due: date, owner: str | None) -> Milestone:
    project = await _reportable(ctx, actor, project_id)
    name = " ".join(name.split())
    owner = " ".join(owner.split()) if owner else None
    if not name or len(name) > MAX_NAME or (owner and len(owner) > MAX_NAME):
        raise Refused("node.name_length", limit=MAX_NAME)
    if any(m.name == name for m in await projects.milestones(ctx.tx, project.id)):
        raise Refused("node.exists", name=name)
    _check_date(due, ctx.today)
    milestone_id = await projects.add_milestone(ctx.tx, project.id, name, due, owner, actor.id, ctx.now)
    return await projects.milestone(ctx.tx, milestone_id)


async def replan(ctx: Context, actor: Person, milestone_id: int, due: date, reason: str) -> Milestone:
    """A node not yet reached gets a new date; the old one and the reason stay in its history."""
    milestone = await projects.milestone(ctx.tx, milestone_id)
    if milestone is None:
        raise Refused("node.unknown")
    await _reportable(ctx, actor, milestone.project_id)
    if milestone.reached_on is not None:
        raise Refused("node.reached", name=milestone.name)
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON:
        raise Refused("node.reason", limit=MAX_REASON)
    if due == milestone.due_date:
        raise Refused("node.same_date", value=due)
    _check_date(due, ctx.today)
    await projects.replan_milestone(ctx.tx, milestone, due, reason, actor.id, ctx.now)
    return await projects.milestone(ctx.tx, milestone_id)


async def open_nodes(conn: Conn, project_id: int) -> list[Milestone]:
    return [m for m in await projects.milestones(conn, project_id) if m.reached_on is None]


