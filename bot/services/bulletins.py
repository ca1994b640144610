"""Composing and posting the monthly bulletin (投资快讯) and the quarterly analysis (季度分析) for
each bound group's scope.

The data is read once and cut per scope; composing (the chart above all) happens before the
posting job's transaction, on the read connection, so the writer is never held while matplotlib
draws. Posting re-reads the subscriptions inside the transaction: a group unbound meanwhile gets
nothing, a group bound meanwhile is composed there and then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import messages
from bot.domain import quarter_figures
from bot.domain.bulletin_figures import BulletinData, compute, in_scope, month_bounds
from bot.domain.models import GroupChat, Issue, Milestone, MonthlyReport, Project, Supervision
from bot.domain.periods import previous_month, summary_period
from bot.domain.policy import Policy
from bot.domain.quarter_figures import QuarterData, previous_quarter, quarter_months
from bot.formats.chart import completion_chart
from bot.services import delivery, flag_watch
from bot.services.context import Context
from bot.services.groups import describe
from storage import groups, issues, people, projects, reports, supervision
from storage.db import Conn


@dataclass(frozen=True)
class Post:
    chart: bytes | None
    caption: str
    text: str


@dataclass(frozen=True)
class _Facts:
    projects: list[Project]
    latest: list[MonthlyReport]
    latest_before: list[MonthlyReport]
    milestones: list[Milestone]
    issues: list[Issue]
    unit_names: dict[int, str]
    supervised: dict[int, Supervision]
    histories: dict[int, list[tuple[str, str]]] | None
    breached: frozenset[int]
    on_time: dict[int, int]  # each project's months of the span reported by the due day

    def scoped(self, group: GroupChat | None) -> list[Project]:
        return [p for p in self.projects if in_scope(p, group, self.unit_names)]


async def _load(conn: Conn, first: str, last: str, before: str, policy: Policy, tz: ZoneInfo) -> _Facts:
    """Everything a report on the months `first`..`last` needs (`before`: the month whose
    year-to-date is subtracted, or '')."""
    start, _, _ = month_bounds(first, tz)
    year = int(last[:4])
    return _Facts(
        projects=await projects.all_active(conn),
        latest=await reports.latest_per_project(conn, year, last),
        latest_before=await reports.latest_per_project(conn, year, before) if before else [],
        milestones=await projects.all_milestones(conn),
        issues=await issues.open_or_closed_since(conn, start),
        unit_names={u.id: u.name for u in await people.units(conn)},
        supervised=await supervision.all_current(conn),
        histories=await flag_watch.histories(conn, policy),
        breached=await issues.breached_ids(conn),
        on_time=await reports.on_time_months(conn, first, last))


def _monthly(facts: _Facts, month: str, group: GroupChat | None, policy: Policy, tz: ZoneInfo,
             span: str = "month") -> BulletinData:
    return compute(month, facts.scoped(group), facts.latest, facts.milestones, facts.issues, facts.supervised,
                   facts.histories, policy, tz, facts.breached, facts.on_time, span)


def _quarterly(facts: _Facts, quarter: str, group: GroupChat | None, policy: Policy, tz: ZoneInfo) -> QuarterData:
    return quarter_figures.compute(quarter, facts.scoped(group), facts.latest, facts.latest_before, facts.milestones,
                             facts.issues, policy, tz)


async def gather(conn: Conn, month: str, group: GroupChat | None, policy: Policy, tz: ZoneInfo) -> BulletinData:
    return _monthly(await _load(conn, month, month, "", policy, tz), month, group, policy, tz)


def summary_span(period: str) -> tuple[str, str]:
    """'2026-H1' → ('2026-06', 'half'); '2026-Y' → ('2026-12', 'year')."""
    year, kind = period.split("-")
    return (f"{year}-06", "half") if kind == "H1" else (f"{year}-12", "year")


async def gather_summary(conn: Conn, period: str, group: GroupChat | None, policy: Policy,
                         tz: ZoneInfo) -> BulletinData:
    """年中看进度、年底亮结果 (000): the 快讯's figures over the first half or the year."""
    month, span = summary_span(period)
    return _monthly(await _load(conn, f"{month[:4]}-01", month, "", policy, tz), month, group, policy, tz, span)


async def gather_quarter(conn: Conn, quarter: str, group: GroupChat | None, policy: Policy,
                         tz: ZoneInfo) -> QuarterData:
    return _quarterly(await _load(conn, *quarter_months(quarter), policy, tz), quarter, group, policy, tz)


def issued_on(data: BulletinData, policy: Policy) -> date:
    """The day the 快讯 (or a summary) goes out: the policy's day of the month after its last month."""
    year, month = int(data.month[:4]), int(data.month[5:])
    day = policy.bulletins.monthly_day if data.span == "month" else policy.bulletins.summary_day
    return date(year + month // 12, month % 12 + 1, day)


async def render(data: BulletinData, policy: Policy, locale: str | None, scope: str) -> Post:
    title = messages.render_plain(locale, "bulletin.chart_title", month=data.month, scope=scope)
    flags = policy.flags
    bands = {band: messages.render_plain(locale, f"bulletin.chart_band.{band}", yellow=flags.yellow_behind_points,
                                         red=flags.red_behind_points) for band in ("green", "yellow", "red")}
    chart = await asyncio.to_thread(completion_chart, data, policy.flags, title,
                                    messages.label(locale, "bulletin.chart_axis"),
                                    messages.label(locale, "bulletin.chart_plan"), bands)
    caption = messages.render(locale, "bulletin.caption", d=data, scope=scope)
    text = messages.render(locale, "bulletin.text", d=data, scope=scope, names=policy.flags.names,
                           yellow=policy.flags.yellow_behind_points, issuer=policy.bulletins.issuer,
                           issued=issued_on(data, policy),
                           focus=quarter_figures.focus_of(quarter_figures.quarter_of(data.month), policy))
    return Post(chart, caption, text)


def render_quarter(data: QuarterData, policy: Policy, locale: str | None, scope: str) -> Post:
    return Post(None, "", messages.render(locale, "quarterly.text", d=data, scope=scope,
                                          yellow=policy.flags.yellow_behind_points))


async def compose_monthly(conn: Conn, month: str, policy: Policy, tz: ZoneInfo,
                          chat_ids: list[int] | None = None) -> dict[int, Post]:
    """The bulletin for every group subscribed to it (or for `chat_ids`), in the group's default
    language (groups are read by many)."""
    facts = await _load(conn, month, month, "", policy, tz)
    posts = {}
    for chat_id in chat_ids if chat_ids is not None else await groups.subscribed(conn, "monthly_bulletin"):
        group = await groups.get(conn, chat_id)
        posts[chat_id] = await render(_monthly(facts, month, group, policy, tz), policy, None,
                                      await describe(conn, group, None))
    return posts


async def compose_summary(conn: Conn, period: str, policy: Policy, tz: ZoneInfo,
                          chat_ids: list[int] | None = None) -> dict[int, Post]:
    """The half-year or year summary for every group subscribed to the 快讯 (or those named), where the
    policy asks for that summary; none otherwise."""
    month, span = summary_span(period)
    if span not in policy.bulletins.summaries:
        return {}
    facts = await _load(conn, f"{month[:4]}-01", month, "", policy, tz)
    posts = {}
    for chat_id in chat_ids if chat_ids is not None else await groups.subscribed(conn, "monthly_bulletin"):
        group = await groups.get(conn, chat_id)
        posts[chat_id] = await render(_monthly(facts, month, group, policy, tz, span), policy, None,
                                      await describe(conn, group, None))
    return posts


async def compose_quarterly(conn: Conn, quarter: str, policy: Policy, tz: ZoneInfo,
                            chat_ids: list[int] | None = None) -> dict[int, Post]:
    facts = await _load(conn, *quarter_months(quarter), policy, tz)
    posts = {}
    for chat_id in chat_ids if chat_ids is not None else await groups.subscribed(conn, "quarterly_analysis"):
        group = await groups.get(conn, chat_id)
        posts[chat_id] = render_quarter(_quarterly(facts, quarter, group, policy, tz), policy, None,
                                        await describe(conn, group, None))
    return posts


async def post(tx: Conn, now: datetime, kind: str, posts: dict[int, Post],
               compose: Callable[[list[int]], Awaitable[dict[int, Post]]]) -> int:
    """Queue `posts` to the groups subscribed to `kind` now; `compose(chat_ids)` makes any missing.
    How many groups."""
    chat_ids = await groups.subscribed(tx, kind)
    missing = [c for c in chat_ids if c not in posts]
    ready = {**posts, **(await compose(missing) if missing else {})}
    for chat_id in chat_ids:
        item = ready[chat_id]
        if item.chart is not None:
            await delivery.send_file(tx, now, chat_id, "photo", "bulletin.png", item.chart, item.caption)
        await delivery.send_text(tx, now, chat_id, item.text)
    return len(chat_ids)


async def monthly_for_groups(ctx: Context, chat_ids: list[int] | None = None) -> dict[int, Post]:
    """The previous month's 投资快讯 for every subscribed group (or those named), composed."""
    return await compose_monthly(ctx.tx, previous_month(ctx.now.astimezone(ctx.tz)), ctx.policy, ctx.tz, chat_ids)


async def quarterly_for_groups(ctx: Context, chat_ids: list[int] | None = None) -> dict[int, Post]:
    return await compose_quarterly(ctx.tx, previous_quarter(ctx.now.astimezone(ctx.tz)), ctx.policy, ctx.tz,
                                   chat_ids)


async def post_monthly(ctx: Context, composed: dict[int, Post]) -> None:
    await post(ctx.tx, ctx.now, "monthly_bulletin", composed, lambda ids: monthly_for_groups(ctx, ids))


async def summary_for_groups(ctx: Context, chat_ids: list[int] | None = None) -> dict[int, Post]:
    return await compose_summary(ctx.tx, summary_period(ctx.now.astimezone(ctx.tz)), ctx.policy, ctx.tz, chat_ids)


async def post_summary(ctx: Context, composed: dict[int, Post]) -> None:
    if summary_span(summary_period(ctx.now.astimezone(ctx.tz)))[1] in ctx.policy.bulletins.summaries:
        await post(ctx.tx, ctx.now, "monthly_bulletin", composed, lambda ids: summary_for_groups(ctx, ids))


async def post_quarterly(ctx: Context, composed: dict[int, Post]) -> None:
    await post(ctx.tx, ctx.now, "quarterly_analysis", composed, lambda ids: quarterly_for_groups(ctx, ids))
