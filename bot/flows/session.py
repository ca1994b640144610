"""What a flow step sees: the person, the draft, the transaction, and a way to speak."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import messages
from bot import delivery
from bot.clock import Clock
from bot.models import Person
from bot.policy import Policy
from storage.db import Conn


@dataclass
class Session:
    tx: Conn
    clock: Clock
    policy: Policy
    tz: ZoneInfo
    person: Person
    locale: str
    chat_id: int
    draft: dict = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def t(self, key: str, **values: object) -> str:
        return messages.render(self.locale, key, **values)

    def label(self, key: str) -> str:
        return messages.label(self.locale, key)

    async def say(self, key: str, keyboard: dict | None = None, **values: object) -> None:
        await delivery.send_text(self.tx, self.now, self.chat_id, self.t(key, **values), keyboard)

    async def edit(self, message_id: int, text: str) -> None:
        await delivery.edit_text(self.tx, self.now, self.chat_id, message_id, text)
