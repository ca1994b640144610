"""Every word a person reads: jinja2 templates in one TOML catalog per locale (zh default, en).

`render(locale, key, **values)` gives Telegram HTML with user values escaped (autoescape), so a
name like `<b>&` shows literally and never breaks a message. `render_plain` is for the terminal.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from jinja2 import Environment, FunctionLoader, StrictUndefined, Template
from markupsafe import Markup

from bot.domain.money import wan, yi
from bot.domain.policy import DEFAULT_LEVELS, Policy
from messages import forms

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


_display_zone = ZoneInfo("Asia/Shanghai")


def set_timezone(name: str) -> None:
    """Where the county is: every time shown to a person is in this zone (LIAISONBOT_TIMEZONE)."""
    global _display_zone
    _display_zone = ZoneInfo(name)


_level_names = tuple(level.name for level in DEFAULT_LEVELS)
_county_words: dict[str, str] = {}


def use_policy(policy: Policy) -> None:
    """The county's own words, read at start: its problem levels by name (issue_levels), so every
    "level" people read is one; what it calls a project level (projects.level_names, 区级) and each
    role (role_names, 包保领导), in the default language."""
    global _level_names, _county_words
    _level_names = tuple(level.name for level in policy.issue_levels)
    _county_words = {f"level.{level}": name for level, name in policy.projects.level_names.items()}
    _county_words |= {f"role.{role}": name for role, name in policy.role_names.items()}
    names_for.cache_clear()


@cache
def names_for(kind: str, values: tuple[str, ...]) -> dict[str, str]:
    """Each of `values` of `kind` (tier, level, stage) by every name a person may write for it, lower-case:
    the value itself and its words in every language, the county's own among them (区级); the first value
    keeps a name two share."""
    found: dict[str, str] = {}
    for value in values:
        key = f"{kind}.{value}"
        for name in (value, *(word for locale in LOCALES for word in (label(locale, key), catalog(locale)[key]))):
            found.setdefault(name.lower(), value)
    return found


def level_name(number: int | None) -> str:
    """A problem level as the county calls it (issue_levels)."""
    if number is None:
        return "—"
    return _level_names[number - 1] if 1 <= number <= len(_level_names) else str(number)


@cache
def _environment(locale: str, autoescape: bool) -> Environment:
    """One environment per locale and mode; a template may {% include %} another key."""
    env = Environment(loader=FunctionLoader(catalog(locale).get), autoescape=autoescape,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(wan=wan, yi=yi, pct=_pct, level=level_name,
                       when=lambda value: forms.when(value, locale, _display_zone),
                       day=lambda value: forms.day(value, locale, _display_zone),
                       month=lambda period: forms.month(period, locale),
                       week=lambda iso: forms.week(iso, locale), quarter=lambda period: forms.quarter(period, locale))
    env.globals["label"] = lambda key: label(locale, key)

    def part(key: str, **values: object) -> str:
        """Another template's text inside this one (an expression, so line breaks stay)."""
        text = env.get_template(key).render(**values).strip()
        return Markup(text) if autoescape else text

    env.globals["part"] = part
    return env


def _template(locale: str | None, key: str, autoescape: bool) -> Template:
    chosen = locale if locale in LOCALES else DEFAULT_LOCALE
    return _environment(chosen, autoescape).get_template(key)


def render(locale: str | None, key: str, **values: object) -> str:
    return _template(locale, key, autoescape=True).render(**values).strip()


def render_plain(locale: str | None, key: str, **values: object) -> str:
    return _template(locale, key, autoescape=False).render(**values).strip()


def label(locale: str | None, key: str) -> str:
    """A short fixed string (button, enum name): no template, no escaping needed."""
    chosen = locale if locale in LOCALES else DEFAULT_LOCALE
    if chosen == DEFAULT_LOCALE and key in _county_words:
        return _county_words[key]
    return catalog(chosen)[key]


def locale_for(language_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Pick our locale from Telegram's language_code of a person we do not know yet."""
    if language_code and language_code.lower().startswith("en"):
        return "en"
    if language_code and language_code.lower().startswith("zh"):
        return "zh"
    return default
