"""The reply-keyboard main menu: what each role does most, one tap away."""

from __future__ import annotations

from telegram.ext import filters

import messages
from bot.domain.models import Role
from bot.services.delivery import reply_keyboard
from handlers.context import BotContext

_MENUS = {
    Role.liaison: [["report", "weekly"], ["raise", "my_projects"], ["todo"]],
    Role.member: [["todo", "issues"]],
}
_DEFAULT = [["todo", "projects", "issues"]]


def menu(ctx: BotContext) -> dict:
    rows = _MENUS.get(ctx.person.main_role, _DEFAULT)
    hidden = set() if ctx.env.policy.weekly_update.asked else {"weekly"}
    return reply_keyboard([[ctx.label(f"menu.{key}") for key in row if key not in hidden] for row in rows])


def pressed(*keys: str) -> filters.BaseFilter:
    """A private message whose text is one of these menu buttons, in any language."""
    labels = [messages.label(locale, f"menu.{key}") for key in keys for locale in messages.LOCALES]
    return filters.ChatType.PRIVATE & filters.Text(labels)
