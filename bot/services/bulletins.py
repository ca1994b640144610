"""Composing and posting the monthly bulletin (投资快讯) for each bound group's scope."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import messages
from bot import delivery
from bot.bulletin import BulletinData, compute, in_scope, month_bounds
from bot.chart import completion_chart
from bot.models import GroupChat
from bot.policy import Policy
from bot.services.groups import describe
from storage import groups, issues, people, projects, reports
from storage.db import Conn


async def gather(conn: Conn, month: str, group: GroupChat | None, policy: Policy, tz: ZoneInfo) -> BulletinData:
    start, _, _ = month_bounds(month, tz)
    unit_names = {u.id: u.name for u in await people.units(conn)}
    scoped = [p for p in await projects.all_active(conn) if in_scope(p, group, unit_names)]
    return compute(month, scoped, await reports.of_year(conn, int(month[:4]), month),
                   await projects.all_milestones(conn), await issues.open_or_closed_since(conn, start),
                   policy, tz)


async def render(data: BulletinData, policy: Policy, locale: str | None, scope: str) -> tuple[bytes, str, str]:
    """(chart PNG, caption, full text)."""
    title = messages.render_plain(locale, "bulletin.chart_title", month=data.month, scope=scope)
    chart = await asyncio.to_thread(completion_chart, data, policy.flags, title,
                                    messages.label(locale, "bulletin.chart_axis"),
                                    messages.label(locale, "bulletin.chart_plan"))
    caption = messages.render(locale, "bulletin.caption", d=data, scope=scope)
    text = messages.render(locale, "bulletin.text", d=data, scope=scope, names=policy.flags.names)
    return chart, caption, text


async def post_monthly(tx: Conn, now: datetime, month: str, policy: Policy, tz: ZoneInfo) -> int:
    """Queue the bulletin to every reachable group subscribed to it; how many groups."""
    posted = 0
    for chat_id in await groups.subscribed(tx, "monthly_bulletin"):
        group = await groups.get(tx, chat_id)
        scope = await describe(tx, group, None)
        chart, caption, text = await render(await gather(tx, month, group, policy, tz), policy, None, scope)
        await delivery.send_file(tx, now, chat_id, "photo", f"bulletin-{month}.png", chart, caption)
        await delivery.send_text(tx, now, chat_id, text)
        posted += 1
    return posted
