"""The monthly bulletin (the 5th, 09:00, for the month before) and the quarterly analysis (after
each quarter) to every subscribed group. Composed before the transaction (see Job.prepare)."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.registry import Job, JobContext, at, register
from bot.periods import previous_month
from bot.quarterly import quarter_of
from bot.services.bulletins import compose_monthly, compose_quarterly, post


def previous_quarter(local: datetime) -> str:
    return quarter_of(previous_month(local.replace(day=1, month=(local.month - 1) // 3 * 3 + 1)))


async def _compose_monthly(ctx: JobContext, chat_ids: list[int] | None = None) -> dict:
    return await compose_monthly(ctx.tx, previous_month(ctx.now.astimezone(ctx.tz)), ctx.policy, ctx.tz, chat_ids)


async def _compose_quarterly(ctx: JobContext, chat_ids: list[int] | None = None) -> dict:
    return await compose_quarterly(ctx.tx, previous_quarter(ctx.now.astimezone(ctx.tz)), ctx.policy, ctx.tz,
                                   chat_ids)


async def monthly_bulletin(ctx: JobContext) -> None:
    await post(ctx.tx, ctx.now, "monthly_bulletin", ctx.prepared, lambda ids: _compose_monthly(ctx, ids))


async def quarterly_analysis(ctx: JobContext) -> None:
    await post(ctx.tx, ctx.now, "quarterly_analysis", ctx.prepared, lambda ids: _compose_quarterly(ctx, ids))


register(Job("monthly-bulletin", period=previous_month, run=monthly_bulletin, prepare=_compose_monthly,
             cron=lambda p: {"day": p.bulletins.monthly_day, **at(p.bulletins.monthly_time)}))
register(Job("quarterly-analysis", period=previous_quarter, run=quarterly_analysis, prepare=_compose_quarterly,
             cron=lambda p: {"month": "1,4,7,10", "day": p.bulletins.quarterly_day,
                             **at(p.bulletins.quarterly_time)}))
