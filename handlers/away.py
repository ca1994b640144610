"""/away and /back: a person's time away, and who stands in."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.domain import inputs
from bot.domain.errors import Refused
from bot.flows.engine import Engine
from bot.services import people
from handlers.context import BotContext
from handlers.flows import session

private = filters.ChatType.PRIVATE


async def away(update: Update, ctx: BotContext) -> None:
    """`/away DATE [name]` in one line; `/away` alone asks for both with buttons (bot/flows/away.py)."""
    if not ctx.args:
        await Engine(session(update, ctx)).start("away")
        return
    env = ctx.env
    try:
        until = inputs.chat_date(ctx.args[0], ctx.now.astimezone(env.settings.tz).date())
    except ValueError:
        await ctx.reply(update, "flow.bad_date", value=ctx.args[0][:30])
        return
    try:
        delegate = await people.delegate_named(ctx.tx, ctx.person, " ".join(ctx.args[1:])) if ctx.args[1:] else None
        await people.set_away(ctx.tx, env.clock, env.settings.tz, ctx.person, until, delegate)
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "away.set", until=until, delegate=delegate)


async def back(update: Update, ctx: BotContext) -> None:
    summary = await people.come_back(ctx.tx, ctx.env.clock, ctx.person, early=True)
    if summary is None:
        await ctx.reply(update, "away.not_away")
        return
    await ctx.reply(update, "away.welcome_back", count=summary[0], delegate=summary[1])


HANDLERS = [
    CommandHandler("away", away, filters=private),
    CommandHandler("back", back, filters=private),
]
