"""Every quarter hour: the issue clocks (warnings, escalations, flags, auto-close)."""

from __future__ import annotations

from bot.jobs.registry import Job, JobContext, by_quarter_hour, register
from bot.services.escalation import check_clocks


async def issue_clocks(ctx: JobContext) -> None:
    await check_clocks(ctx.tx, ctx.clock, ctx.policy, ctx.tz)


register(Job("issue-clocks", period=by_quarter_hour, run=issue_clocks, cron=lambda p: {"minute": "*/15"}))
