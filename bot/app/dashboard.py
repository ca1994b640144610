"""领导驾驶舱's API, served by the bot process: every call carries the Mini App's signed `initData`
(`Authorization: tma <initData>`), checked before anything is read; answers are never cached."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from bot.app.served import Served
from bot.domain.errors import Refused
from bot.domain.models import Person
from bot.services import dashboard
from bot.services.context import Context
from handlers.context import Env

NO_STORE = {"Cache-Control": "no-store"}


class DashboardServer(Served):
    def __init__(self, env: Env, host: str, port: int) -> None:
        super().__init__(host, port)
        self.env = env

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/app/api/overview", self._answer(lambda ctx, person, _: dashboard.overview(ctx, person)))
        app.router.add_get("/app/api/projects", self._answer(
            lambda ctx, person, query: dashboard.projects(ctx, person, query.get("flag"), query.get("q", ""))))
        app.router.add_get("/app/api/problems", self._answer(lambda ctx, person, _: dashboard.problems(ctx, person)))

    def _answer(self, read: Callable[[Context, Person, Mapping[str, str]], Awaitable[object]]):
        """An endpoint: the sign-in checked first (401 otherwise), then `read` for that person only."""
        async def endpoint(request: web.Request) -> web.Response:
            scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
            env = self.env
            ctx = Context(env.db.read, env.clock, env.policy, env.settings.tz)  # reads only: the writer stays free
            try:
                if scheme != "tma":
                    raise Refused("dashboard.not_signed_in")
                person = await dashboard.signed_in(ctx, init_data, env.settings.token_value())
            except Refused:
                return web.json_response({"error": "not signed in"}, status=401, headers=NO_STORE)
            return web.json_response(await read(ctx, person, request.query), headers=NO_STORE)
        return endpoint
