"""The sandbox's state: users, chats, transcripts, files and the update queue.

The Bot API methods live here as plain functions of this state, each raising ApiError the way
Telegram answers; server.py only moves them over HTTP.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.html_check import ParseError, visible_text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "zh-hans"
    blocked_bot: bool = False

    def as_json(self) -> dict:
        data = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    bot_member: bool = True
    first_name: str | None = None

    def as_json(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.first_name:
            data["first_name"] = self.first_name
        return data


@dataclass
class Message:
    """One message in a transcript, as a person would see it."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None
    html: str | None = None
    reply_markup: dict | None = None
    photo: str | None = None
    document: str | None = None
    document_name: str | None = None
    deleted: bool = False
    edits: int = 0
    sent_text: str | None = field(init=False)  # the text as first sent: an edit changes `text`, not this

    def __post_init__(self) -> None:
        self.sent_text = self.text

    @property
    def buttons(self) -> list[dict]:
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [b for row in self.reply_markup["inline_keyboard"] for b in row]

    @property
    def button_labels(self) -> list[str]:
        return [b["text"] for b in self.buttons]


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    data: bytes
    name: str | None = None


@dataclass
class World:
    bot_id: int = 7000000001
    bot_username: str = "liaison_sandbox_bot"
    users: dict[int, User] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    transcripts: dict[int, list[Message]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    updates: list[dict] = field(default_factory=list)
    callbacks: dict[str, dict] = field(default_factory=dict)
    commands: dict[str, list] = field(default_factory=dict)
    menu_buttons: dict[int, dict] = field(default_factory=dict)  # setChatMenuButton, by private chat
    api_calls: list[tuple[float, str, int | None]] = field(default_factory=list)
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(100001))
    _message_ids: dict[int, itertools.count] = field(default_factory=dict)

    # -- what users do ------------------------------------------------------------------------
    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def push_update(self, kind: str, payload: dict) -> int:
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        return update_id

    def store_file(self, data: bytes, name: str | None = None) -> StoredFile:
        stored = StoredFile(secrets.token_urlsafe(24), secrets.token_urlsafe(8), data, name)
        self.files[stored.file_id] = stored
        return stored

    def record(self, message: Message) -> Message:
        self.transcripts.setdefault(message.chat_id, []).append(message)
        return message

    def find_message(self, chat_id: int, message_id: int) -> Message:
        for message in self.transcripts.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def message_json(self, message: Message) -> dict:
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id, "date": message.date, "chat": chat.as_json(),
        }
        if message.from_bot:
            data["from"] = {"id": self.bot_id, "is_bot": True, "first_name": "LiaisonBot",
                            "username": self.bot_username}
        else:
            data["from"] = self.users[message.sender_id].as_json()
        if message.text is not None and message.photo is None and message.document is None:
            data["text"] = message.text
        elif message.text is not None:
            data["caption"] = message.text
        if message.photo:
            f = self.files[message.photo]
            data["photo"] = [{"file_id": f.file_id, "file_unique_id": f.unique_id,
                              "width": 1280, "height": 960, "file_size": len(f.data)}]
        if message.document:
            f = self.files[message.document]
            data["document"] = {"file_id": f.file_id, "file_unique_id": f.unique_id,
                                "file_name": f.name, "file_size": len(f.data)}
            mime = mimetypes.guess_type(f.name or "")[0]  # as a Telegram client names it
            if mime:
                data["document"]["mime_type"] = mime
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup  # Telegram shows only inline keyboards here
        return data

    # -- the Bot API ----------------------------------------------------------------------------
    def target_chat(self, chat_id: Any) -> Chat:
        try:
            chat = self.chats[int(chat_id)]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat.type == "private" and self.users[chat.id].blocked_bot:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type != "private" and not chat.bot_member:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return chat

    def checked_text(self, text: Any, parse_mode: str | None, limit: int, empty_ok: bool) -> str:
        text = "" if text is None else str(text)
        shown = text
        if parse_mode and parse_mode.upper() == "HTML":
            try:
                shown = visible_text(text)
            except ParseError as exc:
                raise ApiError(400, f"Bad Request: {exc}") from None
        if not shown.strip() and not empty_ok:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown) > limit:
            what = "message is too long" if limit == MAX_TEXT else "message caption is too long"
            raise ApiError(400, f"Bad Request: {what}")
        return shown

    @staticmethod
    def checked_markup(markup: Any, chat: Chat) -> dict | None:
        """Telegram's checks of an inline keyboard: callback data of 1–64 bytes, a kind for every button,
        an http(s) address for a link or a Mini App, Mini App buttons in private chats only."""
        if markup is None:
            return None
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text") or not {"callback_data", "url", "web_app"} & set(button):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                address = button.get("url") or (button.get("web_app") or {}).get("url")
                if ("url" in button or "web_app" in button) and not str(address).startswith(("http://", "https://")):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                if "web_app" in button and chat.type != "private":
                    raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
        return markup

    def send(self, chat_id: Any, *, text: str | None, parse_mode: str | None,
             markup: Any, photo: str | None = None, document: str | None = None) -> dict:
        chat = self.target_chat(chat_id)
        is_media = photo is not None or document is not None
        shown = self.checked_text(text, parse_mode, MAX_CAPTION if is_media else MAX_TEXT, is_media)
        message = self.record(Message(
            chat_id=chat.id, message_id=self.next_message_id(chat.id), from_bot=True,
            sender_id=self.bot_id, date=int(time.time()), text=shown if (text or not is_media) else None,
            html=text, reply_markup=self.checked_markup(markup, chat), photo=photo, document=document,
            document_name=self.files[document].name if document else None,
        ))
        return self.message_json(message)

    def edit(self, chat_id: Any, message_id: Any, *, text: str | None, parse_mode: str | None,
             markup: Any, markup_only: bool) -> dict:
        chat = self.target_chat(chat_id)
        message = self.find_message(chat.id, int(message_id))
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        new_markup = self.checked_markup(markup, self.target_chat(chat_id))
        new_text = message.text if markup_only else self.checked_text(
            text, parse_mode, MAX_CAPTION if message.photo or message.document else MAX_TEXT, False)
        if new_text == message.text and new_markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content"
                           " and reply markup are exactly the same as a current content and reply"
                           " markup of the message")
        message.text, message.reply_markup = new_text, new_markup
        if not markup_only:
            message.html = text
        message.edits += 1
        return self.message_json(message)
