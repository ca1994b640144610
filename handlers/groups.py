"""Group chats: /bind (scope and subscriptions), /unbind, /subscriptions, and the bot being
added to or removed from a group."""

from __future__ import annotations

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, CommandHandler, filters

from bot.domain.errors import Refused
from bot.flows.engine import Engine
from bot.services import groups as service
from bot.services import reach
from handlers.context import BotContext
from handlers.flows import session

in_groups = filters.ChatType.GROUPS
_GONE = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}


async def bind(update: Update, ctx: BotContext) -> None:
    chat = update.effective_chat
    await Engine(session(update, ctx)).start("bind_group", {"_title": chat.title or str(chat.id)})


async def unbind(update: Update, ctx: BotContext) -> None:
    try:
        removed = await service.unbind(ctx.tx, ctx.person, update.effective_chat.id)
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "group.unbound" if removed else "group.not_bound")


async def subscriptions(update: Update, ctx: BotContext) -> None:
    group = await service.bound(ctx.tx, update.effective_chat.id)
    if group is None:
        await ctx.reply(update, "group.not_bound")
        return
    await ctx.reply(update, "group.bound", group=group, scope=await service.describe(ctx.tx, group, ctx.locale))


async def membership(update: Update, ctx: BotContext) -> None:
    """A person blocked (or unblocked) the bot; a group removed (or added) it."""
    change: ChatMemberUpdated = update.my_chat_member
    if change.new_chat_member.status in _GONE:
        reason = "bot removed from the group" if change.chat.id < 0 else "blocked the bot"
        await reach.lost(ctx.tx, ctx.now, change.chat.id, reason)
    else:
        await reach.regained(ctx.tx, change.chat.id)


HANDLERS = [
    CommandHandler("bind", bind, filters=in_groups),
    CommandHandler("unbind", unbind, filters=in_groups),
    CommandHandler("subscriptions", subscriptions, filters=in_groups),
    ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER),
]
