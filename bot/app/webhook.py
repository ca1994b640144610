"""Webhook mode (`liaisonbot run --webhook`): Telegram posts each update here. A request is checked against
the secret, stored in the inbox and committed before it is answered 200, so any number of identical
workers can sit behind one address: an update answered was stored, one not answered Telegram sends again
(the inbox keeps each update once)."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bot.app.served import Served
from bot.app.updates import UpdateRunner

log = logging.getLogger(__name__)
PATH = "/telegram"


class WebhookServer(Served):
    MAX_BODY = 1024 * 1024  # an update is a few kilobytes; anything larger is not Telegram's

    def __init__(self, runner: UpdateRunner, secret: str, host: str, port: int) -> None:
        super().__init__(host, port)
        self.runner = runner
        self.secret = secret.encode()

    def routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self._update)
        app.router.add_get("/healthz", self._health)

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
        return web.Response(text="ok")
