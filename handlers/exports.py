"""/export: the ledgers as Excel documents, for administrators and leaders.

`/export` offers three buttons; `/export progress|issues|bulletin [YYYY-MM]` (or 进度/问题/快讯)
asks directly. The progress ledger defaults to the month being reported, the bulletin to the
month before it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.domain import inputs
from bot.domain.buttons import ExportButton, decode, encode
from bot.domain.periods import previous_month, report_period
from bot.services import delivery, exports
from bot.services.permissions import ANYWHERE, Action, allowed
from handlers.context import BotContext

ALIASES = {"progress": "progress", "进度": "progress", "进度台账": "progress", "issues": "issues", "问题": "issues",
           "问题台账": "issues", "bulletin": "bulletin", "快讯": "bulletin", "投资快讯": "bulletin"}


async def _permitted(update: Update, ctx: BotContext) -> bool:
    if allowed(ctx.person, Action.export, ANYWHERE):
        return True
    if update.callback_query:
        await ctx.answer(update, ctx.t("export.not_allowed"), alert=True)
    else:
        await ctx.reply(update, "export.not_allowed")
    return False


def _defaults(ctx: BotContext) -> tuple[str, str]:
    local = ctx.now.astimezone(ctx.env.settings.tz)
    return report_period(local.date(), ctx.env.policy.monthly_report), previous_month(local)


async def export_command(update: Update, ctx: BotContext) -> None:
    if not await _permitted(update, ctx):
        return
    current, previous = _defaults(ctx)
    if not ctx.args:
        rows = [[(ctx.t("export.button_progress", month=current), encode(ExportButton("progress", current)))],
                [(ctx.t("export.button_issues"), encode(ExportButton("issues", None)))],
                [(ctx.t("export.button_bulletin", month=previous), encode(ExportButton("bulletin", previous)))]]
        await ctx.reply(update, "export.choose", delivery.inline_keyboard(rows))
        return
    kind = ALIASES.get(ctx.args[0].lower())
    month = inputs.month(ctx.args[1]) if len(ctx.args) > 1 else (previous if kind == "bulletin" else current)
    if kind is None or len(ctx.args) > 2 or (kind != "issues" and month is None):
        await ctx.reply(update, "export.usage", example=current)
        return
    await _send(update, ctx, kind, month)


async def export_button(update: Update, ctx: BotContext) -> None:
    pressed = decode(update.callback_query.data)
    if (not isinstance(pressed, ExportButton) or pressed.kind not in exports.KINDS
            or (pressed.kind != "issues" and pressed.month is None)):
        await ctx.answer(update, ctx.label("flow.stale_button"), alert=True)
        return
    if not await _permitted(update, ctx):
        return
    await ctx.answer(update, ctx.t("export.preparing"))
    await _send(update, ctx, pressed.kind, pressed.month)


async def _send(update: Update, ctx: BotContext, kind: str, month: str) -> None:
    env = ctx.env
    if kind == "issues":
        data = await exports.issue_ledger(ctx.tx, ctx.now, env.policy, env.settings.tz, ctx.locale)
        name = ctx.t("ledger.file_issues", day=ctx.now.astimezone(env.settings.tz).date().isoformat())
    else:
        make = exports.progress if kind == "progress" else exports.bulletin
        data = await make(ctx.tx, month, env.policy, env.settings.tz, ctx.locale)
        name = ctx.t(f"ledger.file_{kind}", month=month)
    await delivery.send_file(ctx.tx, ctx.now, update.effective_chat.id, "document", name, data)


HANDLERS = [
    CommandHandler("export", export_command, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(export_button, pattern=r"^x:"),
]
