"""Telegram Mini App sign-in (领导驾驶舱): the `initData` a Mini App page receives is checked exactly as the
Bot API documents — the data-check string of every field but `hash`, sorted by name and joined by line
feeds, signed with HMAC-SHA256 under the key HMAC-SHA256("WebAppData", bot token) — compared in constant
time, and refused when older than allowed. Pure: the string, the token and the instant in; who it is out."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode


class InvalidInitData(Exception):
    """Why a sign-in was refused: unsigned, tampered, stale, or not a user's."""


@dataclass(frozen=True)
class WebAppUser:
    telegram_id: int
    first_name: str
    language_code: str | None
    signed_at: datetime


def _signature(fields: dict[str, str], token: str) -> str:
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def verify(init_data: str, token: str, now: datetime, max_age: timedelta) -> WebAppUser:
    try:
        fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise InvalidInitData("not a query string") from None
    given = fields.pop("hash", "")
    if not given or not hmac.compare_digest(given.encode(), _signature(fields, token).encode()):
        raise InvalidInitData("bad signature")
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), tz=now.tzinfo)
        user = json.loads(fields["user"])
        telegram_id = int(user["id"])
    except (KeyError, ValueError, TypeError, OverflowError):
        raise InvalidInitData("no user or no date") from None
    if not timedelta(minutes=-5) <= now - signed_at <= max_age:
        raise InvalidInitData("stale")
    return WebAppUser(telegram_id, str(user.get("first_name") or ""), user.get("language_code"), signed_at)


def sign(fields: dict[str, str], token: str) -> str:
    """An `initData` as Telegram makes it (the sandbox's part, and the tests')."""
    return urlencode({**fields, "hash": _signature(fields, token)})
