"""The two bots the throughput benchmark runs against the sandbox, each in its own process:
LiaisonBot itself (`liaisonbot run`'s process, pacing lifted when the sandbox does not enforce
Telegram's limits), and a bare python-telegram-bot echo bot, the framework's floor."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.app.process import BotProcess
from bot.app.sender import Limits
from bot.cli.commands import settle
from bot.domain.settings import Settings
from bot.sandbox.server import TOKEN

UNLIMITED = Limits(per_second=1_000_000, private_burst=1_000_000, group_per_minute=1_000_000)


async def liaison(base_url: str, file_url: str, db: Path, paced: bool) -> None:
    settings = Settings(_env_file=None, token=TOKEN, api_base_url=base_url, api_file_url=file_url, db=db)
    process = await BotProcess(settings, limits=None if paced else UNLIMITED, poll_timeout=5,
                               schedule=False).start()
    settle()
    try:
        await process.wait()
    finally:
        await process.stop()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text or "?")


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()


async def echo(base_url: str, paced: bool) -> None:
    builder = Application.builder().token(TOKEN).base_url(base_url)  # PTB defaults: one update at a time
    if paced:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=10))
    app = builder.build()
    app.add_handler(MessageHandler(filters.ALL, _echo))
    app.add_handler(CallbackQueryHandler(_answer))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await asyncio.Event().wait()


if __name__ == "__main__":
    kind, base, files, db, pacing = sys.argv[1:6]
    paced = pacing == "paced"
    asyncio.run(liaison(base, files, Path(db), paced) if kind == "liaison" else echo(base, paced))
