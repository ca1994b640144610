"""Telegram in and out: parse an update, call a service, queue the reply. No SQL, no rules."""

from telegram import Update
from telegram.ext import Application, TypeHandler

from handlers import (
    admin,
    away,
    exports,
    fallback,
    flows,
    gate,
    groups,
    issues,
    meetings,
    people,
    projects,
    start,
)


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, gate.identify), group=-1)
    for module in (start, admin, people, away, groups, projects, issues, meetings, exports, flows, fallback):
        for handler in module.HANDLERS:
            app.add_handler(handler)
    app.add_error_handler(fallback.on_error)


__all__ = ["register"]
