"""领导驾驶舱's figures for one person: who they are from a signed Mini App sign-in, then 总览, 排名, 项目, 问题
and 地图 of the projects the permission table lets them see (a leader and the centre every project, others
their own). Figures come as numbers (for charts and tests) and, where people read them, as the words and
forms the bot's messages use, in the person's language."""

from __future__ import annotations

from datetime import date, datetime

import messages
from bot.domain.bulletin_figures import month_bounds, ranking_by
from bot.domain.errors import Refused
from bot.domain.models import Issue, Person, Role
from bot.domain.money import wan
from bot.domain.periods import completion_rate, time_share
from bot.domain.standing import ProjectStatus
from bot.domain.webapp import InvalidInitData, verify
from bot.services import bulletins, delivery, flag_watch, registry
from bot.services.context import Context
from bot.services.issues import actions_for
from storage import issues, people, reports
from storage.db import Conn

# what the page offers on a problem: the leader's alert buttons (交办, 批示, 延期, 挂牌督办 / 取消挂牌)
PAGE_ACTIONS = ("assign", "instruct", "extend", "flag", "unflag")


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


async def offer_menu(tx: Conn, now: datetime, person: Person | None = None) -> None:
    """The dashboard as the menu button of everyone who sees every project (leaders, the centre), or of
    `person` if they do — at start and when someone binds their account."""
    chosen = [person] if person else [p for role in Role for p in await people.with_role(tx, role)]
    for someone in {p.id: p for p in chosen}.values():
        if someone.telegram_id and someone.active and registry.sees_everything(someone):
            await delivery.offer_dashboard(tx, now, someone.telegram_id,
                                           messages.label(locale_of(someone), "dashboard.menu"))


def locale_of(person: Person) -> str:
    return person.locale or messages.DEFAULT_LOCALE


def words(person: Person) -> dict[str, str]:
    """The page's own words (messages' `page` section) in the person's language, with their name."""
    locale = locale_of(person)
    return {key.removeprefix("page."): text for key, text in messages.catalog(locale).items()
            if key.startswith("page.")} | {"locale": locale, "person": person.name}


def _rate(rate: float | None) -> str:
    return messages.render_plain(None, "dashboard.rate", rate=rate)


def _reasons(status: ProjectStatus, locale: str) -> list[str]:
    return [messages.render_plain(locale, f"flag.reason.{r.kind}", **r.values) for r in status.flag.reasons]


def project_line(status: ProjectStatus, locale: str) -> dict:
    project = status.project
    plan = project.plan_for(int(status.period[:4]))
    return {"code": project.code, "name": project.name, "lead_unit": project.lead_unit or "—",
            "tier": project.tier.value, "tier_name": messages.label(locale, f"tier.{project.tier.value}"),
            "stage": project.stage.value, "stage_name": messages.label(locale, f"stage.{project.stage.value}"),
            "flag": status.flag.colour, "reasons": _reasons(status, locale),
            "plan": plan, "plan_text": wan(plan), "ytd": status.ytd, "ytd_text": wan(status.ytd),
            "rate": status.rate, "rate_text": _rate(status.rate),
            "judged": status.period,
            "judged_text": messages.render_plain(locale, "dashboard.month", month=status.period)}


async def _standings(ctx: Context, person: Person) -> list[ProjectStatus]:
    return await flag_watch.standings(ctx, await registry.visible_projects(ctx.tx, person))


async def projects(ctx: Context, person: Person, flag: str | None = None, text: str = "",
                   unit: str | None = None, tier: str | None = None, stage: str | None = None) -> dict:
    """项目: the person's projects as they stand — of one card, unit, tier or stage only, or whose code or
    name holds `text` — and the choices each filter has among them."""
    locale = locale_of(person)
    wanted = text.strip().lower()[:40]
    found = await _standings(ctx, person)
    lines = [project_line(s, locale) for s in found]
    shown = [line for line in lines
             if (not flag or line["flag"] == flag) and (not unit or line["lead_unit"] == unit)
             and (not tier or line["tier"] == tier) and (not stage or line["stage"] == stage)
             and (not wanted or wanted in line["code"].lower() or wanted in line["name"].lower())]
    return {"projects": shown, "total": len(lines),
            "units": sorted({line["lead_unit"] for line in lines}),
            "tiers": {line["tier"]: line["tier_name"] for line in lines},
            "stages": {line["stage"]: line["stage_name"] for line in lines}}


async def _open_problems(ctx: Context, project_ids: set[int]) -> list[Issue]:
    return [i for i in await issues.unfinished(ctx.tx) if i.project_id in project_ids]


async def problem_lines(ctx: Context, person: Person, mine: list[Issue]) -> list[dict]:
    """Problems as the page lists them, each with the actions this person may take on it now."""
    locale = locale_of(person)
    lines = []
    for issue in mine:
        may = await actions_for(ctx.tx, person, issue)
        lines.append({
            "number": issue.number, "project": issue.project_code, "project_name": issue.project_name,
            "category": issue.category_label, "description": issue.description,
            "level": issue.level, "level_name": messages.level_name(issue.level),
            "status": issue.status.value, "status_name": messages.label(locale, f"status.{issue.status.value}"),
            "deadline": issue.resolve_due.isoformat() if issue.resolve_due else None,
            "deadline_text": messages.render_plain(locale, "dashboard.day", value=issue.resolve_due)
            if issue.resolve_due else "—",
            "overdue": issue.overdue_at(ctx.now), "major": issue.major, "flagged": issue.flagged,
            "actions": {a: messages.label(locale, f"issue.button.{a}") for a in PAGE_ACTIONS if a in may}})
    return lines


async def problems(ctx: Context, person: Person) -> list[dict]:
    """问题: the open problems of the person's projects, overdue ones first."""
    ids = {p.id for p in await registry.visible_projects(ctx.tx, person)}
    mine = await _open_problems(ctx, ids)
    mine.sort(key=lambda i: (not i.overdue_at(ctx.now), i.resolve_due or ctx.now, i.number))
    return await problem_lines(ctx, person, mine)


async def _trend(ctx: Context, found: list[ProjectStatus], judged: str) -> list[dict]:
    """Month by month of the judged year: the year-to-date investment the reports gave by then, against
    the plan's 序时进度."""
    year = int(judged[:4])
    ids = {s.project.id for s in found}
    plan = sum(s.project.plan_for(year) for s in found)
    months = []
    for number in range(1, int(judged[5:]) + 1):
        month = f"{year:04d}-{number:02d}"
        done = sum(r.ytd_completed for r in await reports.latest_per_project(ctx.tx, year, month)
                   if r.project_id in ids)
        due = round(plan * time_share(month, ctx.policy.flags.plan_curve) / 100)
        months.append({"month": month, "ytd": done, "due": due})
    return months


async def overview(ctx: Context, person: Person) -> dict:
    """总览: the plan, what is done against 序时进度, 开工率, the cards and the problems, of the person's
    projects, with the month judged named and the trend by month."""
    locale = locale_of(person)
    found = await _standings(ctx, person)
    ids = {s.project.id for s in found}
    mine = await _open_problems(ctx, ids)
    judged = max((s.period for s in found), default=None)
    plan = sum(s.project.plan_for(int(s.period[:4])) for s in found)
    ytd = sum(s.ytd for s in found)
    colours = {colour: sum(s.flag.colour == colour for s in found) for colour in ctx.policy.flags.names}
    starts = (ranking_by(found, "lead_unit", "starts", month_bounds(judged, ctx.tz)[2]) if judged else [])
    starts_due, starts_made = sum(u.plan for u in starts), sum(u.ytd for u in starts)
    share = time_share(judged, ctx.policy.flags.plan_curve) if judged else None
    return {"person": person.name, "projects": len(found),
            "plan": plan, "plan_text": wan(plan), "ytd": ytd, "ytd_text": wan(ytd),
            "rate": completion_rate(ytd, plan), "rate_text": _rate(completion_rate(ytd, plan)),
            "time_share": share, "time_share_text": _rate(share),
            "starts_due": starts_due, "starts_made": starts_made,
            "start_rate": completion_rate(starts_made, starts_due),
            "start_rate_text": _rate(completion_rate(starts_made, starts_due)),
            "judged": judged,
            "judged_text": messages.render_plain(locale, "dashboard.month", month=judged) if judged else "—",
            "flags": colours, "flag_names": dict(ctx.policy.flags.names),
            "problems": {"open": len(mine), "overdue": sum(i.overdue_at(ctx.now) for i in mine)},
            "trend": await _trend(ctx, found, judged) if judged else []}


def _unit_line(unit) -> dict:
    return {"rank": unit.rank, "unit": unit.unit, "projects": unit.projects, "rate": unit.rate,
            "rate_text": _rate(unit.rate)}


async def ranking(ctx: Context, person: Person) -> dict:
    """排名: lead units (and places, where the county ranks them) by 年度投资完成率 over the person's projects;
    the units' scorecard of the judged month for those who see every project, where the county keeps one."""
    locale = locale_of(person)
    found = await _standings(ctx, person)
    judged = max((s.period for s in found), default=None)
    if judged is None:
        return {"judged": None, "judged_text": "—", "rankings": [], "scores": []}
    last_day: date = month_bounds(judged, ctx.tz)[2]
    rankings = [{"by": by, "title": messages.label(locale, f"bulletin.rank_by.{by}"),
                 "units": [_unit_line(u) for u in ranking_by(found, by, "completion", last_day)]}
                for by in ctx.policy.bulletins.rank_by]
    scores = []
    if registry.sees_everything(person) and ctx.policy.bulletins.scorecard:
        data = await bulletins.gather(ctx.tx, judged, None, ctx.policy, ctx.tz)
        scores = [{"unit": s.unit, "reports": _rate(s.reports.rate), "issues": _rate(s.issues.rate),
                   "overdue": s.overdue, "nodes": _rate(s.nodes.rate)} for s in data.scores]
    return {"judged": judged, "judged_text": messages.render_plain(locale, "dashboard.month", month=judged),
            "rankings": rankings, "scores": scores}


async def map_points(ctx: Context, person: Person) -> list[dict]:
    """地图: the person's projects that have coordinates, each with its card."""
    locale = locale_of(person)
    return [{**project_line(s, locale), "lon": s.project.longitude, "lat": s.project.latitude}
            for s in await _standings(ctx, person)
            if s.project.longitude is not None and s.project.latitude is not None]
