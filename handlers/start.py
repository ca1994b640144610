"""/start with or without an invite code, and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.domain.errors import Refused
from bot.domain.models import Role
from bot.services import dashboard, people
from bot.services import reports as report_service
from bot.services.people import Redeemed
from bot.services.permissions import ANYWHERE, Action, allowed
from handlers.context import BotContext
from handlers.menus import menu

_REFUSALS = {
    Redeemed.unknown: "start.unknown_code",
    Redeemed.used: "start.used_code",
    Redeemed.expired: "start.expired_code",
}


async def start(update: Update, ctx: BotContext) -> None:
    if not ctx.args:
        if ctx.person is None:
            await ctx.reply(update, "start.stranger")
        else:
            await greet(update, ctx, ctx.person.main_role)
        return
    try:
        outcome, person = await people.redeem(ctx.tx, ctx.env.clock, ctx.env.policy, ctx.args[0],
                                              update.effective_user.id, ctx.locale)
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    if outcome in _REFUSALS:
        await ctx.reply(update, _REFUSALS[outcome])
    elif outcome is Redeemed.other_account:
        await ctx.reply(update, "start.other_account", person=person)
    else:
        ctx.person = person
        ctx.locale = person.locale or ctx.locale
        await greet(update, ctx, person.main_role)


async def greet(update: Update, ctx: BotContext, role: Role) -> None:
    mine = await report_service.reportable_projects(ctx.tx, ctx.person)
    policy = ctx.env.policy
    if ctx.env.settings.dashboard_listen:
        await dashboard.offer_menu(ctx.tx, ctx.env.clock.now(), ctx.person)
    await ctx.reply(update, "start.greeting", menu(ctx), person=ctx.person, role=role.value,
                    projects=mine[:20], monthly=policy.monthly_report, weekly=policy.weekly_update.asked)


async def help_command(update: Update, ctx: BotContext) -> None:
    keyboard = menu(ctx) if update.effective_chat.type == "private" else None
    await ctx.reply(update, "help.text", keyboard, is_admin=allowed(ctx.person, Action.invite, ANYWHERE),
                    can_export=allowed(ctx.person, Action.export, ANYWHERE),
                    can_supervise=allowed(ctx.person, Action.supervise, ANYWHERE),
                    role=ctx.person.main_role.value)


HANDLERS = [
    CommandHandler("start", start, filters=filters.ChatType.PRIVATE),
    CommandHandler("help", help_command),
]
