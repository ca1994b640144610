"""The flag watch, every morning: each project's flag for the month, recorded, the lead leader told
once when a project turns red (with the reasons), and 挂牌督办 after the policy's run of red months."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.models import Project
from bot.domain.periods import judged_period, last_due_month, report_period
from bot.domain.policy import Policy
from bot.domain.standing import ProjectStatus, statuses
from bot.services import supervision
from bot.services.context import Context
from bot.services.notify import quiet_until, tell
from storage import flags, issues, people, projects, reports
from storage.db import Conn


def judge(ctx: Context) -> Callable[[str | None], str]:
    """The month each project is judged on now, from its newest reported month (one rule)."""
    return lambda reported: judged_period(ctx.today, ctx.policy.monthly_report, reported)


async def histories(conn: Conn, policy: Policy,
                    project_id: int | None = None) -> dict[int, list[tuple[str, str]]] | None:
    """The recorded colours the warning ladder climbs by (000's 红黄蓝牌), of every project or one; none
    needed otherwise."""
    return await flags.histories(conn, project_id) if policy.flags.scheme == "warning" else None


async def standings(ctx: Context, chosen: list[Project] | None = None) -> list[ProjectStatus]:
    """Every active project (or those `chosen`) as it stands now, each judged on its own month (one rule)."""
    period = report_period(ctx.today, ctx.policy.monthly_report)
    year = int(last_due_month(ctx.today, ctx.policy.monthly_report)[:4])  # December's, on 1 January
    latest = await reports.latest_per_project(ctx.tx, year, period)
    return statuses(period, await projects.all_active(ctx.tx) if chosen is None else chosen, latest,
                    await projects.all_milestones(ctx.tx), await issues.unfinished(ctx.tx), ctx.policy, ctx.today,
                    ctx.now, judge(ctx), await histories(ctx.tx, ctx.policy))


async def watch(ctx: Context) -> None:
    period = report_period(ctx.today, ctx.policy.monthly_report)
    before = await flags.latest_colours(ctx.tx, period)  # each project's newest colour, whatever month
    found = await standings(ctx)
    later = quiet_until(ctx.now, ctx.policy.delivery, ctx.tz)
    for status in found:
        project, flag = status.project, status.flag
        await flags.record(ctx.tx, project.id, status.period, flag.colour, before.get(project.id), ctx.now)
        await supervision.after_red_months(ctx, project, status.period)
        if flag.colour == "red" and before.get(project.id) != "red":
            for leader in await people.lead_leaders_of(ctx.tx, project.id):
                await tell(ctx.tx, ctx.now, leader, "flag.turned_red", project=project, flag=flag,
                           name=ctx.policy.flags.names["red"], deliver_after=later)
