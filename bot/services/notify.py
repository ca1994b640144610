"""Telling someone other than the person at the keyboard: in their language, through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import messages
from bot.domain.models import Person
from bot.domain.policy import DeliveryPolicy
from bot.services import delivery
from bot.services.permissions import ANYWHERE, Action, allowed
from storage import people
from storage.db import Conn


async def tell(tx: Conn, now: datetime, person: Person | None, key: str,
               keyboard: dict | None = None, *, deliver_after: datetime | None = None,
               urgent: bool = False, skip_if_away: bool = False, dashboard: bool = False, **values: object) -> bool:
    """Queue a message for `person` (their delegate while they are away); False if nobody with
    a bound account can receive it. `skip_if_away`: a reminder is not for someone on leave. `dashboard`:
    打开驾驶舱 below it, for a recipient who sees every project (a leader's alert, their digest)."""
    if person is not None and person.away_at(now) and person.delegate_id is not None:
        delegate = await people.get(tx, person.delegate_id)
        if delegate is not None and delegate.telegram_id is not None:
            await people.count_redirect(tx, person.id)
            values = {**values, "on_behalf": person.name}
            person = delegate
    elif person is not None and skip_if_away and person.away_at(now):
        return False
    if person is None or person.telegram_id is None:
        return False
    locale = person.locale or messages.DEFAULT_LOCALE
    if dashboard and allowed(person, Action.see_everything, ANYWHERE):
        keyboard = delivery.with_dashboard(keyboard, messages.label(locale, "dashboard.open"))
    text = messages.render(locale, key, **values)
    if values.get("on_behalf"):
        text = messages.render(locale, "away.on_behalf", name=values["on_behalf"]) + "\n" + text
    await delivery.send_text(tx, now, person.telegram_id, text, keyboard, urgent=urgent,
                             deliver_after=None if urgent else deliver_after)
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
