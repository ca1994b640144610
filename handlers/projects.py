"""/projects (paged), /project CODE (the card), /history CODE (reports by month), and the changes of a
project's standing on the list: /delist, /relist (调出 / 调入), /supervise, /unsupervise (挂牌督办), /talk (约谈)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import buttons
from bot.domain.errors import Refused
from bot.domain.periods import report_period
from bot.services import registry, supervision
from bot.services import reports as report_service
from bot.services.delivery import inline_keyboard
from handlers.context import BotContext
from handlers.menus import pressed

PAGE = 15
private = filters.ChatType.PRIVATE


async def _page(ctx: BotContext, page: int) -> tuple[str, dict | None]:
    projects = await registry.visible_projects(ctx.tx, ctx.person)
    if not projects:
        return ctx.t("projects.none"), None
    pages = (len(projects) + PAGE - 1) // PAGE
    page = max(0, min(page, pages - 1))
    everyone = registry.sees_everything(ctx.person)
    text = ctx.t("projects.list", title=ctx.label("projects.all" if everyone else "projects.mine"),
                 total=len(projects), items=projects[page * PAGE:(page + 1) * PAGE], page=page + 1, pages=pages)
    nav = []
    if page > 0:
        nav.append((ctx.label("button.previous"), buttons.encode(buttons.PageButton(page - 1))))
    if page < pages - 1:
        nav.append((ctx.label("button.next"), buttons.encode(buttons.PageButton(page + 1))))
    return text, inline_keyboard([nav]) if nav else None


async def list_projects(update: Update, ctx: BotContext) -> None:
    text, keyboard = await _page(ctx, 0)
    await ctx.send(update.effective_chat.id, text, keyboard)


async def turn_page(update: Update, ctx: BotContext) -> None:
    pressed = buttons.decode(update.callback_query.data)
    if not isinstance(pressed, buttons.PageButton):
        await ctx.answer(update, ctx.label("flow.stale_button"), alert=True)
        return
    text, keyboard = await _page(ctx, pressed.page)
    await ctx.edit(update, text, keyboard)
    await ctx.answer(update)


async def _project_from_args(update: Update, ctx: BotContext, usage: str):
    if not ctx.args:
        await ctx.reply(update, usage)
        return None
    project = await registry.visible_by_code(ctx.tx, ctx.person, ctx.args[0])
    if project is None:
        await ctx.reply(update, "projects.not_found", code=ctx.args[0].strip().upper()[:40])
    return project


async def card(update: Update, ctx: BotContext) -> None:
    project = await _project_from_args(update, ctx, "projects.card_usage")
    if project is None:
        return
    facts = await report_service.overview(ctx.services, project)
    owed = await report_service.owed_months(ctx.services, project.id) if project.active else []
    period = report_period(ctx.services.today, ctx.env.policy.monthly_report)
    change = None if project.active else await registry.list_change(ctx.tx, project)
    await ctx.reply(update, "projects.card", project=project, period=period, owed=owed, delisted=change,
                    supervised=await supervision.current(ctx.tx, project.id),
                    talks=await supervision.talks(ctx.tx, project.id), **facts)


async def history(update: Update, ctx: BotContext) -> None:
    project = await _project_from_args(update, ctx, "projects.history_usage")
    if project is None:
        return
    reports, weeks = await report_service.history(ctx.tx, project)
    await ctx.reply(update, "projects.history", project=project, reports=reports, weeks=weeks,
                    fields={f.key: f for f in ctx.env.policy.monthly_report.fields})



async def _project_change(update: Update, ctx: BotContext, usage: str, act, done: str) -> None:
    """/command CODE 原因: `act(services, person, code, reason)` changes the project, or says why not."""
    if len(ctx.args) < 2:
        await ctx.reply(update, usage)
        return
    try:
        project = await act(ctx.services, ctx.person, ctx.args[0], " ".join(ctx.args[1:]))
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, done, project=project)


async def delist(update: Update, ctx: BotContext) -> None:
    """调出: /delist CODE 原因 — the project leaves bulletins, rankings and reminders; history stays."""
    await _project_change(update, ctx, "projects.list_usage",
                          lambda services, person, code, why: registry.set_listed(services, person, code, False, why),
                          "projects.delisted")


async def relist(update: Update, ctx: BotContext) -> None:
    """调入: /relist CODE 原因."""
    await _project_change(update, ctx, "projects.list_usage",
                          lambda services, person, code, why: registry.set_listed(services, person, code, True, why),
                          "projects.listed")


async def supervise(update: Update, ctx: BotContext) -> None:
    """挂牌督办: /supervise CODE 原因, by a leader or the centre."""
    await _project_change(update, ctx, "supervision.usage", supervision.supervise, "supervision.started")


async def talk(update: Update, ctx: BotContext) -> None:
    """约谈: /talk CODE 约谈对象 结果."""
    await _project_change(update, ctx, "talk.usage", supervision.record_talk, "talk.recorded")


async def unsupervise(update: Update, ctx: BotContext) -> None:
    """取消挂牌: /unsupervise CODE 原因."""
    await _project_change(update, ctx, "supervision.usage", supervision.lift, "supervision.lifted")


HANDLERS = [
    CommandHandler("delist", delist, filters=private),
    CommandHandler("relist", relist, filters=private),
    CommandHandler("supervise", supervise, filters=private),
    CommandHandler("unsupervise", unsupervise, filters=private),
    CommandHandler("talk", talk, filters=private),
    CommandHandler("projects", list_projects, filters=private),
    CommandHandler("project", card, filters=private),
    CommandHandler("history", history, filters=private),
    MessageHandler(pressed("projects", "my_projects"), list_projects),
    CallbackQueryHandler(turn_page, pattern=r"^p:"),
]
