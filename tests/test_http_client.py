"""The bot's HTTP client (bot.app.http) as python-telegram-bot sees it: what it sends arrives whole, and a
server that cannot be reached or does not answer in time becomes the errors the sender knows how to treat."""

from __future__ import annotations

import asyncio
import base64
import socket

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from bot.app.http import AiohttpRequest
from bot.app.served import Served
from bot.sandbox.server import TOKEN
from bot.sandbox.world import Chat, User


async def test_a_file_arrives_with_its_name_and_bytes(sandbox):
    sandbox.world.users[1] = User(1, "甲")
    sandbox.world.chats[1] = Chat(1, "private")
    name = '项目进度 "11月" 台账.xlsx'
    async with Bot(TOKEN, base_url=sandbox.base_url, request=AiohttpRequest(2),
                   get_updates_request=AiohttpRequest(1)) as bot:
        sent = await bot.send_document(1, InputFile(b"\x00ledger\xff", filename=name), caption="台账")
    stored = next(iter(sandbox.world.files.values()))
    assert (stored.name, stored.data) == (name, b"\x00ledger\xff")
    assert sent.caption == "台账"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns: nothing listens there


async def test_a_server_that_cannot_be_reached_is_a_network_error():
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{_closed_port()}/bot{TOKEN}/getMe")
        assert not isinstance(caught.value, TimedOut)
    finally:
        await request.shutdown()


class _Answering(Served):
    """A server on a free port of 127.0.0.1 whose every POST `handler` answers."""

    def __init__(self, handler) -> None:
        super().__init__("127.0.0.1", 0)
        self.handler = handler

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/{path:.*}", self.handler)


@pytest.fixture
async def silent_server():
    """A server that takes requests and answers none until the test ends."""
    release, arrived = asyncio.Event(), asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        arrived.set()
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    server = await _Answering(never).start()
    yield f"http://127.0.0.1:{server.port}/bot{TOKEN}/getMe", arrived
    release.set()
    await server.stop()


async def test_no_answer_within_the_read_timeout_is_timed_out(silent_server):
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(silent_server[0], read_timeout=0.05)
    finally:
        await request.shutdown()


async def test_no_free_connection_within_the_pool_timeout_is_timed_out_and_not_sent(silent_server):
    request = AiohttpRequest(1)  # one connection, held by the first call
    await request.initialize()
    url, arrived = silent_server
    first = asyncio.create_task(request.post(url, read_timeout=None))
    try:
        await arrived.wait()
        with pytest.raises(TimedOut, match="not sent"):
            await request.post(url, pool_timeout=0.05, connect_timeout=0.05)
    finally:
        first.cancel()
        await request.shutdown()


async def test_a_request_before_initialize_says_so():
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps what its client raises
        await AiohttpRequest(1).post(f"http://127.0.0.1:{_closed_port()}/")


async def test_the_proxy_in_the_environment_carries_the_calls(monkeypatch):
    """Where Telegram is reached through a proxy, HTTPS_PROXY says which (HTTP_PROXY for http:// addresses)."""
    asked: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        asked.append(f"{request.host}{request.path} {request.headers.get('Proxy-Authorization')}")
        return web.json_response({"ok": True, "result": True})

    server = await _Answering(proxy).start()
    monkeypatch.setenv("HTTP_PROXY", f"http://county:p%40ss@127.0.0.1:{server.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        assert await request.post(f"http://api.telegram.invalid/bot{TOKEN}/getMe") is True
    finally:
        await request.shutdown()
        await server.stop()
    login = base64.b64encode(b"county:p@ss").decode()
    assert asked == [f"api.telegram.invalid/bot{TOKEN}/getMe Basic {login}"]


async def test_an_address_named_in_no_proxy_is_reached_directly(sandbox, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")  # nothing there: taking it would fail
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with Bot(TOKEN, base_url=sandbox.base_url, request=AiohttpRequest(1),
                   get_updates_request=AiohttpRequest(1)) as bot:
        assert (await bot.get_me()).is_bot
