"""Who is this? Runs before every other handler: binds ADMIN_IDS, turns strangers away."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

import messages
from bot.services import groups, people
from bot.services.permissions import ANYWHERE, Action, allowed
from handlers.context import BotContext


def _command(update: Update) -> str | None:
    message = update.message
    if message and message.text and message.text.startswith("/"):
        return message.text.split()[0][1:].split("@")[0].lower()
    return None


async def identify(update: Update, ctx: BotContext) -> None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        raise ApplicationHandlerStop
    env = ctx.env
    ctx.person = await people.identify(ctx.tx, env.clock, env.settings.admin_ids, user.id,
                                       user.full_name, messages.locale_for(user.language_code, env.settings.locale),
                                       wrote=update.my_chat_member is None)
    ctx.locale = (ctx.person.locale if ctx.person else None) or messages.locale_for(
        user.language_code, env.settings.locale)
    command = _command(update)
    if ctx.person is not None and chat.type == ChatType.PRIVATE and command != "back":
        returned = await people.come_back(ctx.tx, env.clock, ctx.person)
        if returned is not None:
            await ctx.reply(update, "away.welcome_back", count=returned[0], delegate=returned[1])
    if chat.type != ChatType.PRIVATE:
        if update.my_chat_member:
            return  # the bot itself was added or removed
        if update.callback_query:
            if ctx.person is None:
                await ctx.answer(update, ctx.t("start.stranger"), alert=True)
                raise ApplicationHandlerStop
            return  # a button in a group: its handler checks who may press it
        if command is None:
            raise ApplicationHandlerStop  # group chatter is not for us
        if ctx.person is None or not allowed(ctx.person, Action.bind, ANYWHERE):
            if await groups.refusal_due(ctx.tx, ctx.now, chat.id, user.id):
                await ctx.reply(update, "refuse.group_not_admin", minutes=groups.REFUSAL_QUIET.seconds // 60)
            raise ApplicationHandlerStop
        return
    if update.edited_message:
        raise ApplicationHandlerStop  # an edit changes nothing already answered
    if ctx.person is None and command != "start":
        if update.callback_query:
            await ctx.answer(update, ctx.t("start.stranger"), alert=True)
        else:
            await ctx.reply(update, "start.stranger")
        raise ApplicationHandlerStop
