"""Conversations: starting a flow (commands and menu buttons), feeding it text, photos and button
presses, and /cancel. The engine in bot/flows does the rest."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import buttons
from bot.flows.engine import Engine, field_label
from bot.flows.session import Session
from bot.services import issues as issue_service
from bot.services import quick
from bot.services import reports as report_service
from handlers import fallback
from handlers.context import BotContext
from handlers.menus import pressed

private = filters.ChatType.PRIVATE
MAX_LINES = 20  # one-line reports read from one message


def session(update: Update, ctx: BotContext) -> Session:
    return Session(ctx.services, person=ctx.person, locale=ctx.locale, chat_id=update.effective_chat.id)


async def _start(update: Update, ctx: BotContext, flow: str, allowed, nothing_key: str,
                 draft: dict | None = None) -> None:
    if not await allowed(ctx.tx, ctx.person):
        await ctx.reply(update, nothing_key)
        return
    await Engine(session(update, ctx)).start(flow, draft)


async def start_monthly(update: Update, ctx: BotContext, month: str | None = None) -> None:
    """`month`: the month a late notice's button names; offered first when still open."""
    await _start(update, ctx, "monthly_report", report_service.reportable_projects, "report.no_projects",
                 {"wanted": month} if month else None)


async def start_weekly(update: Update, ctx: BotContext) -> None:
    async def asked(tx, person):
        return await report_service.weekly_projects(tx, person, ctx.env.policy)
    await _start(update, ctx, "weekly_update", asked, "weekly.not_asked")


async def start_node(update: Update, ctx: BotContext) -> None:
    await _start(update, ctx, "node_plan", report_service.reportable_projects, "report.no_projects")


async def start_raise(update: Update, ctx: BotContext) -> None:
    await _start(update, ctx, "raise_issue", issue_service.raisable_projects, "issue.no_projects")


async def cancel(update: Update, ctx: BotContext) -> None:
    s = session(update, ctx)
    engine = Engine(s)
    loaded = await engine.load()
    if loaded is None:
        await ctx.reply(update, "flow.nothing_to_cancel")
        return
    flow, _ = loaded
    answered = [field_label(s, flow, step) for step in flow.steps if step.name in s.draft]
    await engine.cancel()
    await ctx.reply(update, "flow.cancelled", flow=ctx.label(f"flow.{flow.name}"), discarded=answered)


async def text(update: Update, ctx: BotContext) -> None:
    """An answer to the flow under way; else one-line reports or problems (一句话报进度), one a line, each
    with its card in turn; else the menu."""
    engine = Engine(session(update, ctx))
    if await engine.on_text(update.message.text):
        return
    lines = [line for line in update.message.text.splitlines() if line.strip()][:MAX_LINES]
    read = [(line, await quick.read(ctx.services, ctx.person, line)) for line in lines]
    found = [f for _, f in read if f]
    if not found:
        await fallback.unknown_text(update, ctx)
        return
    if unread := [line for line, f in read if f is None]:
        await ctx.reply(update, "quick.unread", lines=unread)
    name, draft, answers = found[0]
    await engine.start(name, {**draft, "_queue": [list(f) for f in found[1:]]} if found[1:] else draft, answers)


async def photo(update: Update, ctx: BotContext) -> None:
    largest = update.message.photo[-1]
    if not await Engine(session(update, ctx)).on_photo(largest.file_id):
        await fallback.unsupported(update, ctx)


async def photo_as_file(update: Update, ctx: BotContext) -> None:
    """A picture sent as a file (phones do it to keep the quality): a photo where a flow asks for one."""
    if not await Engine(session(update, ctx)).on_photo(update.message.document.file_id):
        await fallback.unsupported(update, ctx)


async def button(update: Update, ctx: BotContext) -> None:
    query = update.callback_query
    pressed = buttons.decode(query.data)
    if not isinstance(pressed, buttons.FlowButton):
        await ctx.answer(update, ctx.label("flow.stale_button"), alert=True)
        return
    answer = await Engine(session(update, ctx)).on_button(pressed, query.message.message_id if query.message else None)
    await ctx.answer(update, answer, alert=answer is not None)



_GO = {"report": start_monthly, "weekly": start_weekly, "raise": start_raise}


async def go(update: Update, ctx: BotContext) -> None:
    """A reminder's button: start the flow it names."""
    pressed = buttons.decode(update.callback_query.data)
    start = _GO.get(pressed.flow) if isinstance(pressed, buttons.StartButton) else None
    if start is None:
        await ctx.answer(update, ctx.label("flow.stale_button"), alert=True)
        return
    if pressed.month:
        await start_monthly(update, ctx, pressed.month)
    else:
        await start(update, ctx)
    await ctx.answer(update)


HANDLERS = [
    CommandHandler("report", start_monthly, filters=private),
    CommandHandler("weekly", start_weekly, filters=private),
    CommandHandler("raise", start_raise, filters=private),
    CommandHandler("node", start_node, filters=private),
    CommandHandler("cancel", cancel, filters=private),
    MessageHandler(pressed("report"), start_monthly),
    MessageHandler(pressed("weekly"), start_weekly),
    MessageHandler(pressed("raise"), start_raise),
    MessageHandler(private & filters.TEXT & ~filters.COMMAND, text),
    MessageHandler(private & filters.PHOTO, photo),
    MessageHandler(private & filters.Document.IMAGE, photo_as_file),
    CallbackQueryHandler(button, pattern=r"^f:"),
    CallbackQueryHandler(go, pattern=r"^go:"),
]
