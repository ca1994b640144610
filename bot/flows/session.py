"""What a flow step sees: the person, the draft, the transaction, and a way to speak."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import messages
from bot.domain.clock import Clock
from bot.domain.models import Person
from bot.domain.policy import Policy
from bot.services import delivery
from bot.services.context import Context

if TYPE_CHECKING:
    from storage.db import Conn


@dataclass
class Session:
    services: Context  # what the services a step calls work with
    person: Person
    locale: str
    chat_id: int
    draft: dict = field(default_factory=dict)

    @property
    def tx(self) -> Conn:
        return self.services.tx

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def policy(self) -> Policy:
        return self.services.policy

    @property
    def tz(self) -> ZoneInfo:
        return self.services.tz

    @property
    def now(self) -> datetime:
        return self.services.now

    @property
    def today(self) -> date:
        return self.services.today

    def t(self, key: str, **values: object) -> str:
        return messages.render(self.locale, key, **values)

    def label(self, key: str) -> str:
        return messages.label(self.locale, key)

    async def say(self, key: str, keyboard: dict | None = None, **values: object) -> None:
        await delivery.send_text(self.tx, self.now, self.chat_id, self.t(key, **values), keyboard)

    async def edit(self, message_id: int, text: str) -> None:
        await delivery.edit_text(self.tx, self.now, self.chat_id, message_id, text)
