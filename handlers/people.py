"""Administrators managing people: /person (the card), /revoke, /role, /unlink, /deactivate."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.domain.errors import Refused
from bot.domain.models import Person, Role
from bot.services import personnel
from bot.services.permissions import ANYWHERE, GRANTABLE, Action, allowed
from handlers import arguments
from handlers.context import BotContext

private = filters.ChatType.PRIVATE


async def _target(update: Update, ctx: BotContext, needs_role: bool) -> tuple[Person, Role | None] | None:
    """The person (and role) the arguments name, or None after saying what is wrong."""
    if not allowed(ctx.person, Action.manage_people, ANYWHERE):
        await ctx.reply(update, "refuse.not_admin")
        return None
    wanted = 2 if needs_role else 1
    if len(ctx.args) != wanted:
        await ctx.reply(update, "people.usage", roles=[r.value for r in GRANTABLE])
        return None
    role = arguments.role(ctx.args[1]) if needs_role else None
    if needs_role and role is None:
        await ctx.reply(update, "invite.bad_role", role=ctx.args[1][:20], roles=[r.value for r in GRANTABLE])
        return None
    try:
        return await personnel.find(ctx.tx, ctx.args[0]), role
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return None


def _actor(ctx: BotContext) -> personnel.Actor:
    return personnel.Actor(ctx.person, "bot")


async def show(update: Update, ctx: BotContext) -> None:
    if (target := await _target(update, ctx, needs_role=False)) is None:
        return
    card = await personnel.card(ctx.tx, target[0])
    await ctx.reply(update, "people.card", c=card, roles=[r.value for r in card.person.role_list])


async def revoke(update: Update, ctx: BotContext) -> None:
    await _change(update, ctx, personnel.revoke, "people.revoked")


async def set_role(update: Update, ctx: BotContext) -> None:
    await _change(update, ctx, personnel.set_role, "people.role_set")


async def _change(update: Update, ctx: BotContext, change, done: str) -> None:
    if (target := await _target(update, ctx, needs_role=True)) is None:
        return
    person, role = target
    try:
        person = await change(ctx.tx, ctx.now, _actor(ctx), person, role)
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, done, person=person, role=role.value)


async def unlink(update: Update, ctx: BotContext) -> None:
    if (target := await _target(update, ctx, needs_role=False)) is None:
        return
    try:
        person = await personnel.unlink(ctx.tx, ctx.now, _actor(ctx), ctx.env.settings.admin_ids, target[0])
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "people.unlinked", person=person)


async def deactivate(update: Update, ctx: BotContext) -> None:
    if (target := await _target(update, ctx, needs_role=False)) is None:
        return
    try:
        work = await personnel.deactivate(ctx.tx, ctx.now, _actor(ctx), ctx.env.settings.admin_ids, target[0])
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "people.deactivated", name=target[0].name, work=work)


HANDLERS = [
    CommandHandler("person", show, filters=private),
    CommandHandler("revoke", revoke, filters=private),
    CommandHandler("role", set_role, filters=private),
    CommandHandler("unlink", unlink, filters=private),
    CommandHandler("deactivate", deactivate, filters=private),
]
