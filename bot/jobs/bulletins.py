"""The 5th at 09:00: the monthly bulletin for the month before, to every subscribed group."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.registry import Job, JobContext, at, register
from bot.services.bulletins import post_monthly


def previous_month(local: datetime) -> str:
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"


async def monthly_bulletin(ctx: JobContext) -> None:
    await post_monthly(ctx.tx, ctx.now, previous_month(ctx.now.astimezone(ctx.tz)), ctx.policy, ctx.tz)


register(Job("monthly-bulletin", period=previous_month, run=monthly_bulletin,
             cron=lambda p: {"day": p.bulletins.monthly_day, **at(p.bulletins.monthly_time)}))
