"""领导驾驶舱, served by the bot process: the page (/app/, with ECharts shipped inside the package) and its API.
Every API call carries the Mini App's signed `initData` (`Authorization: tma <initData>`), checked before
anything is read; answers are never cached; actions run in a transaction through the same services as
the alert buttons, and the sender is woken for whatever they tell people."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path

from aiohttp import web
from telegram import Bot
from telegram.error import TelegramError

import messages
from bot.app.sender import OutboxSender
from bot.app.served import Served
from bot.domain import inputs
from bot.domain.errors import ConfigError, Refused
from bot.domain.models import Person
from bot.services import dashboard, dashboard_actions, dossier
from bot.services.context import Context
from handlers.context import Env

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}
PAGE = resources.files("bot.app") / "page"
MAX_OUTLINE = 5 * 1024 * 1024
Read = Callable[[Context, Person, web.Request], Awaitable[object] | object]


def read_outline(path: Path | None) -> object | None:
    """The operator's GeoJSON outline for the map (LIAISONBOT_DASHBOARD_OUTLINE), checked at start."""
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_OUTLINE:
            raise ConfigError("LIAISONBOT_DASHBOARD_OUTLINE", f"{path} is larger than 5 MB")
        outline = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError("LIAISONBOT_DASHBOARD_OUTLINE", f"{path} is not a readable GeoJSON file: {exc}") from None
    if not isinstance(outline, dict) or outline.get("type") not in {"FeatureCollection", "Feature", "Polygon",
                                                                    "MultiPolygon", "LineString", "MultiLineString"}:
        raise ConfigError("LIAISONBOT_DASHBOARD_OUTLINE", f"{path} is not GeoJSON (no known 'type')")
    return outline


@web.middleware
async def _no_nul(request: web.Request, handler):
    """Our page never puts U+0000 in a path or a query (PostgreSQL's text cannot hold one): a forged call."""
    if "%00" in request.raw_path:
        return web.json_response({"error": "U+0000 in the path or query"}, status=400, headers=NO_STORE)
    return await handler(request)


class DashboardServer(Served):
    def __init__(self, env: Env, bot: Bot, sender: OutboxSender, host: str, port: int) -> None:
        super().__init__(host, port)
        self.env, self.bot, self.sender = env, bot, sender
        self.outline = read_outline(env.settings.dashboard_outline)

    def routes(self, app: web.Application) -> None:
        app.middlewares.append(_no_nul)
        router = app.router
        router.add_get("/app/", self._page)
        router.add_get("/app/static/{name}", self._static)
        router.add_get("/app/api/words", self._read(lambda ctx, p, r: dashboard.words(p)))
        router.add_get("/app/api/overview", self._read(lambda ctx, p, r: dashboard.overview(ctx, p)))
        router.add_get("/app/api/ranking", self._read(lambda ctx, p, r: dashboard.ranking(ctx, p)))
        router.add_get("/app/api/projects", self._read(lambda ctx, p, r: dashboard.projects(
            ctx, p, r.query.get("flag"), r.query.get("q", ""), r.query.get("unit"), r.query.get("tier"),
            r.query.get("stage"))))
        router.add_get("/app/api/project", self._read(
            lambda ctx, p, r: dossier.dossier(ctx, p, r.query.get("code", ""))))
        router.add_get("/app/api/problems", self._read(lambda ctx, p, r: dashboard.problems(ctx, p)))
        router.add_get("/app/api/problems/{number}/assign", self._read(
            lambda ctx, p, r: dashboard_actions.assign_choices(ctx, p, r.match_info["number"],
                                                               inputs.row_id(r.query.get("unit", "")))))
        router.add_get("/app/api/map", self._read(self._map))
        router.add_get("/app/api/photo", self._photo)
        router.add_post("/app/api/problems/{number}/{action}", self._act)

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=(PAGE / "index.html").read_bytes(), content_type="text/html", charset="utf-8",
                            headers=NO_STORE)

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        kinds = {".js": "application/javascript", ".css": "text/css"}
        kind = kinds.get(Path(name).suffix)
        entry = PAGE / "static" / name
        if kind is None or "/" in name or name.startswith(".") or not entry.is_file():
            raise web.HTTPNotFound()
        return web.Response(body=entry.read_bytes(), content_type=kind, charset="utf-8")

    def _context(self, tx=None) -> Context:
        env = self.env
        return Context(tx or env.db.read, env.clock, env.policy, env.settings.tz)  # reads: the writer stays free

    async def _person(self, request: web.Request) -> Person:
        scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
        if scheme != "tma":
            raise Refused("dashboard.not_signed_in")
        return await dashboard.signed_in(self._context(), init_data, self.env.settings.token_value())

    @staticmethod
    def _refused(exc: Refused, person: Person | None, status: int) -> web.Response:
        locale = dashboard.locale_of(person) if person else None
        return web.json_response({"error": messages.render_plain(locale, exc.key, **exc.values)}, status=status,
                                 headers=NO_STORE)

    def _read(self, read: Read):
        """An endpoint: the sign-in checked first (401 otherwise), then `read` for that person only."""
        async def endpoint(request: web.Request) -> web.Response:
            try:
                person = await self._person(request)
            except Refused as exc:
                return self._refused(exc, None, 401)
            try:
                answer = read(self._context(), person, request)
                return web.json_response(await answer if inspect.isawaitable(answer) else answer, headers=NO_STORE)
            except Refused as exc:
                return self._refused(exc, person, 404)
        return endpoint

    async def _act(self, request: web.Request) -> web.Response:
        try:
            person = await self._person(request)
        except Refused as exc:
            return self._refused(exc, None, 401)
        try:
            form = inputs.without_nul(await request.json())
        except (ValueError, UnicodeDecodeError):
            form = None
        if not isinstance(form, dict):
            return web.json_response({"error": "a JSON object was expected"}, status=400, headers=NO_STORE)
        try:
            async with self.env.db.transaction() as tx:
                line = await dashboard_actions.act(self._context(tx), person, request.match_info["number"],
                                                   request.match_info["action"], form)
        except Refused as exc:
            return self._refused(exc, person, 400)
        self.sender.wake()
        return web.json_response(line, headers=NO_STORE)

    async def _photo(self, request: web.Request) -> web.Response:
        """A report's photo, fetched through the Bot API by the server: the page never sees the token."""
        try:
            person = await self._person(request)
        except Refused as exc:
            return self._refused(exc, None, 401)
        query = request.query
        index = inputs.page(query.get("n", ""))
        period = inputs.month(query.get("period", ""))
        try:
            if index is None or period is None:
                raise Refused("dashboard.no_photo")
            file_id = await dossier.photo(self._context(), person, query.get("project", ""), period, index)
        except Refused as exc:
            return self._refused(exc, person, 404)
        try:
            data = bytes(await (await self.bot.get_file(file_id)).download_as_bytearray())
        except TelegramError as exc:
            log.warning("dashboard photo %s %s #%s: %s", query.get("project"), period, index, exc)
            return self._refused(Refused("dashboard.no_photo"), person, 502)
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        return web.Response(body=data, content_type=kind, headers=NO_STORE)

    async def _map(self, ctx: Context, person: Person, request: web.Request) -> dict:
        return {"points": await dashboard.map_points(ctx, person), "outline": self.outline}
