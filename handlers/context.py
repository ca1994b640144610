"""What a handler works with: the environment, the person, and the update's transaction.

Each update is handled inside one database transaction (a unit of work) that also holds every
message the handlers queue and the inbox row's "handled" mark: a crash at any point leaves either
nothing or everything, and the update is handled again after a restart if it was nothing.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

import messages
from bot.domain.clock import Clock
from bot.domain.models import Person
from bot.domain.policy import Policy
from bot.domain.settings import Settings
from bot.services import delivery
from bot.services.context import Context

if TYPE_CHECKING:
    from storage import Database
    from storage.db import Conn


@dataclass
class Env:
    settings: Settings
    policy: Policy
    db: Database
    clock: Clock


@dataclass
class UnitOfWork:
    tx: Conn
    update_id: int | None
    error: BaseException | None = None


CURRENT_WORK: ContextVar[UnitOfWork | None] = ContextVar("current_work", default=None)


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB builds one per update and passes it to every handler group, so `person` set by the
    gate (group -1) is there for the handlers after it."""

    person: Person | None = None
    locale: str = messages.DEFAULT_LOCALE

    def __init__(self, application: Application, chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application, chat_id, user_id)
        self.person = None
        self.locale = messages.DEFAULT_LOCALE

    @property
    def env(self) -> Env:
        return self.application.bot_data["env"]

    @property
    def work(self) -> UnitOfWork:
        work = CURRENT_WORK.get()
        if work is None:
            raise RuntimeError("handlers run only inside UpdateRunner's unit of work")
        return work

    @property
    def tx(self) -> Conn:
        return self.work.tx

    @property
    def services(self) -> Context:
        """What the services this update calls work with."""
        env = self.env
        return Context(self.tx, env.clock, env.policy, env.settings.tz)

    @property
    def now(self) -> datetime:
        return self.env.clock.now()

    def t(self, key: str, **values: object) -> str:
        return messages.render(self.locale, key, **values)

    def label(self, key: str) -> str:
        return messages.label(self.locale, key)

    async def reply(self, update: Update, key: str, keyboard: dict | None = None,
                    **values: object) -> None:
        await self.send(update.effective_chat.id, self.t(key, **values), keyboard)

    async def send(self, chat_id: int, text: str, keyboard: dict | None = None) -> None:
        await delivery.send_text(self.tx, self.now, chat_id, text, keyboard)

    async def answer(self, update: Update, text: str | None = None, alert: bool = False) -> None:
        query = update.callback_query
        # queued in the chat of the pressed message, so it follows what the press made appear there
        chat_id = query.message.chat.id if query.message else query.from_user.id
        await delivery.answer_callback(self.tx, self.now, chat_id, query.id, text, alert)

    async def edit(self, update: Update, text: str, keyboard: dict | None = None) -> None:
        message = update.callback_query.message
        await delivery.edit_text(self.tx, self.now, message.chat.id, message.message_id, text, keyboard)
