"""Monday 09:00: to each group subscribed, for its scope — last week's updates received against
expected (and who is missing), new and closed issues, issues escalated or overdue, and projects
whose flag changed."""

from __future__ import annotations

from datetime import timedelta

import messages
from bot import delivery
from bot.bulletin import in_scope
from bot.jobs.registry import Job, JobContext, at, by_week, register, weekday
from bot.models import IssueStatus
from bot.periods import iso_week
from bot.services.groups import describe
from storage import flags, groups, issues, people, projects, reports

WORKING = {IssueStatus.assigned, IssueStatus.acknowledged, IssueStatus.reopened}


async def weekly_digest(ctx: JobContext) -> None:
    week = iso_week(ctx.today - timedelta(days=7))
    since = ctx.now - timedelta(days=7)
    unit_names = {u.id: u.name for u in await people.units(ctx.tx)}
    answered = await reports.weekly_project_ids(ctx.tx, week)
    recent = await issues.open_or_closed_since(ctx.tx, since)
    escalated = await issues.escalated_ids_since(ctx.tx, since)
    changes = await flags.changed_since(ctx.tx, since)
    for chat_id in await groups.subscribed(ctx.tx, "weekly_digest"):
        group = await groups.get(ctx.tx, chat_id)
        scoped = [p for p in await projects.all_active(ctx.tx) if in_scope(p, group, unit_names)]
        ids = {p.id for p in scoped}
        expected = [p for p in scoped if p.liaison_id]
        mine = [i for i in recent if i.project_id in ids]
        text = messages.render(None, "weekly_digest.text", week=week, scope=await describe(ctx.tx, group, None),
                               expected=len(expected), received=sum(p.id in answered for p in expected),
                               missing=[p for p in expected if p.id not in answered],
                               opened=[i for i in mine if i.created_at >= since],
                               closed=[i for i in mine if i.closed_at is not None and i.closed_at >= since],
                               escalated=[i for i in mine if i.id in escalated and i.status is not IssueStatus.closed],
                               overdue=[i for i in mine if i.status in WORKING and i.resolve_due and i.resolve_due < ctx.now],
                               changed=[(p, changes[p.id]) for p in scoped if p.id in changes],
                               names=ctx.policy.flags.names)
        await delivery.send_text(ctx.tx, ctx.now, chat_id, text)


register(Job("weekly-digest", period=by_week, run=weekly_digest,
             cron=lambda p: {"day_of_week": weekday(p.bulletins.weekly_digest_weekday),
                             **at(p.bulletins.weekly_digest_time)}))
