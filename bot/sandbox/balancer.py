"""A load balancer in small, for several webhook workers in tests and benchmarks: nginx's round robin with
`proxy_next_upstream` (a worker that does not answer passes its turn on)."""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web


class Balancer:
    """nginx's round robin, in small: each POST to the next worker, its answer passed back."""

    def __init__(self) -> None:
        self.workers: list[str] = []
        self.sent: dict[str, int] = {}
        self._next = itertools.count()

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.http = aiohttp.ClientSession()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}/telegram"

    async def _forward(self, request: web.Request) -> web.Response:
        """To the next worker; one that does not answer passes its turn on (nginx's proxy_next_upstream)."""
        body = await request.read()
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token":
                   request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")}
        for _ in range(len(self.workers)):
            worker = self.workers[next(self._next) % len(self.workers)]
            try:
                async with self.http.post(worker, data=body, headers=headers) as answer:
                    self.sent[worker] = self.sent.get(worker, 0) + 1
                    return web.Response(status=answer.status)
            except aiohttp.ClientError:
                continue
        return web.Response(status=502)

    async def stop(self) -> None:
        await self.http.close()
        await self.runner.cleanup()
