"""Pieces several flows share: choosing a project, yes/no, dates, text."""

from __future__ import annotations

from datetime import date

from bot.errors import Refused
from bot.flows.engine import Choice, InputError
from bot.flows.session import Session
from bot.importing import parse_date
from bot.models import Project
from storage import projects

MAX_BUTTONS = 24


def project_choices(found: list[Project]) -> list[Choice]:
    return [Choice(str(p.id), f"{p.code} {p.name}") for p in found[:MAX_BUTTONS]]


async def typed_project(text: str, allowed: list[Project]) -> str:
    code = text.strip().upper()
    for project in allowed:
        if project.code == code:
            return str(project.id)
    raise InputError("flow.unknown_project", code=text.strip())


async def show_project(value: str, s: Session) -> str:
    project = await projects.get(s.tx, int(value))
    return f"{project.code} {project.name}" if project else "—"


async def yes_no(s: Session) -> list[Choice]:
    return [Choice("yes", s.label("button.yes")), Choice("no", s.label("button.no"))]


async def show_yes_no(value: str, s: Session) -> str:
    return s.label("button.yes" if value == "yes" else "button.no")


async def required_text(text: str, s: Session) -> str:
    text = text.strip()
    if not text:
        raise InputError("flow.empty")
    return text


async def future_date(text: str, s: Session) -> str:
    try:
        parsed = parse_date(text.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise InputError("flow.bad_date", value=text.strip())
    if parsed < s.today:
        raise InputError("flow.date_past", value=parsed.isoformat())
    return parsed.isoformat()


async def show_photos(value: list, s: Session) -> str:
    return s.t("flow.photo_count", count=len(value or []))


def as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def refuse_if_none(value: object, key: str) -> None:
    if value is None:
        raise Refused(key)
