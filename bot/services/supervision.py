"""挂牌督办 of projects (002 "对进展缓慢、工期滞后的项目,及时挂牌督办"): a leader or the centre puts a
project under supervision with a reason, or the flag watch does after the policy's run of red months;
it shows on the project card and in the bulletin until lifted, and the people of the project are told.
The 约谈 held over a slow project are recorded here too (000, 001, 002), and shown on its card."""

from __future__ import annotations

import messages
from bot.domain.bulletin_figures import month_bounds
from bot.domain.errors import Refused
from bot.domain.flags import run_of
from bot.domain.models import Person, Project, Role, Supervision, Talk
from bot.domain.periods import shift
from bot.services.context import Context
from bot.services.notify import quiet_until, tell
from bot.services.permissions import Action, may
from storage import flags, people, projects, supervision
from storage.db import Conn


async def _project(ctx: Context, actor: Person, code: str, reason: str) -> tuple[Project, str]:
    project = await projects.by_code(ctx.tx, code.strip().upper()[:40])
    if project is None or not await may(ctx.tx, actor, Action.view_project, project=project):
        raise Refused("projects.not_found", code=code.strip().upper()[:40])
    if not await may(ctx.tx, actor, Action.supervise, project=project):
        raise Refused("supervision.not_allowed")
    reason = " ".join(reason.split())
    if not reason or len(reason) > 200:
        raise Refused("projects.list_reason")
    return project, reason


async def supervise(ctx: Context, actor: Person, code: str, reason: str) -> Project:
    project, reason = await _project(ctx, actor, code, reason)
    if await supervision.current(ctx.tx, project.id) is not None:
        raise Refused("supervision.already", code=project.code)
    await supervision.start(ctx.tx, project.id, ctx.now, actor.id, reason)
    await _tell(ctx, project, "supervision.notice", actor)
    return project


async def lift(ctx: Context, actor: Person, code: str, reason: str) -> Project:
    project, reason = await _project(ctx, actor, code, reason)
    if await supervision.current(ctx.tx, project.id) is None:
        raise Refused("supervision.not_on", code=project.code)
    await supervision.lift(ctx.tx, project.id, ctx.now, actor.id, reason)
    await _tell(ctx, project, "supervision.lifted_notice", actor, reason=reason)
    return project


async def record_talk(ctx: Context, actor: Person, code: str, text: str) -> Project:
    """约谈 held today: `text` is whom (one word) and then what came of it."""
    talked_to, _, outcome = " ".join(text.split()).partition(" ")
    if not outcome:
        raise Refused("talk.usage")
    project, outcome = await _project(ctx, actor, code, outcome)
    await supervision.add_talk(ctx.tx, project.id, ctx.today, talked_to[:50], outcome, actor.id, ctx.now)
    await _tell(ctx, project, "talk.notice", actor, talked_to=talked_to[:50], outcome=outcome)
    return project


async def talks(conn: Conn, project_id: int) -> list[Talk]:
    return await supervision.talks(conn, project_id, 3)


async def after_red_months(ctx: Context, project: Project, period: str) -> None:
    """The flag watch, once a project's colour for `period` is recorded: red for the policy's number of
    months in a row puts it under supervision — unless it is already, or was lifted within the run."""
    months = ctx.policy.flags.supervise_after_red_months
    if months is None or await supervision.current(ctx.tx, project.id) is not None:
        return
    streak = run_of((await flags.histories(ctx.tx, project.id)).get(project.id, []), period, {"red"})
    if streak < months:
        return
    run_began, _, _ = month_bounds(shift(period, 1 - streak), ctx.tz)
    if await supervision.ever_lifted_since(ctx.tx, project.id, run_began):
        return  # someone lifted it during this run of red months: theirs to put back
    reason = messages.render_plain(None, "supervision.auto_reason", months=streak,
                                   red=ctx.policy.flags.names["red"])
    await supervision.start(ctx.tx, project.id, ctx.now, None, reason)
    await _tell(ctx, project, "supervision.notice", None)


async def _tell(ctx: Context, project: Project, key: str, actor: Person | None, **values: object) -> None:
    """The project's lead leaders, its liaison and its lead unit's heads hear it; the centre too when
    the watch did it."""
    found = await supervision.current(ctx.tx, project.id)
    audience = [*await people.lead_leaders_of(ctx.tx, project.id),
                *await people.unit_heads_of_project(ctx.tx, project.id)]
    if project.liaison_id is not None:
        audience.append(await people.get(ctx.tx, project.liaison_id))
    if actor is None:
        audience += await people.with_role(ctx.tx, Role.admin)
    later = quiet_until(ctx.now, ctx.policy.delivery, ctx.tz)
    told = {actor.id} if actor else set()
    for person in audience:
        if person is not None and person.id not in told:
            told.add(person.id)
            await tell(ctx.tx, ctx.now, person, key, project=project, supervision=found,
                       actor=actor.name if actor else None, deliver_after=later, **values)


async def current(conn: Conn, project_id: int) -> Supervision | None:
    return await supervision.current(conn, project_id)
