"""调度会: /meeting (schedule one), /agenda (the next meeting's pack), /decide (a 议定事项), /minutes ID (会议纪要
to the attendees)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.domain import inputs
from bot.domain.errors import Refused
from bot.flows.engine import Engine
from bot.services import meetings as service
from bot.services.permissions import ANYWHERE, Action, allowed
from handlers.context import BotContext
from handlers.flows import session

private = filters.ChatType.PRIVATE


async def schedule(update: Update, ctx: BotContext) -> None:
    if not allowed(ctx.person, Action.meet, ANYWHERE):
        await ctx.reply(update, "meeting.not_allowed")
        return
    await Engine(session(update, ctx)).start("schedule_meeting")


async def decide(update: Update, ctx: BotContext) -> None:
    if not await service.decidable(ctx.tx, ctx.person, ctx.services.today):
        await ctx.reply(update, "meeting.none_to_decide")
        return
    await Engine(session(update, ctx)).start("record_decision")


async def agenda(update: Update, ctx: BotContext) -> None:
    try:
        pack = await service.next_pack(ctx.services, ctx.person)
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "meeting.pack" if pack else "meeting.none_ahead", a=pack, names=ctx.env.policy.flags.names)


async def minutes(update: Update, ctx: BotContext) -> None:
    meeting_id = inputs.row_id(ctx.args[0]) if ctx.args else None
    if meeting_id is None:
        await ctx.reply(update, "meeting.minutes_usage")
        return
    try:
        meeting, told = await service.send_minutes(ctx.services, ctx.person, meeting_id)
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "meeting.minutes_sent", meeting=meeting, count=told)


HANDLERS = [
    CommandHandler("meeting", schedule, filters=private),
    CommandHandler("decide", decide, filters=private),
    CommandHandler("agenda", agenda, filters=private),
    CommandHandler("minutes", minutes, filters=private),
]
