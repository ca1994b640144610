"""Issue cards and the buttons on them, /issue Q-…, /issues, and 待办 (what waits for me)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import buttons
from bot.domain.errors import Refused
from bot.domain.models import IssueStatus
from bot.domain.periods import report_period
from bot.flows.engine import Engine
from bot.services import issues as service
from bot.services import reports as report_service
from handlers.context import BotContext
from handlers.flows import session
from handlers.menus import pressed

private = filters.ChatType.PRIVATE
_FLOWS = {"assign": "assign_issue", "progress": "issue_progress", "solve": "issue_solve",
          "reject": "issue_reject", "instruct": "issue_instruct", "extend": "issue_extend",
          "request": "issue_request", "plan": "issue_plan", "revisit": "issue_revisit"}


async def show_issue(update: Update, ctx: BotContext) -> None:
    if not ctx.args:
        await ctx.reply(update, "issue.usage")
        return
    found = await service.visible_by_number(ctx.tx, ctx.person, ctx.args[0])
    if found is None:
        await ctx.reply(update, "issue.not_found_number", number=ctx.args[0][:20])
        return
    issue, events = found
    actions = await service.actions_for(ctx.tx, ctx.person, issue, ctx.env.policy.top_level)
    await ctx.reply(update, "issue.card", service.keyboard(ctx.locale, issue, actions), issue=issue,
                    events=events)


async def list_issues(update: Update, ctx: BotContext) -> None:
    wanted = ctx.args[0].lower() if ctx.args else None
    statuses = {s.value for s in IssueStatus}
    if wanted and wanted not in statuses:
        await ctx.reply(update, "issue.bad_filter", statuses=sorted(statuses))
        return
    found = await service.listed(ctx.tx, ctx.person, IssueStatus(wanted) if wanted else None)
    await ctx.reply(update, "issue.list", issues=found, status=wanted)


async def todo(update: Update, ctx: BotContext) -> None:
    """Issues waiting for this person's action, and this month's missing reports."""
    waiting = await service.waiting_for(ctx.tx, ctx.person)
    owed = await report_service.owed(ctx.services, ctx.person)
    await ctx.reply(update, "todo.list", waiting=waiting, owed=owed,
                    current=report_period(ctx.services.today, ctx.env.policy.monthly_report))


async def issue_button(update: Update, ctx: BotContext) -> None:
    query = update.callback_query
    pressed = buttons.decode(query.data)
    action = service.ACTIONS_BY_CODE.get(pressed.code) if isinstance(pressed, buttons.IssueButton) else None
    if action is None:
        await ctx.answer(update, ctx.label("flow.stale_button"), alert=True)
        return
    try:
        issue = await service.checked(ctx.tx, ctx.person, pressed.issue_id, action)
    except Refused as refused:
        await ctx.answer(update, ctx.t(refused.key, **refused.values), alert=True)
        return
    if action in _FLOWS:
        origin = str(query.message.message_id) if query.message else None
        await Engine(session(update, ctx)).start(_FLOWS[action], {"issue": str(issue.id), "_origin": origin})
        await ctx.answer(update)
        return
    clock = ctx.env.clock
    if action == "acknowledge":
        issue = await service.acknowledge(ctx.services, ctx.person, issue.id)
        text = ctx.t("issue.acknowledge_done", issue=issue)
    elif action == "confirm":
        issue = await service.confirm(ctx.tx, clock, ctx.person, issue.id)
        text = ctx.t("issue.confirm_done", issue=issue)
    else:
        issue = await service.set_flag(ctx.tx, clock, ctx.person, issue.id, action == "flag")
        text = ctx.t("issue.acted", issue=issue, actor=ctx.person.name, action=action, text=None)
    actions = await service.actions_for(ctx.tx, ctx.person, issue, ctx.env.policy.top_level)
    await ctx.edit(update, text, service.keyboard(ctx.locale, issue, actions))
    await ctx.answer(update)



HANDLERS = [
    CommandHandler("issue", show_issue, filters=private),
    CommandHandler("issues", list_issues, filters=private),
    CommandHandler("todo", todo, filters=private),
    MessageHandler(pressed("issues"), list_issues),
    MessageHandler(pressed("todo"), todo),
    CallbackQueryHandler(issue_button, pattern=r"^i:"),
]
