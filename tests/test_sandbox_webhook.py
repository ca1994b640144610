"""The sandbox delivers webhooks as Telegram does: several POSTs at once up to `max_connections`, one chat's
updates one at a time and in order, a failed POST sent again, getWebhookInfo showing what waits and why."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web

pytestmark = pytest.mark.sqlite_only  # no database: the sandbox alone

SECRET = "hook-secret"


class Receiver:
    """A webhook that holds every POST until told to answer, and remembers what it saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []  # (chat, update_id) in order of arrival
        self.open = 0
        self.gate = asyncio.Event()
        self.refuse_first = False  # the first POST answered 500
        self.arrived = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        self.open += 1
        async with self.arrived:
            self.seen.append((chat, update["update_id"]))
            self.arrived.notify_all()
        try:
            await self.gate.wait()
        finally:
            self.open -= 1
        if self.refuse_first:
            self.refuse_first = False
            return web.Response(status=500)
        return web.Response(text="ok")

    async def wait(self, predicate) -> None:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(predicate), 10)


@pytest.fixture
async def receiver():
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    hook.gate.set()
    await runner.cleanup()


async def _api(sandbox, method: str, **params) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sandbox.base_url}{sandbox.token}/{method}", json=params) as answer:
            return await answer.json()


async def test_posts_go_in_parallel_up_to_max_connections_and_one_chat_in_order(sandbox, receiver):
    assert (await _api(sandbox, "setWebhook", url=receiver.url, secret_token=SECRET, max_connections=3))["ok"]
    users = [sandbox.user(9100 + n, f"u{n}") for n in range(5)]
    for user in users:
        await user.send("一")
    await users[0].send("二")
    await receiver.wait(lambda: len(receiver.seen) == 3)
    assert receiver.open == 3 and sandbox.webhook.peak_connections == 3  # no fourth while three are open
    info = (await _api(sandbox, "getWebhookInfo"))["result"]
    assert info["pending_update_count"] == 6 and info["max_connections"] == 3
    receiver.gate.set()
    await receiver.wait(lambda: len(receiver.seen) == 6)
    await sandbox.wait_for(lambda: not sandbox.world.updates)
    first_of = {chat: [u for c, u in receiver.seen if c == chat] for chat, _ in receiver.seen}
    assert first_of[9100] == sorted(first_of[9100]) and len(first_of[9100]) == 2
    assert sandbox.webhook.peak_connections == 3
    # the chat's second update went only after its first was answered, though connections were free
    assert receiver.seen.index((9100, first_of[9100][1])) > receiver.seen.index((9100, first_of[9100][0]))


async def test_a_refused_post_is_sent_again_and_the_chat_waits_for_it(sandbox, receiver):
    receiver.gate.set()
    assert (await _api(sandbox, "setWebhook", url=receiver.url, secret_token=SECRET))["ok"]
    receiver.refuse_first = True
    user = sandbox.user(9200, "u")
    first = await user.send("一")
    await user.send("二")
    await sandbox.wait_for(lambda: not sandbox.world.updates, 10)
    assert [u for _, u in receiver.seen] == [first, first, first + 1]  # again, then the next: never overtaken
    info = (await _api(sandbox, "getWebhookInfo"))["result"]
    assert info["pending_update_count"] == 0
    assert info["last_error_message"] == "Wrong response from the webhook: 500" and info["last_error_date"] > 0


async def test_max_connections_out_of_range_is_refused(sandbox, receiver):
    answer = await _api(sandbox, "setWebhook", url=receiver.url, max_connections=101)
    assert answer["error_code"] == 400 and "max_connections" in answer["description"]
    assert sandbox.webhook is None
    assert json.dumps(await _api(sandbox, "getWebhookInfo")).count('"url": ""') == 1
