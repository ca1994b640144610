"""Process settings from the environment and `.env`, all prefixed LIAISONBOT_."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.errors import ConfigError

TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILES = "https://api.telegram.org/file/bot"
LOCALES = ("zh", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LIAISONBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    api_base_url: str = TELEGRAM_API
    api_file_url: str = TELEGRAM_FILES
    db: Path | str = Path("liaisonbot.db")
    """a SQLite file, or a PostgreSQL address (postgresql://user@host/name, the `postgresql` extra)"""
    timezone: str = "Asia/Shanghai"
    locale: str = "zh"
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    policy: Path | None = None
    webhook_url: str | None = None
    """`liaisonbot run --webhook`: the public HTTPS address Telegram posts updates to (…/telegram)"""
    webhook_listen: str = "127.0.0.1:8080"
    """where the webhook server listens (behind the HTTPS proxy): host:port"""
    dashboard_listen: str | None = None
    """领导驾驶舱: host:port to serve the page and its API on (none: not served)"""
    dashboard_url: str | None = None
    """the page's public HTTPS address (…/app/), for the menu button and 打开驾驶舱 buttons; unset: the
    listen address's http://host:port/app/, which only a browser on that machine reaches"""
    dashboard_link: str | None = None
    """the Mini App's direct link, https://t.me/<bot>/<short name> (BotFather: Configure Mini App): groups get
    打开驾驶舱 as this link, which Telegram opens signed (Mini App buttons are for private chats only)"""
    dashboard_outline: Path | None = None
    """a GeoJSON file the map draws as its outline (the county's boundary); none: points only"""
    webhook_secret: SecretStr | None = None
    """the secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token (1–256 of A-Z a-z 0-9 _ -)"""

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        ids = set()
        for part in value.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.lstrip("-").isdigit():
                raise ValueError(f"'{part}' is not a Telegram user id (digits only)")
            ids.add(int(part))
        return frozenset(ids)

    @field_validator("webhook_listen", "dashboard_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit() or not 0 <= int(port) < 65536:
                raise ValueError(f"'{value}' is not host:port, e.g. 127.0.0.1:8080")
        return value

    @field_validator("db", mode="before")
    @classmethod
    def _database(cls, value: object) -> object:
        """A postgresql:// address stays text; anything else is a file."""
        if isinstance(value, str) and not value.startswith(("postgresql://", "postgres://")):
            return Path(value)
        return value

    @field_validator("dashboard_url", "dashboard_link")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"'{value}' is not an http(s) address")
        return value

    def dashboard_address(self, port: int | None = None) -> str | None:
        """Where people open the dashboard; None when it is not served. `port`: the one the server took
        (when the listen address asked for any, :0)."""
        if not self.dashboard_listen:
            return None
        host, _, listen_port = self.dashboard_listen.rpartition(":")
        return self.dashboard_url or f"http://{host}:{port or listen_port}/app/"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"'{value}' is not one of {', '.join(LOCALES)}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def webhook(self) -> tuple[str, str, str, int]:
        """(public URL, secret, listen host, listen port) for webhook mode, or ConfigError saying what is missing."""
        if not self.webhook_url:
            raise ConfigError("LIAISONBOT_WEBHOOK_URL", "not set; the public HTTPS address Telegram posts to")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError("LIAISONBOT_WEBHOOK_SECRET", "not set, or not 1–256 of A-Z a-z 0-9 _ -")
        host, _, port = self.webhook_listen.rpartition(":")
        return self.webhook_url, secret, host, int(port)

    def token_value(self) -> str:
        if self.token is None or not self.token.get_secret_value().strip():
            raise ConfigError("LIAISONBOT_TOKEN", "not set; get one from @BotFather (or run `liaisonbot demo`)")
        return self.token.get_secret_value().strip()


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning the first validation problem into a ConfigError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"LIAISONBOT_{field.upper()}", message) from None
