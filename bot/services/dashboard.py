"""领导驾驶舱's figures for one person: who they are from a signed Mini App sign-in, and the overview of the
projects the permission table lets them see (a leader and the centre every project, others their own)."""

from __future__ import annotations

from bot.domain.errors import Refused
from bot.domain.models import IssueStatus, Person
from bot.domain.periods import completion_rate, time_share
from bot.domain.webapp import InvalidInitData, verify
from bot.services import flag_watch, registry
from bot.services.context import Context
from storage import issues, people


async def signed_in(ctx: Context, init_data: str, token: str) -> Person:
    """The person a Mini App's `initData` names, checked; Refused for a forged, stale or unknown one."""
    max_age = ctx.policy.dashboard.max_age
    try:
        user = verify(init_data, token, ctx.now, max_age)
    except InvalidInitData:
        raise Refused("dashboard.not_signed_in") from None
    person = await people.by_telegram(ctx.tx, user.telegram_id)
    if person is None or not person.active:
        raise Refused("dashboard.not_signed_in")
    return person


async def projects(ctx: Context, person: Person, flag: str | None = None, text: str = "") -> list[dict]:
    """项目: the person's projects as they stand, those of one card only or whose code or name holds `text`."""
    wanted = text.strip().lower()[:40]
    found = await flag_watch.standings(ctx, await registry.visible_projects(ctx.tx, person))
    return [{"code": s.project.code, "name": s.project.name, "lead_unit": s.project.lead_unit,
             "tier": s.project.tier.value, "stage": s.project.stage.value, "flag": s.flag.colour,
             "plan": s.project.plan_for(int(s.period[:4])), "ytd": s.ytd, "rate": s.rate, "judged": s.period}
            for s in found if (flag is None or s.flag.colour == flag)
            and (not wanted or wanted in s.project.code.lower() or wanted in s.project.name.lower())]


async def problems(ctx: Context, person: Person) -> list[dict]:
    """问题: the open problems of the person's projects, overdue ones first."""
    ids = {p.id for p in await registry.visible_projects(ctx.tx, person)}
    mine = [i for i in await issues.unfinished(ctx.tx) if i.project_id in ids and i.status is not IssueStatus.closed]
    mine.sort(key=lambda i: (not i.overdue_at(ctx.now), i.resolve_due or ctx.now, i.number))
    return [{"number": i.number, "project": i.project_code, "category": i.category_label, "level": i.level,
             "status": i.status.value, "deadline": i.resolve_due.isoformat() if i.resolve_due else None,
             "overdue": i.overdue_at(ctx.now), "major": i.major} for i in mine]


async def overview(ctx: Context, person: Person) -> dict:
    """总览: the plan, what is done against 序时进度, the cards and the problems, of the person's projects."""
    found = await flag_watch.standings(ctx, await registry.visible_projects(ctx.tx, person))
    ids = {s.project.id for s in found}
    mine = [i for i in await issues.unfinished(ctx.tx) if i.project_id in ids and i.status is not IssueStatus.closed]
    plan = sum(s.project.plan_for(int(s.period[:4])) for s in found)
    ytd = sum(s.ytd for s in found)
    periods = sorted({s.period for s in found})
    colours: dict[str, int] = {}
    for status in found:
        colours[status.flag.colour] = colours.get(status.flag.colour, 0) + 1
    return {"person": person.name, "projects": len(found), "plan": plan, "ytd": ytd,
            "rate": completion_rate(ytd, plan), "judged": periods[-1] if periods else None,
            "time_share": time_share(periods[-1], ctx.policy.flags.plan_curve) if periods else None,
            "flags": colours, "problems": {"open": len(mine), "overdue": sum(i.overdue_at(ctx.now) for i in mine)}}
