"""Every word a person reads: jinja2 templates in one TOML catalog per locale (zh default, en).

`render(locale, key, **values)` gives Telegram HTML with user values escaped (autoescape), so a
name like `<b>&` shows literally and never breaks a message. `render_plain` is for the terminal.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from jinja2 import Environment, StrictUndefined, Template

from bot.money import wan, yi

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


@cache
def catalog(locale: str) -> dict[str, str]:
    text = resources.files("messages").joinpath(f"{locale}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(text))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".0%", "%")


def _when(value: datetime | date | None, tz: str = "Asia/Shanghai") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _environment(autoescape: bool) -> Environment:
    env = Environment(autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update(wan=wan, yi=yi, pct=_pct, when=_when)
    return env


_HTML = _environment(autoescape=True)
_PLAIN = _environment(autoescape=False)


@cache
def _template(env_name: str, locale: str, key: str) -> Template:
    env = _HTML if env_name == "html" else _PLAIN
    source = catalog(locale if locale in LOCALES else DEFAULT_LOCALE)[key]
    template = env.from_string(source)
    template.globals["label"] = lambda k: label(locale, k)
    return template


def render(locale: str | None, key: str, **values: object) -> str:
    return _template("html", locale or DEFAULT_LOCALE, key).render(**values).strip()


def render_plain(locale: str | None, key: str, **values: object) -> str:
    return _template("plain", locale or DEFAULT_LOCALE, key).render(**values).strip()


def label(locale: str | None, key: str) -> str:
    """A short fixed string (button, enum name): no template, no escaping needed."""
    return catalog(locale if locale in LOCALES else DEFAULT_LOCALE)[key]


def locale_for(language_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Pick our locale from Telegram's language_code of a person we do not know yet."""
    if language_code and language_code.lower().startswith("en"):
        return "en"
    if language_code and language_code.lower().startswith("zh"):
        return "zh"
    return default
