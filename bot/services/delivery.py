"""Putting messages in the outbox: the one way services and handlers say anything to anyone.

Texts longer than Telegram's 4096 characters are split on line boundaries into as few messages
as fit, never cut; captions longer than 1024 move into a text message after the file.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from storage import outbox
from storage.db import Conn

MAX_TEXT = 4096
MAX_CAPTION = 1024
DASHBOARD = "liaisonbot:dashboard"  # the address a queued dashboard button carries until it is sent
_TAGS = re.compile(r"<[^>]+>")


def visible_length(text: str) -> int:
    return len(html.unescape(_TAGS.sub("", text)))


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on line boundaries; a single line longer than the limit is split between words."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while visible_length(line) > limit:
            cut = _cut_point(line, limit)
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        current = line
    if current or not parts:
        parts.append(current)
    return parts


def _cut_point(line: str, limit: int) -> int:
    """Index to cut a long line at: the last space within the limit, never inside a tag/entity."""
    visible = 0
    best = None
    i = 0
    while i < len(line) and visible < limit:
        if line[i] == "<":
            i = line.index(">", i) + 1 if ">" in line[i:] else i + 1
            continue
        if line[i] == "&" and ";" in line[i : i + 10]:
            i = line.index(";", i) + 1
        else:
            i += 1
        visible += 1
        if i < len(line) and line[i] == " ":
            best = i
    return best if best else i


def inline_keyboard(rows: list[list[tuple[str, str]]]) -> dict:
    return {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}


def with_dashboard(keyboard: dict | None, label: str) -> dict:
    """`keyboard` with a last row opening 领导驾驶舱; its address is the sender's to fill in (resolve_dashboard)."""
    rows = list((keyboard or {}).get("inline_keyboard", []))
    return {"inline_keyboard": [*rows, [{"text": label, "web_app": {"url": DASHBOARD}}]]}


def resolve_dashboard(method: str, params: dict, address: str | None, link: str | None = None) -> dict:
    """A queued message's dashboard buttons as its chat allows them, at sending: a Mini App button to
    `address` in a private chat; in a group, where Telegram allows no Mini App button, the Mini App's direct
    link (`link`, t.me/<bot>/<app>: Telegram opens it signed, like the menu button); none where the
    dashboard is not served (or a group has no link to take). The menu button falls back to the commands."""
    if method == "setChatMenuButton":
        menu = params.get("menu_button", {})
        if menu.get("type") == "web_app" and menu["web_app"].get("url") == DASHBOARD:
            button = {**menu, "web_app": {"url": address}} if address else {"type": "commands"}
            return {**params, "menu_button": button}
        return params
    markup = params.get("reply_markup")
    if not markup or "inline_keyboard" not in markup:
        return params
    in_group = int(params.get("chat_id", 0)) < 0
    rows = []
    for row in markup["inline_keyboard"]:
        kept = []
        for button in row:
            if button.get("web_app", {}).get("url") != DASHBOARD:
                kept.append(button)
            elif address and not in_group:
                kept.append({"text": button["text"], "web_app": {"url": address}})
            elif address and link:
                kept.append({"text": button["text"], "url": link})
        if kept:
            rows.append(kept)
    if rows:
        return {**params, "reply_markup": {**markup, "inline_keyboard": rows}}
    return {key: value for key, value in params.items() if key != "reply_markup"}


async def offer_dashboard(conn: Conn, now: datetime, chat_id: int, label: str) -> None:
    """The dashboard as the chat's menu button (someone who sees every project: a leader, the centre)."""
    await outbox.add(conn, chat_id, "setChatMenuButton",
                     {"chat_id": chat_id, "menu_button": {"type": "web_app", "text": label,
                                                          "web_app": {"url": DASHBOARD}}}, now)


def reply_keyboard(rows: list[list[str]]) -> dict:
    return {"keyboard": [[{"text": t} for t in row] for row in rows], "resize_keyboard": True,
            "is_persistent": True}


async def send_text(conn: Conn, now: datetime, chat_id: int, text: str,
                    keyboard: dict | None = None, *, urgent: bool = False,
                    deliver_after: datetime | None = None) -> None:
    parts = split_text(text)
    for index, part in enumerate(parts):
        params: dict = {"chat_id": chat_id, "text": part, "parse_mode": "HTML",
                        "link_preview_options": {"is_disabled": True}}
        if keyboard and index == len(parts) - 1:
            params["reply_markup"] = keyboard
        await outbox.add(conn, chat_id, "sendMessage", params, now, urgent=urgent, deliver_after=deliver_after)


async def send_file(conn: Conn, now: datetime, chat_id: int, kind: str, name: str, data: bytes,
                    caption: str = "") -> None:
    """kind is 'photo' or 'document'; a caption too long for one goes on as text after it."""
    params: dict = {"chat_id": chat_id, "parse_mode": "HTML"}
    if caption and visible_length(caption) <= MAX_CAPTION:
        params["caption"] = caption
    method = "sendPhoto" if kind == "photo" else "sendDocument"
    await outbox.add(conn, chat_id, method, params, now, attachment=(kind, name, data))
    if caption and "caption" not in params:
        await send_text(conn, now, chat_id, caption)


async def edit_text(conn: Conn, now: datetime, chat_id: int, message_id: int, text: str,
                    keyboard: dict | None = None) -> None:
    params: dict = {"chat_id": chat_id, "message_id": message_id, "text": split_text(text)[0],
                    "parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}
    if keyboard:
        params["reply_markup"] = keyboard
    await outbox.add(conn, chat_id, "editMessageText", params, now)


async def answer_callback(conn: Conn, now: datetime, chat_id: int, query_id: str,
                          text: str | None = None, alert: bool = False) -> None:
    params: dict = {"callback_query_id": query_id}
    if text:
        params.update(text=text[:200], show_alert=alert)
    await outbox.add(conn, chat_id, "answerCallbackQuery", params, now, urgent=True)
