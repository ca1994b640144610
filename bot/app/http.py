"""How the bot talks HTTP to the Bot API: python-telegram-bot's `BaseRequest` (its documented place for
another HTTP library) on aiohttp's client instead of PTB's default, httpx.

Why: a Bot API call through httpx costs about twice the CPU of one through aiohttp on this bot's load
(bench/NOTES.md), and sending is most of what an update costs. httpcore, under httpx, looks over every
pooled connection (a system call for each) at each request and each answer, so the sender's eight calls
in flight pay eight times; aiohttp takes an idle connection off a queue and parses with its C parser.

PTB's timeouts keep their meaning: each of connect, write and read is a limit on its phase; a pool
timeout on waiting for a free connection. aiohttp has no write timeout of its own, so the whole call
is held to the sum of the phases' limits.

A proxy in the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY; an HTTP proxy) is used as PTB's client used
it. It is looked up once per address here: aiohttp's own `trust_env` looks for it, and for a .netrc, in a
thread at every request.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

CONNECT, READ, WRITE, POOL = 5.0, 5.0, 5.0, 1.0  # seconds, PTB's defaults for its own client
MEDIA_WRITE = 20.0  # seconds to send a file, as PTB allows


class AiohttpRequest(BaseRequest):
    __slots__ = ("_pool_size", "_proxies", "_session")

    def __init__(self, pool_size: int) -> None:
        self._pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[str | None, dict[str, str] | None]] = {}  # origin → proxy, its login

    @property
    def read_timeout(self) -> float:
        return READ

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:  # made here: a session belongs to a running loop
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._pool_size))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE, pool_timeout=BaseRequest.DEFAULT_NONE,
                         ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        read = _given(read_timeout, READ)
        files = request_data is not None and request_data.contains_files
        write = _given(write_timeout, MEDIA_WRITE if files else WRITE)
        connect = _given(connect_timeout, CONNECT)
        pool = _given(pool_timeout, POOL)
        phases = (connect, write, read, pool)
        waits = None if pool is None or connect is None else pool + connect  # aiohttp's connect: both
        timeout = aiohttp.ClientTimeout(total=None if None in phases else sum(phases), connect=waits,
                                        sock_connect=connect, sock_read=read)
        proxy, proxy_headers = self._proxy(url)
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout,
                                             headers={"User-Agent": self.USER_AGENT}, proxy=proxy,
                                             proxy_headers=proxy_headers) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:  # before a connection was had: nothing was sent
            raise TimedOut("no connection within the time allowed; the request was not sent") from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy(self, url: str) -> tuple[str | None, dict[str, str] | None]:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:
            found = getproxies_environment()
            proxy = None if proxy_bypass_environment(parts.hostname or "", found) else found.get(parts.scheme)
            login = urlsplit(proxy) if proxy else None
            self._proxies[origin] = (proxy, {"Proxy-Authorization": aiohttp.encode_basic_auth(
                unquote(login.username), unquote(login.password or ""))} if login and login.username else None)
        return self._proxies[origin]


def _given(value: object, default: float) -> float | None:
    return default if value is BaseRequest.DEFAULT_NONE else value  # type: ignore[return-value]


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters as a form; with files, a multipart form holding them."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData(fields, quote_fields=False)  # a file's name in UTF-8 as it is, as Telegram reads it
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
