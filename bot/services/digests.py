"""Digests: each leader's at 08:30 on working days (what reached their level, what is overdue, what
escalated, which of their projects turned red since yesterday; nothing when there is nothing), and
each subscribed group's on Monday (last week's updates received against expected and who is
missing, new and closed issues, escalated or overdue ones, flag changes), for its scope."""

from __future__ import annotations

from datetime import timedelta

import messages
from bot.domain.bulletin_figures import in_scope
from bot.domain.models import IssueStatus, Role
from bot.domain.periods import iso_week, month_key
from bot.domain.quarter_figures import focus_of, quarter_of
from bot.services import delivery
from bot.services.context import Context
from bot.services.groups import describe
from bot.services.notify import tell
from storage import flags, groups, issues, people, projects, reports


async def leader_digest(ctx: Context) -> None:
    changes = await flags.changed_since(ctx.tx, ctx.now - timedelta(days=1))
    active = {p.id: p for p in await projects.all_active(ctx.tx)}
    for leader in await people.with_role(ctx.tx, Role.leader):
        if leader.telegram_id is None:
            continue
        mine = await issues.under_leader(ctx.tx, leader.id)
        top = [i for i in mine if i.level == ctx.policy.top_level]
        overdue = [i for i in mine if i.overdue_at(ctx.now)]
        fresh = await issues.escalated_since(ctx.tx, [i.id for i in mine], ctx.now - timedelta(days=1))
        escalated = [i for i in mine if i.id in fresh]
        red = [active[pid] for pid, (_, now) in changes.items() if now == "red" and pid in active
               and await projects.has_person(ctx.tx, pid, leader.id, "lead_leader")]
        if top or overdue or escalated or red:
            await tell(ctx.tx, ctx.now, leader, "digest.leader", dashboard=True, top=top,
                       top_level=ctx.policy.top_level, overdue=overdue, escalated=escalated, red=red,
                       red_name=ctx.policy.flags.names["red"], today=ctx.today)


async def weekly_digest(ctx: Context) -> None:
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
        expected = [p for p in scoped if p.liaison_id and ctx.policy.weekly_update.asks(p.tier, p.level)]
        mine = [i for i in recent if i.project_id in ids]
        text = messages.render(None, "weekly_digest.text", week=week, scope=await describe(ctx.tx, group, None),
                               focus=focus_of(quarter_of(month_key(ctx.today)), ctx.policy),
                               expected=len(expected), received=sum(p.id in answered for p in expected),
                               missing=[p for p in expected if p.id not in answered],
                               opened=[i for i in mine if i.created_at >= since],
                               closed=[i for i in mine if i.closed_at is not None and i.closed_at >= since],
                               escalated=[i for i in mine if i.id in escalated and i.status is not IssueStatus.closed],
                               overdue=[i for i in mine if i.overdue_at(ctx.now)],
                               changed=[(p, changes[p.id]) for p in scoped if p.id in changes],
                               names=ctx.policy.flags.names)
        await delivery.send_text(ctx.tx, ctx.now, chat_id, text,
                                 delivery.with_dashboard(None, messages.label(None, "dashboard.open")))
