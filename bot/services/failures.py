"""Updates the bot could not handle: the apology to the person, and for an update set aside
(unreadable, or one that crashed the process again and again) a word to the administrators."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update

import messages
from bot.domain.models import Role
from bot.services import delivery
from bot.services.notify import tell
from storage import inbox, people
from storage.db import Conn

CRASHES_ALLOWED = 3  # handling began this often without finishing: the update is set aside
NOTICE_EVERY = timedelta(hours=1)  # one notice an hour at most, however many are set aside


async def apologise(tx: Conn, now: datetime, update: Update) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    person = await people.by_telegram(tx, user.id)
    locale = (person.locale if person else None) or messages.locale_for(user.language_code)
    if chat.type == "private":
        await delivery.send_text(tx, now, chat.id, messages.render(locale, "error.internal"))
    if update.callback_query:  # never leave a pressed button spinning
        await delivery.answer_callback(tx, now, chat.id, update.callback_query.id,
                                       messages.render(locale, "error.internal"), alert=True)


async def set_aside(tx: Conn, now: datetime, update_id: int, reason: str, detail: str,
                    update: Update | None = None) -> None:
    """`reason` is unreadable or crashed; `detail` is kept with the update for the operator.
    The person is apologised to where the update could be read."""
    await inbox.set_aside(tx, update_id, now, f"{reason}: {detail}"[:500])
    if update is not None:
        await apologise(tx, now, update)
    told = await inbox.last_told(tx)
    if told is not None and now - told < NOTICE_EVERY:
        return
    ids = await inbox.mark_told(tx, now)
    for admin in await people.with_role(tx, Role.admin):
        await tell(tx, now, admin, "inbox.set_aside", count=len(ids), ids=ids[:5], reason=reason,
                   crashes=CRASHES_ALLOWED)
