"""What a service works with: the transaction, the time, the county's rules and its zone — one
object, made by a handler, a flow or a job, instead of four parameters everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.policy import Policy
from storage.db import Conn


@dataclass(frozen=True)
class Context:
    tx: Conn
    clock: Clock
    policy: Policy
    tz: ZoneInfo

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()
