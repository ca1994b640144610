"""/supervise CODE 原因 and /unsupervise CODE 原因: 挂牌督办 of a project, by a leader or the centre."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.domain.errors import Refused
from bot.services import supervision
from handlers.context import BotContext


async def _change(update: Update, ctx: BotContext, on: bool) -> None:
    if len(ctx.args) < 2:
        await ctx.reply(update, "supervision.usage")
        return
    act = supervision.supervise if on else supervision.lift
    try:
        project = await act(ctx.services, ctx.person, ctx.args[0], " ".join(ctx.args[1:]))
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "supervision.started" if on else "supervision.lifted", project=project)


async def supervise(update: Update, ctx: BotContext) -> None:
    await _change(update, ctx, True)


async def unsupervise(update: Update, ctx: BotContext) -> None:
    await _change(update, ctx, False)


HANDLERS = [
    CommandHandler("supervise", supervise, filters=filters.ChatType.PRIVATE),
    CommandHandler("unsupervise", unsupervise, filters=filters.ChatType.PRIVATE),
]
