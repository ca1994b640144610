"""Pieces several flows share: choosing a project, yes/no, dates, text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from bot.domain import inputs
from bot.domain.models import Project
from bot.flows.session import Session
from bot.flows.steps import Choice, InputError, Step
from bot.services import issues, registry

MAX_BUTTONS = 24


Allowed = Callable[[Session], Awaitable[list[Project]]]


def project_step(prompt: str, allowed: Allowed, resets: tuple[str, ...] = ()) -> Step:
    """Choose one of the `allowed` projects by button or by typing its code; skipped when the
    flow was started with the project already known (see `single_project`)."""

    async def choices(s: Session) -> list[Choice]:
        return [Choice(str(p.id), f"{p.code} {p.name}") for p in (await allowed(s))[:MAX_BUTTONS]]

    async def typed(text: str, s: Session) -> str:
        code = text.strip().upper()
        for project in await allowed(s):
            if project.code == code:
                return str(project.id)
        raise InputError("flow.unknown_project", code=text.strip())

    async def known(s: Session) -> bool:
        return bool(s.draft.get("_single"))

    return Step("project", "choice", prompt, choices=choices, parse=typed, skip=known, show=show_project,
                resets=resets)


def single_project(allowed: Allowed) -> Callable[[Session], Awaitable[None]]:
    """A prefill: when there is only one project to choose, choose it."""

    async def prefill(s: Session) -> None:
        if "project" not in s.draft:
            found = await allowed(s)
            if len(found) == 1:
                s.draft.update(project=str(found[0].id), _single=True)

    return prefill


async def unit_choices(s: Session, project_id: int | None) -> list[Choice]:
    """Units to assign to: the project's own first."""
    return [Choice(str(u.id), u.name) for u in await issues.assignable_units(s.tx, project_id)][:MAX_BUTTONS]


async def show_unit(value: str, s: Session) -> str:
    unit = await issues.unit(s.tx, int(value))
    return unit.name if unit else "—"


async def unit_people(s: Session) -> list[Choice]:
    """The people of the unit the draft names, those not yet bound marked."""
    found = await issues.unit_people(s.tx, int(s.draft["unit"]))
    return [Choice(str(p.id), p.name + ("" if p.telegram_id else s.label("flow.unbound"))) for p in found][:MAX_BUTTONS]


async def unit_leaders(s: Session) -> list[Choice]:
    """Who may lead a problem (or decision) of the unit the draft names (五到位's 责任领导)."""
    return [Choice(str(p.id), p.name) for p in await issues.leader_candidates(s.tx, int(s.draft["unit"]))][:MAX_BUTTONS]


async def show_person(value: str, s: Session) -> str:
    person = await issues.person(s.tx, int(value))
    return person.name if person else "—"


async def show_project(value: str, s: Session) -> str:
    project = await registry.project(s.tx, int(value))
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
        parsed = inputs.chat_date(text, s.today)
    except ValueError:
        raise InputError("flow.bad_date", value=text.strip()[:30]) from None
    if parsed < s.today:
        raise InputError("flow.date_past", value=parsed)
    return parsed.isoformat()


async def show_day(value: str | None, s: Session) -> str:
    """A day kept in a draft (ISO text), as people write it."""
    return s.t("flow.day", value=value) if value else s.label("flow.none")


async def show_photos(value: list, s: Session) -> str:
    return s.t("flow.photo_count", count=len(value or []))


def as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
