"""The two bots the throughput benchmark runs against the sandbox, each in its own process:
LiaisonBot itself (`liaisonbot run`'s process, pacing lifted when the sandbox does not enforce
Telegram's limits), and a bare python-telegram-bot echo bot, the framework's floor, on PTB's own HTTP
client (httpx) or on the one LiaisonBot uses (aiohttp, bot.app.http). Each imports only what it runs (the
echo bot none of LiaisonBot but that client, neither the sandbox), so their memory can be compared.

`python -m bench.bots liaison|echo|echo-aiohttp TOKEN API_URL FILE_URL DB paced|free [PUBLIC_URL LISTEN]`;
with BENCH_STATEMENTS set, LiaisonBot on SQLite counts its statements."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from pydantic import SecretStr
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

WEBHOOK_SECRET = "bench-secret"
STATEMENTS = "BENCH_STATEMENTS"  # a file LiaisonBot's SQLite statements so far are written to on SIGUSR1
UNLIMITED = 1_000_000  # messages a second, a private chat's burst and a group's minute, with the limits lifted


async def liaison(token: str, base_url: str, file_url: str, db: str, paced: bool, hook: str | None = None) -> None:
    """`hook` — "PUBLIC_URL LISTEN" — makes it a webhook worker (`liaisonbot run --webhook`)."""
    from bot.app.process import BotProcess
    from bot.app.sender import Limits
    from bot.cli.commands import settle
    from bot.domain.settings import Settings

    settings = Settings(_env_file=None, token=token, api_base_url=base_url, api_file_url=file_url, db=db)
    if hook:
        public, listen = hook.split()
        settings = settings.model_copy(update={"webhook_url": public, "webhook_listen": listen,
                                               "webhook_secret": SecretStr(WEBHOOK_SECRET)})
    unlimited = Limits(per_second=UNLIMITED, private_burst=UNLIMITED, group_per_minute=UNLIMITED)
    process = await BotProcess(settings, limits=None if paced else unlimited, poll_timeout=5,
                               schedule=False, webhook=bool(hook)).start()
    if counts := os.environ.get(STATEMENTS):  # SIGUSR1 writes the statements run so far to that file
        seen: list[str] = []
        process.db.trace(seen.append)  # list.append: one step under the GIL, from either thread
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _write_whole, Path(counts), seen)
    settle()
    try:
        await process.wait()
    finally:
        await process.stop()


def _write_whole(path: Path, seen: list[str]) -> None:
    """The count in one rename, so a reader never finds half of it."""
    part = path.with_suffix(".part")
    part.write_text(str(len(seen)))
    part.replace(path)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text or "?")


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()


async def echo(token: str, base_url: str, paced: bool, client: str = "httpx") -> None:
    """PTB's defaults (one update at a time, httpx); with `client` "aiohttp", the HTTP client LiaisonBot uses."""
    builder = Application.builder().token(token).base_url(base_url)
    if client == "aiohttp":
        from bot.app.http import AiohttpRequest

        # a pool as LiaisonBot's sender has for its sends in flight (bot.app.sender.IN_FLIGHT, not imported here)
        builder = builder.request(AiohttpRequest(8)).get_updates_request(AiohttpRequest(1))
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
    kind, token, base, files, db, pacing, *hook = sys.argv[1:8]
    paced = pacing == "paced"
    if kind == "liaison":
        asyncio.run(liaison(token, base, files, db, paced, *hook))
    else:  # echo, echo-aiohttp
        asyncio.run(echo(token, base, paced, *kind.split("-")[1:]))
