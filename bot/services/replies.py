"""Replies that belong to no one service: the apology after a failed update."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

import messages
from bot import delivery
from storage import people
from storage.db import Conn


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
