"""Telling someone other than the person at the keyboard: in their language, through the outbox."""

from __future__ import annotations

from datetime import datetime

import messages
from bot import delivery
from bot.models import Person
from storage.db import Conn


async def tell(tx: Conn, now: datetime, person: Person | None, key: str,
               keyboard: dict | None = None, **values: object) -> bool:
    """Queue a message for `person`; False if they have no bound account to receive it."""
    if person is None or person.telegram_id is None:
        return False
    locale = person.locale or messages.DEFAULT_LOCALE
    await delivery.send_text(tx, now, person.telegram_id, messages.render(locale, key, **values), keyboard)
    return True
