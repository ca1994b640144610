"""08:30 on working days: one message per leader — what reached their level, what is overdue,
what escalated and which of their projects turned red since yesterday. Nothing is sent when
there is nothing to say."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs.registry import Job, JobContext, at, by_day, register
from bot.models import IssueStatus, Role
from bot.services.notify import tell
from storage import flags, issues, people, projects

WORKING = {IssueStatus.assigned, IssueStatus.acknowledged, IssueStatus.reopened}


async def leader_digest(ctx: JobContext) -> None:
    changes = await flags.changed_since(ctx.tx, ctx.now - timedelta(days=1))
    active = {p.id: p for p in await projects.all_active(ctx.tx)}
    for leader in await people.with_role(ctx.tx, Role.leader):
        if leader.telegram_id is None:
            continue
        mine = await issues.under_leader(ctx.tx, leader.id)
        top = [i for i in mine if i.level == 3]
        overdue = [i for i in mine if i.status in WORKING and i.resolve_due and i.resolve_due < ctx.now]
        fresh = await issues.escalated_since(ctx.tx, [i.id for i in mine], ctx.now - timedelta(days=1))
        escalated = [i for i in mine if i.id in fresh]
        red = [active[pid] for pid, (_, now) in changes.items() if now == "red" and pid in active
               and await projects.has_person(ctx.tx, pid, leader.id, "lead_leader")]
        if top or overdue or escalated or red:
            await tell(ctx.tx, ctx.now, leader, "digest.leader", top=top, overdue=overdue,
                       escalated=escalated, red=red, red_name=ctx.policy.flags.names["red"], today=ctx.today)


register(Job("leader-daily-digest", period=by_day, run=leader_digest, working_days_only=True,
             cron=lambda p: at(p.bulletins.leader_digest_time)))
