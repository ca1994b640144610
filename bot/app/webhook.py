"""Webhook mode (`liaisonbot run --webhook`): Telegram posts each update here. A request is checked against
the secret, stored in the inbox and committed before it is answered 200, so any number of identical
workers can sit behind one address: an update answered was stored, one not answered Telegram sends again
(the inbox keeps each update once)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from aiohttp import web

from bot.app.served import Served
from bot.app.updates import UpdateRunner

log = logging.getLogger(__name__)
PATH = "/telegram"
READY_WITHIN = 2.0


class WebhookServer(Served):
    MAX_BODY = 1024 * 1024  # an update is a few kilobytes; anything larger is not Telegram's

    def __init__(self, runner: UpdateRunner, secret: str, host: str, port: int) -> None:
        super().__init__(host, port)
        self.runner = runner
        self.secret = secret.encode()

    def routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self._update)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/readyz", self._ready)

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("a webhook request without the secret from %s", request.remote)
            return web.Response(status=401)
        try:
            raw = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400)
        try:
            stored = await self.runner.receive(raw)
        except self.runner.db.unavailable as exc:  # not stored: Telegram sends it again
            log.error("the database refused a webhook update (%s); Telegram will retry", exc)
            return web.Response(status=503)
        return web.Response(status=200 if stored else 400)

    async def _health(self, request: web.Request) -> web.Response:
        """The process is alive (a load balancer's liveness check)."""
        return web.Response(text="ok")

    async def _ready(self, request: web.Request) -> web.Response:
        """The worker can store updates: its database answers within READY_WITHIN seconds. A load balancer
        sends nothing to a worker that is not ready."""
        try:
            async with asyncio.timeout(READY_WITHIN):
                await self.runner.db.read.scalar("SELECT 1")
        except (TimeoutError, *self.runner.db.unavailable) as exc:
            return web.Response(status=503, text=f"database unavailable: {type(exc).__name__}")
        return web.Response(text="ready")
