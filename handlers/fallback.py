"""What nothing else handled: a hint for text and for other kinds of message; the error hook."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.context import CURRENT_WORK, BotContext

_KINDS = ("sticker", "voice", "video", "video_note", "audio", "location", "venue", "contact",
          "photo", "animation", "poll", "dice", "document")


async def unknown_text(update: Update, ctx: BotContext) -> None:
    if update.effective_chat.type == "private":
        await ctx.reply(update, "refuse.unknown_input")
    else:
        await ctx.reply(update, "refuse.group")


async def unsupported(update: Update, ctx: BotContext) -> None:
    message = update.effective_message
    kind = next((k for k in _KINDS if getattr(message, k, None)), "message")
    await ctx.reply(update, "refuse.unsupported", kind=kind)


async def on_error(update: object, ctx: BotContext) -> None:
    """Mark the unit of work failed: the runner rolls it back and apologises."""
    work = CURRENT_WORK.get()
    if work is not None:
        work.error = ctx.error
    else:
        raise ctx.error


async def stale_button(update: Update, ctx: BotContext) -> None:
    await ctx.answer(update, ctx.label("flow.stale_button"), alert=True)


HANDLERS = [
    CallbackQueryHandler(stale_button),
    MessageHandler(filters.TEXT, unknown_text),
    MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT, unsupported),
]
