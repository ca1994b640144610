"""The sandbox over HTTP (aiohttp on 127.0.0.1), and the handle tests and the demo drive it with."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from aiolimiter import AsyncLimiter

from bot.domain.webapp import sign
from bot.sandbox.world import ApiError, Chat, Message, User, World

TOKEN = "7000000001:SANDBOX-token-for-local-tests-only"
_JSON_FIELDS = {"reply_markup", "commands", "scope", "allowed_updates", "entities", "menu_button"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}


@dataclass
class Faults:
    """What the sandbox breaks on purpose. `planned` errors come first, then random ones."""

    planned: list[ApiError | str] = field(default_factory=list)
    rate: float = 0.0
    kinds: tuple[str, ...] = ("429", "500", "drop")
    retry_after: tuple[int, int] = (1, 5)
    methods: frozenset[str] = frozenset({"sendMessage", "sendPhoto", "sendDocument",
                                          "editMessageText", "editMessageReplyMarkup"})
    seed: int = 0
    injected: dict[str, int] = field(default_factory=dict)
    _random: random.Random = field(default_factory=random.Random)

    def pick(self, method: str) -> ApiError | str | None:
        if method not in self.methods:
            return None
        if self.planned:
            fault = self.planned.pop(0)
        elif self.rate and self._random.random() < self.rate:
            kind = self._random.choice(self.kinds)
            fault = {"429": lambda: ApiError(429, "Too Many Requests: retry after",
                                             self._random.randint(*self.retry_after)),
                     "500": lambda: ApiError(502, "Bad Gateway"),
                     "drop": lambda: "drop"}[kind]()
        else:
            return None
        name = fault if isinstance(fault, str) else str(fault.code)
        self.injected[name] = self.injected.get(name, 0) + 1
        return fault


class RateLimits:
    """Telegram's flood limits as leaky buckets, a message of slack each: about 30 a second in
    all, one a second per private chat after a burst of 3, 20 a minute per group. `speed` runs
    the same limits faster (a test of 300 sends need not take five minutes), with the bot's own
    pace sped up alike (bot.app.sender.Limits' speed)."""

    def __init__(self, enforce: bool = False, speed: float = 1.0) -> None:
        self.enforce = enforce
        self.speed = speed
        self.violations = 0
        self._overall = AsyncLimiter(31, 1 / speed)
        self._chats: dict[int, AsyncLimiter] = {}

    async def admit(self, chat_id: int) -> ApiError | None:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = AsyncLimiter(21, 60 / self.speed) if chat_id < 0 else AsyncLimiter(4, 4 / self.speed)
            self._chats[chat_id] = chat
        if chat.has_capacity() and self._overall.has_capacity():
            await chat.acquire()  # both have room: neither waits
            await self._overall.acquire()
            return None
        self.violations += 1
        return ApiError(429, "Too Many Requests: retry after 1", 1)


WEBHOOK_TIMEOUT = 10  # seconds a webhook has to answer


@dataclass
class Webhook:
    url: str
    secret: str
    max_connections: int = 40
    error: str | None = None
    error_at: int | None = None
    failures: int = 0  # in a row: the pause before the next try grows with them
    connections: int = 0  # POSTs open now
    peak_connections: int = 0


def _chat_of(update: dict) -> object:
    """The chat an update belongs to (a button's: the message's chat), None for one of no chat."""
    for kind, payload in update.items():
        if kind != "update_id" and isinstance(payload, dict):
            chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or payload.get("from") or {}
            return chat.get("id")
    return None


class Sandbox:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.world = World()
        self.faults = Faults()
        self.limits = RateLimits()
        self.holds: dict[str, asyncio.Event] = {}
        self.held: list[str] = []
        self.redeliveries: list[dict] = []
        self.changed = asyncio.Condition()
        self._waiters: dict[object, list[tuple[Callable[[], bool], asyncio.Future]]] = {}  # by chat or query
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._closing = False
        self.webhook: Webhook | None = None
        self._pusher: asyncio.Task | None = None
        self._pushable = asyncio.Event()  # an update arrived or a POST ended: the pusher looks again

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self, port: int = 0) -> Sandbox:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.faults._random.seed(self.faults.seed)
        return self

    async def stop(self) -> None:
        self._closing = True
        if self._pusher:
            self._pusher.cancel()
        await self.notify()  # long polls answer now instead of at their timeout
        if self._runner:
            await self._runner.cleanup()

    # -- HTTP ----------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            raw = await request.json()
        elif request.method == "POST":
            raw = dict(await request.post())
        else:
            raw = dict(request.query)
        params = {}
        for key, value in raw.items():
            if isinstance(value, web.FileField):
                params[key] = value
            elif isinstance(value, str) and key in _JSON_FIELDS:
                params[key] = json.loads(value)
            elif isinstance(value, str) and key in _INT_FIELDS and value.lstrip("-").isdigit():
                params[key] = int(value)
            else:
                params[key] = value
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params = await self._params(request)
        hold = self.holds.get(method)
        if hold is not None:
            self.held.append(method)
            await self.notify()
            await hold.wait()
        if self.limits.enforce and method in {"sendMessage", "sendPhoto", "sendDocument"}:
            refused = await self.limits.admit(int(params.get("chat_id", 0)))
            if refused is not None:
                return self._error(refused)
        fault = self.faults.pick(method)
        if fault == "drop":
            # Telegram did the work but the answer never reached the bot.
            await self._call(method, params)
            if request.transport is not None:
                request.transport.close()
            return web.Response()
        if isinstance(fault, ApiError):
            return self._error(fault)
        try:
            result = await self._call(method, params)
        except ApiError as exc:
            return self._error(exc)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(exc: ApiError) -> web.Response:
        body = {"ok": False, "error_code": exc.code, "description": exc.description}
        if exc.retry_after is not None:
            body["parameters"] = {"retry_after": exc.retry_after}
        return web.json_response(body, status=exc.code)

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        stored = self.world.files.get(path.removeprefix("documents/"))
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data)

    async def _upload(self, value: object, name_hint: str) -> str:
        if isinstance(value, web.FileField):
            data = value.file.read()
            return self.world.store_file(data, value.filename or name_hint).file_id
        if isinstance(value, str) and value in self.world.files:
            return value
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    async def _call(self, method: str, p: dict) -> object:
        world = self.world
        chat_id = p.get("chat_id")
        world.api_calls.append((time.monotonic(), method, chat_id if isinstance(chat_id, int) else None))
        try:
            if method == "getUpdates":
                if self.webhook is not None:
                    raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                        "use deleteWebhook to delete the webhook first")
                return await self._get_updates(p)
            if method == "setWebhook":
                secret = str(p.get("secret_token") or "")
                if not str(p.get("url") or "").startswith(("http://", "https://")):
                    raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
                connections = int(p.get("max_connections") or 40)
                if not 1 <= connections <= 100:
                    raise ApiError(400, "Bad Request: bad webhook: max_connections must be between 1 and 100")
                self.webhook = Webhook(str(p["url"]), secret, connections)
                self._pushable.set()
                if self._pusher is None or self._pusher.done():
                    self._pusher = asyncio.create_task(self._push())
                return True
            if method == "getWebhookInfo":
                hook = self.webhook
                return {"url": hook.url if hook else "", "has_custom_certificate": False,
                        "pending_update_count": len(world.updates),
                        **({"max_connections": hook.max_connections} if hook else {}),
                        **({"last_error_date": hook.error_at, "last_error_message": hook.error}
                           if hook and hook.error else {})}
            if method == "getMe":
                return {"id": world.bot_id, "is_bot": True, "first_name": "LiaisonBot",
                        "username": world.bot_username, "can_join_groups": True,
                        "can_read_all_group_messages": False, "supports_inline_queries": False}
            if method == "deleteWebhook":
                self.webhook = None
                self._pushable.set()
                return True
            if method in {"setMyCommands", "deleteMyCommands", "close", "logOut"}:
                key = json.dumps([p.get("scope"), p.get("language_code")], sort_keys=True)
                if method == "setMyCommands":
                    world.commands[key] = p.get("commands", [])
                elif method == "deleteMyCommands":
                    world.commands.pop(key, None)
                return True
            if method == "setChatMenuButton":
                button = p.get("menu_button") or {"type": "default"}
                address = str((button.get("web_app") or {}).get("url", ""))
                if button.get("type") == "web_app" and not (button.get("text") and address.startswith("http")):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                world.menu_buttons[world.target_chat(chat_id).id] = button
                return True
            if method == "sendMessage":
                return world.send(chat_id, text=p.get("text"), parse_mode=p.get("parse_mode"),
                                  markup=p.get("reply_markup"))
            if method == "sendPhoto":
                photo = await self._upload(p.get("photo"), "photo.png")
                return world.send(chat_id, text=p.get("caption"), parse_mode=p.get("parse_mode"),
                                  markup=p.get("reply_markup"), photo=photo)
            if method == "sendDocument":
                document = await self._upload(p.get("document"), "document")
                return world.send(chat_id, text=p.get("caption"), parse_mode=p.get("parse_mode"),
                                  markup=p.get("reply_markup"), document=document)
            if method in {"editMessageText", "editMessageReplyMarkup"}:
                return world.edit(chat_id, p.get("message_id"), text=p.get("text"),
                                  parse_mode=p.get("parse_mode"), markup=p.get("reply_markup"),
                                  markup_only=method == "editMessageReplyMarkup")
            if method == "deleteMessage":
                world.target_chat(chat_id)
                world.find_message(int(chat_id), int(p["message_id"])).deleted = True
                return True
            if method == "answerCallbackQuery":
                query = world.callbacks.get(str(p.get("callback_query_id")))
                if query is None or query.get("answered"):
                    raise ApiError(400, "Bad Request: query is too old and response timeout expired"
                                        " or query ID is invalid")
                query.update(answered=True, answer=p.get("text"))
                return True
            if method == "getFile":
                stored = world.files.get(str(p.get("file_id")))
                if stored is None:
                    raise ApiError(400, "Bad Request: invalid file_id")
                return {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                        "file_size": len(stored.data), "file_path": f"documents/{stored.file_id}"}
            if method == "getChat":
                return world.target_chat(chat_id).as_json()
            raise ApiError(404, "Not Found")
        finally:
            for key in (chat_id, ("query", p.get("callback_query_id"))):
                self._wake(key)
            async with self.changed:
                self.changed.notify_all()

    async def _push(self) -> None:
        """Telegram's side of a webhook: updates POSTed with the secret, up to the hook's `max_connections`
        at once but one chat's one at a time and in order (Telegram waits for the answer to a chat's update
        before it sends the chat's next); one not answered 2xx in time is sent again after a growing pause."""
        session = ClientSession(timeout=ClientTimeout(total=WEBHOOK_TIMEOUT))
        posting: dict[object, asyncio.Task] = {}  # by chat
        try:
            while not self._closing and (hook := self.webhook) is not None:
                self._pushable.clear()
                behind: set[object] = set(posting)  # chats with an earlier update not yet delivered
                for update in self.world.updates:
                    chat = _chat_of(update)
                    if chat in behind:
                        continue
                    behind.add(chat)
                    if len(posting) >= hook.max_connections:
                        break
                    posting[chat] = asyncio.create_task(self._post(session, hook, update))
                    posting[chat].add_done_callback(lambda _, chat=chat: self._posted(posting, chat))
                await self._pushable.wait()
        finally:
            for task in posting.values():
                task.cancel()
            await asyncio.gather(*posting.values(), return_exceptions=True)
            await session.close()

    def _posted(self, posting: dict[object, asyncio.Task], chat: object) -> None:
        posting.pop(chat, None)
        self._pushable.set()

    async def _post(self, session: ClientSession, hook: Webhook, update: dict) -> None:
        hook.connections += 1
        hook.peak_connections = max(hook.peak_connections, hook.connections)
        try:
            async with session.post(hook.url, json=update,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": hook.secret}) as answer:
                ok = 200 <= answer.status < 300
                error = None if ok else f"Wrong response from the webhook: {answer.status}"
        except (ClientError, TimeoutError) as exc:
            ok, error = False, f"Connection failed: {type(exc).__name__}"
        finally:
            hook.connections -= 1
        if ok:
            hook.failures = 0
            if update in self.world.updates:
                self.world.updates.remove(update)
            await self.notify()  # whoever waits for the updates to be taken
            return
        hook.error, hook.error_at, hook.failures = error, int(time.time()), hook.failures + 1
        await asyncio.sleep(min(2.0, 0.05 * 2 ** hook.failures))

    async def _get_updates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        if offset:
            self.world.updates = [u for u in self.world.updates if u["update_id"] >= offset]
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        deadline = asyncio.get_running_loop().time() + timeout
        if self.redeliveries:  # Telegram sending an acknowledged update again
            again, self.redeliveries = self.redeliveries, []
            return again
        async with self.changed:
            while not self.world.updates and not self._closing:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self.changed.wait(), remaining)
                except TimeoutError:
                    break
        return self.world.updates[:limit]

    # -- the test side -------------------------------------------------------------------------
    def launch_data(self, user_id: int, at: float | None = None) -> str:
        """The signed `initData` Telegram hands a Mini App the user opens (their menu button), at `at`
        (a POSIX time; now by default)."""
        user = self.world.users[user_id]
        fields = {"id": user.id, "first_name": user.first_name}
        if user.language_code:
            fields["language_code"] = user.language_code
        return sign({"auth_date": str(int(time.time() if at is None else at)),
                     "query_id": f"SANDBOX{secrets.token_hex(4)}",
                     "user": json.dumps(fields, ensure_ascii=False, separators=(",", ":"))}, self.token)

    def mini_app_link(self, user_id: int, at: float | None = None) -> str:
        """The address the user's menu button opens, with its launch data as Telegram passes it (in the
        fragment, which no server sees): opens their dashboard in any browser."""
        button = self.world.menu_buttons.get(user_id) or {}
        address = (button.get("web_app") or {}).get("url")
        if not address:
            raise LookupError(f"user {user_id} has no Mini App menu button")
        return f"{address}#{urlencode({'tgWebAppData': self.launch_data(user_id, at), 'tgWebAppVersion': '8.0'})}"

    def user(self, user_id: int, first_name: str, language_code: str | None = "zh-hans",
             username: str | None = None) -> SandboxUser:
        self.world.users[user_id] = User(user_id, first_name, username, language_code)
        user = SandboxUser(self, user_id)
        user._chat(None)  # they have opened the chat with the bot (Telegram's "Start")
        return user

    def group(self, chat_id: int, title: str) -> Chat:
        chat = Chat(chat_id, "supergroup", title)
        self.world.chats[chat_id] = chat
        self.world.transcripts.setdefault(chat_id, [])
        return chat

    async def bot_membership(self, by: SandboxUser, chat_id: int, status: str) -> int:
        """The bot added to ("member") or removed from ("left", "kicked") a group by `by`."""
        chat = self.world.chats[chat_id]
        chat.bot_member = status not in ("left", "kicked")
        bot_user = {"id": self.world.bot_id, "is_bot": True, "first_name": "LiaisonBot"}
        old = "left" if chat.bot_member else "member"
        update_id = self.world.push_update("my_chat_member", {
            "chat": chat.as_json(), "from": by.info.as_json(), "date": int(time.time()),
            "old_chat_member": {"user": bot_user, "status": old},
            "new_chat_member": {"user": bot_user, "status": status,
                                **({"until_date": 0} if status == "kicked" else {})},
        })
        await self.notify()
        return update_id

    def messages(self, chat_id: int, from_bot: bool = True) -> list[Message]:
        return [m for m in self.world.transcripts.get(chat_id, [])
                if m.from_bot == from_bot and not m.deleted]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until the bot's calls make `predicate` true (woken by each call, never polled)."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), timeout)

    async def wait_until(self, key: object, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Like wait_for, but woken only by the bot's calls about `key` (a chat id, or ("query", id)): a
        thousand users waiting for their own replies cost a call one check, not a thousand."""
        if predicate():
            return
        waiter = (predicate, asyncio.get_running_loop().create_future())
        self._waiters.setdefault(key, []).append(waiter)
        try:
            await asyncio.wait_for(waiter[1], timeout)
        finally:
            self._waiters[key].remove(waiter)
            if not self._waiters[key]:
                del self._waiters[key]

    def _wake(self, key: object) -> None:
        for predicate, future in self._waiters.get(key, ()):
            if not future.done() and predicate():
                future.set_result(None)

    async def notify(self) -> None:
        self._pushable.set()
        async with self.changed:
            self.changed.notify_all()

    def transcript(self, chat_id: int) -> str:
        lines = []
        for m in self.world.transcripts.get(chat_id, []):
            who = "🤖" if m.from_bot else self.world.users[m.sender_id].first_name
            body = m.text or ""
            if m.photo:
                body = f"[图片] {body}"
            if m.document:
                body = f"[文件 {m.document_name}] {body}"
            lines.append(f"{who} ▸ {body}" + ("  (已删除)" if m.deleted else ""))
            if m.buttons:
                lines.append("    " + "  ".join(f"[{label}]" for label in m.button_labels))
        return "\n".join(lines)


class SandboxUser:
    """A person with a phone: sends text and files, presses buttons, reads replies."""

    def __init__(self, sandbox: Sandbox, user_id: int) -> None:
        self.sandbox = sandbox
        self.id = user_id

    @property
    def world(self) -> World:
        return self.sandbox.world

    @property
    def info(self) -> User:
        return self.world.users[self.id]

    def _chat(self, chat_id: int | None) -> Chat:
        chat_id = self.id if chat_id is None else chat_id
        if chat_id not in self.world.chats:
            self.world.chats[chat_id] = Chat(chat_id, "private", first_name=self.info.first_name)
        return self.world.chats[chat_id]

    def _message(self, chat: Chat, **content: object) -> dict:
        message = self.world.record(Message(
            chat_id=chat.id, message_id=self.world.next_message_id(chat.id), from_bot=False,
            sender_id=self.id, date=int(time.time()), text=content.get("text"),  # type: ignore[arg-type]
            photo=content.get("photo"), document=content.get("document"),  # type: ignore[arg-type]
            document_name=content.get("document_name"),  # type: ignore[arg-type]
        ))
        data = self.world.message_json(message)
        text = content.get("text")
        if isinstance(text, str) and text.startswith("/") and not (message.photo or message.document):
            command = text.split()[0]
            data["entities"] = [{"type": "bot_command", "offset": 0,
                                 "length": len(command.encode("utf-16-le")) // 2}]
        return data

    async def _push(self, kind: str, payload: dict) -> int:
        update_id = self.world.push_update(kind, payload)
        await self.sandbox.notify()
        return update_id

    async def block_bot(self, blocked: bool = True) -> int:
        """Block (or unblock) the bot: sends to them fail from now on, and the bot hears of it."""
        self.info.blocked_bot = blocked
        bot_user = {"id": self.world.bot_id, "is_bot": True, "first_name": "LiaisonBot"}
        member, kicked = {"user": bot_user, "status": "member"}, {"user": bot_user, "status": "kicked", "until_date": 0}
        return await self._push("my_chat_member", {
            "chat": self._chat(None).as_json(), "from": self.info.as_json(), "date": int(time.time()),
            "old_chat_member": kicked if not blocked else member,
            "new_chat_member": kicked if blocked else member,
        })

    def replies_so_far(self, chat_id: int | None = None) -> int:
        return len(self.sandbox.messages(self._chat(chat_id).id))

    async def send(self, text: str, chat_id: int | None = None) -> int:
        return await self._push("message", self._message(self._chat(chat_id), text=text))

    async def send_document(self, data: bytes, name: str, chat_id: int | None = None) -> int:
        stored = self.world.store_file(data, name)
        return await self._push("message", self._message(
            self._chat(chat_id), document=stored.file_id, document_name=name))

    async def ask_document(self, data: bytes, name: str) -> Message:
        """Send a file and return the bot's first answer to it."""
        before = self.replies_so_far()
        await self.send_document(data, name)
        return await self.reply(before)

    async def send_photo(self, data: bytes = b"\x89PNG fake", caption: str | None = None) -> str:
        stored = self.world.store_file(data, "photo.jpg")
        await self._push("message", self._message(self._chat(None), photo=stored.file_id, text=caption))
        return stored.file_id

    async def send_raw(self, kind: str, extra: dict, chat_id: int | None = None) -> int:
        """A message of another kind (sticker, voice, location…): `extra` is merged in."""
        payload = self._message(self._chat(chat_id))
        payload.update(extra)
        return await self._push(kind, payload)

    async def press(self, label: str, chat_id: int | None = None, message: Message | None = None) -> str:
        """Press the button labelled `label` on the newest bot message that has it; the query id."""
        chat = self._chat(chat_id)
        candidates = [message] if message else reversed(self.sandbox.messages(chat.id))
        for candidate in candidates:
            for button in candidate.buttons:
                if button["text"] == label:
                    return await self.press_data(button["callback_data"], candidate)
        raise AssertionError(f"no button {label!r} in chat {chat.id}:\n{self.sandbox.transcript(chat.id)}")

    async def press_data(self, data: str, message: Message) -> str:
        query_id = secrets.token_hex(8)
        self.world.callbacks[query_id] = {"answered": False}
        payload = {"id": query_id, "from": self.info.as_json(), "chat_instance": str(message.chat_id),
                   "data": data, "message": self.world.message_json(message)}
        await self._push("callback_query", payload)
        return query_id

    async def answered(self, query_id: str, timeout: float = 10.0) -> str | None:
        """Wait until the bot answers the button press; its popup text, if any."""
        query = self.world.callbacks[query_id]
        await self.sandbox.wait_until(("query", query_id), lambda: query["answered"], timeout)
        return query.get("answer")

    async def tap(self, label: str, chat_id: int | None = None, message: Message | None = None,
                  timeout: float = 10.0) -> str | None:
        """Press a button and wait for the bot to answer it (everything it said before is here)."""
        return await self.answered(await self.press(label, chat_id, message), timeout)

    def last(self, chat_id: int | None = None) -> Message:
        return self.sandbox.messages(self._chat(chat_id).id)[-1]

    async def reply(self, after: int, chat_id: int | None = None, timeout: float = 10.0) -> Message:
        """The first bot message in the chat after the first `after` ones (waits for it)."""
        chat = self._chat(chat_id)
        await self.sandbox.wait_until(chat.id, lambda: len(self.sandbox.messages(chat.id)) > after, timeout)
        return self.sandbox.messages(chat.id)[after]

    async def ask(self, text: str, chat_id: int | None = None, timeout: float = 10.0) -> Message:
        """Send `text` and return the bot's first answer to it."""
        before = self.replies_so_far(chat_id)
        await self.send(text, chat_id)
        return await self.reply(before, chat_id, timeout)

