"""Telling someone other than the person at the keyboard: in their language, through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import messages
from bot import delivery
from bot.models import Person
from bot.policy import DeliveryPolicy
from storage.db import Conn


async def tell(tx: Conn, now: datetime, person: Person | None, key: str,
               keyboard: dict | None = None, *, not_before: datetime | None = None,
               urgent: bool = False, **values: object) -> bool:
    """Queue a message for `person`; False if they have no bound account to receive it."""
    if person is None or person.telegram_id is None:
        return False
    locale = person.locale or messages.DEFAULT_LOCALE
    await delivery.send_text(tx, now, person.telegram_id, messages.render(locale, key, **values),
                             keyboard, urgent=urgent, not_before=None if urgent else not_before)
    return True


def quiet_until(now: datetime, policy: DeliveryPolicy, tz: ZoneInfo) -> datetime | None:
    """During quiet hours (21:00–08:00 by default), the morning's end of them; otherwise None."""
    local = now.astimezone(tz)
    start, end = policy.quiet_start, policy.quiet_end
    moment = local.time()
    quiet = (start <= moment or moment < end) if start > end else (start <= moment < end)
    if not quiet:
        return None
    morning = local.date() if moment < end else local.date() + timedelta(days=1)
    return datetime.combine(morning, end, tz)
