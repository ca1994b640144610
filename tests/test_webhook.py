"""Webhook mode (`liaisonbot run --webhook`): the sandbox posts updates as Telegram does; the bot stores each
before answering 200, refuses a request without the secret, and an update it could not store is sent
again and handled once."""

from __future__ import annotations

import socket
import sqlite3

import aiohttp
import pytest
from pydantic import SecretStr, ValidationError

from bot.app.process import BotProcess
from bot.domain.errors import ConfigError
from bot.domain.settings import Settings
from tests.conftest import fast_limits
from tests.helpers import ADMIN

SECRET = "s3cret_Token-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def hooked(settings, db, clock, sandbox):
    port = _free_port()
    configured = settings.model_copy(update={"webhook_url": f"http://127.0.0.1:{port}/telegram",
                                             "webhook_secret": SecretStr(SECRET),
                                             "webhook_listen": f"127.0.0.1:{port}"})
    process = await BotProcess(configured, clock=clock, db=db, limits=fast_limits(), schedule=False,
                               webhook=True).start()
    yield process, f"http://127.0.0.1:{port}/telegram"
    await process.stop()


async def test_updates_come_by_webhook_and_are_answered(hooked, sandbox, db):
    process, url = hooked
    assert sandbox.webhook is not None and sandbox.webhook.url == url and sandbox.webhook.secret == SECRET
    reply = await sandbox.user(ADMIN, "王主任").ask("/start")
    assert "王主任，您好！您已登记为项目中心管理员" in reply.text
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox") == 1 and not sandbox.world.updates
    async with aiohttp.ClientSession() as http:  # polling is refused while the webhook is set
        async with http.get(f"{sandbox.base_url}{sandbox.token}/getUpdates") as answer:
            assert (await answer.json())["error_code"] == 409


async def test_a_request_without_the_secret_or_an_update_is_refused(hooked, db):
    _, url = hooked
    update = {"update_id": 990001, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                                               "text": "x"}}
    async with aiohttp.ClientSession() as http:
        for headers, body, status in (({}, update, 401), ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, update, 401),
                                      ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, {"nothing": 1}, 400)):
            async with http.post(url, json=body, headers=headers) as answer:
                assert answer.status == status
        async with http.post(url, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as answer:
            assert answer.status == 400
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox") == 0


async def test_an_update_not_stored_is_sent_again_and_handled_once(hooked, sandbox, db, monkeypatch):
    process, _ = hooked
    real, refused = process.runner.receive, []

    async def once_full(raw):
        if not refused:
            refused.append(raw["update_id"])
            raise sqlite3.OperationalError("database or disk is full")
        return await real(raw)

    monkeypatch.setattr(process.runner, "receive", once_full)
    reply = await sandbox.user(ADMIN, "王主任").ask("/start")
    assert reply.text and refused
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox WHERE update_id = ?", (refused[0],)) == 1


async def test_health_and_readiness(hooked, db, monkeypatch):
    process, url = hooked
    base = url.removesuffix("/telegram")
    async with aiohttp.ClientSession() as http:
        for path, status, text in (("/healthz", 200, "ok"), ("/readyz", 200, "ready")):
            async with http.get(base + path) as answer:
                assert (answer.status, await answer.text()) == (status, text)

        async def gone(*_):
            raise db.unavailable[0]("the database system is shutting down")

        monkeypatch.setattr(type(db.read), "scalar", gone)
        async with http.get(base + "/readyz") as answer:  # alive, but not to be sent updates
            assert answer.status == 503 and "database unavailable" in await answer.text()
        async with http.get(base + "/healthz") as answer:
            assert answer.status == 200


def test_webhook_mode_says_what_is_missing(settings):
    with pytest.raises(ConfigError, match="LIAISONBOT_WEBHOOK_URL"):
        settings.webhook()
    with pytest.raises(ConfigError, match="LIAISONBOT_WEBHOOK_SECRET"):
        settings.model_copy(update={"webhook_url": "https://bot.example.cn/telegram"}).webhook()
    with pytest.raises(ValidationError, match="is not host:port"):
        Settings(_env_file=None, webhook_listen="8443")
