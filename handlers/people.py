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


async def _act(update: Update, ctx: BotContext, needs_role: bool, act) -> None:
    """Find the person (and role) the arguments name, do `act`, say what it returns (or the refusal)."""
    if (target := await _target(update, ctx, needs_role)) is None:
        return
    try:
        key, values = await act(*target)
    except Refused as refused:
        key, values = refused.key, refused.values
    await ctx.reply(update, key, **values)


async def revoke(update: Update, ctx: BotContext) -> None:
    async def act(person: Person, role: Role) -> tuple[str, dict]:
        changed = await personnel.revoke(ctx.tx, ctx.now, _actor(ctx), person, role)
        return "people.revoked", {"person": changed, "role": role.value}
    await _act(update, ctx, True, act)


async def set_role(update: Update, ctx: BotContext) -> None:
    async def act(person: Person, role: Role) -> tuple[str, dict]:
        changed = await personnel.set_role(ctx.tx, ctx.now, _actor(ctx), person, role)
        return "people.role_set", {"person": changed, "role": role.value}
    await _act(update, ctx, True, act)


async def unlink(update: Update, ctx: BotContext) -> None:
    async def act(person: Person, _: None) -> tuple[str, dict]:
        changed = await personnel.unlink(ctx.tx, ctx.now, _actor(ctx), ctx.env.settings.admin_ids, person)
        return "people.unlinked", {"person": changed}
    await _act(update, ctx, False, act)


async def deactivate(update: Update, ctx: BotContext) -> None:
    async def act(person: Person, _: None) -> tuple[str, dict]:
        work = await personnel.deactivate(ctx.tx, ctx.now, _actor(ctx), ctx.env.settings.admin_ids, person)
        return "people.deactivated", {"name": person.name, "work": work}
    await _act(update, ctx, False, act)


HANDLERS = [
    CommandHandler("person", show, filters=private),
    CommandHandler("revoke", revoke, filters=private),
    CommandHandler("role", set_role, filters=private),
    CommandHandler("unlink", unlink, filters=private),
    CommandHandler("deactivate", deactivate, filters=private),
]
