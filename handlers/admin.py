"""Administrators' actions in the bot: /invite, sending a project sheet, /template."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.domain.errors import Refused
from bot.formats import project_sheet
from bot.formats.sheet_limits import check_size
from bot.services import delivery, people, registry
from bot.services.permissions import ANYWHERE, GRANTABLE, Action, allowed
from handlers import arguments
from handlers.context import BotContext
from messages.imports import import_report, sheet_error


async def _refused(update: Update, ctx: BotContext, action: Action) -> bool:
    if allowed(ctx.person, action, ANYWHERE):
        return False
    await ctx.reply(update, "refuse.not_admin")
    return True


async def invite(update: Update, ctx: BotContext) -> None:
    if await _refused(update, ctx, Action.invite):
        return
    roles = [r.value for r in GRANTABLE]
    if len(ctx.args) < 2:
        await ctx.reply(update, "invite.usage", roles=roles)
        return
    name, role_text, *rest = ctx.args
    role = arguments.role(role_text)
    if role is None:
        await ctx.reply(update, "invite.bad_role", role=role_text, roles=roles)
        return
    project_code, unit = await people.split_target(ctx.tx, " ".join(rest).strip() or None)
    try:
        code, person = await people.create_invite(
            ctx.tx, ctx.env.clock, ctx.env.policy, name=name, role=role,
            project_code=project_code, unit=unit, created_by=ctx.person.id)
    except Refused as refused:
        await ctx.reply(update, refused.key, **refused.values)
        return
    await ctx.reply(update, "invite.created", person=person, role=role.value,
                    days=ctx.env.policy.invite_valid_days, link=people.deep_link(ctx.bot.username, code))


async def upload(update: Update, ctx: BotContext) -> None:
    if await _refused(update, ctx, Action.import_projects):
        return
    document = update.message.document
    name = document.file_name or "upload"
    try:
        check_size(document.file_size or 0)  # before downloading it
        file = await ctx.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
        sheet = await asyncio.to_thread(project_sheet.read_sheet, data, name)
    except project_sheet.SheetError as exc:
        await ctx.send(update.effective_chat.id, sheet_error(ctx.locale, exc))
        return
    report = await registry.apply_sheet(ctx.services, sheet, skip_invalid=False)
    await ctx.send(update.effective_chat.id, import_report(ctx.locale, report))


async def template(update: Update, ctx: BotContext) -> None:
    if await _refused(update, ctx, Action.import_projects):
        return
    data = await asyncio.to_thread(project_sheet.template)
    await delivery.send_file(ctx.tx, ctx.now, update.effective_chat.id, "document", ctx.label("import.template_file"),
                             data)


HANDLERS = [
    CommandHandler("invite", invite, filters=filters.ChatType.PRIVATE),
    CommandHandler("template", template, filters=filters.ChatType.PRIVATE),
    MessageHandler(filters.Document.ALL & ~filters.Document.IMAGE & filters.ChatType.PRIVATE, upload),
]
