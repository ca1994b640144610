"""/projects: the projects a person works on (all of them for administrators and leaders)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import BotContext
from bot.models import Role
from bot.services import registry

PAGE = 30


async def list_projects(update: Update, ctx: BotContext) -> None:
    projects = await registry.visible_projects(ctx.tx, ctx.person)
    if not projects:
        await ctx.reply(update, "projects.none")
        return
    everyone = ctx.person.has(Role.admin, Role.leader)
    await ctx.reply(update, "projects.list", title=ctx.label("projects.all" if everyone else "projects.mine"),
                    total=len(projects), items=projects[:PAGE])


HANDLERS = [CommandHandler("projects", list_projects, filters=filters.ChatType.PRIVATE)]
