"""An aiohttp application the bot process serves on host:port (the webhook, the dashboard's API)."""

from __future__ import annotations

from aiohttp import web


class Served:
    MAX_BODY = 64 * 1024

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> Served:
        app = web.Application(client_max_size=self.MAX_BODY)
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]  # the one chosen, when 0 was asked for
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
