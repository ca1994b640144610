"""/away without a date: time away (请假、出差) by buttons — the last day away, then who stands in (B角),
chosen among the person's colleagues or typed by name. `/away DATE [name]` does the same in one line."""

from __future__ import annotations

from bot.domain.errors import Refused
from bot.flows.common import MAX_BUTTONS, as_date, future_date, show_day, show_person
from bot.flows.session import Session
from bot.flows.steps import Choice, Flow, InputError, Step
from bot.services import people as service


async def _note_current(s: Session) -> None:
    """The prompt tells a person already away until when; the new dates replace those."""
    if s.person.away_at(s.now):
        s.draft["_away"] = s.person.away_until.astimezone(s.tz).date().isoformat()


async def _stand_ins(s: Session) -> list[Choice]:
    return [Choice(str(p.id), s.t("flow.of_unit", name=p.name, unit=p.unit_name) if p.unit_name else p.name)
            for p in await service.stand_ins(s.tx, s.person)][:MAX_BUTTONS]


async def _named(text: str, s: Session) -> str:
    try:
        return str((await service.delegate_named(s.tx, s.person, text)).id)
    except Refused as refused:
        raise InputError(refused.key, **refused.values) from None


async def _show_delegate(value: str | None, s: Session) -> str:
    return await show_person(value, s) if value else s.label("flow.none")


async def _commit(s: Session) -> None:
    until = as_date(s.draft["until"])
    chosen = s.draft.get("delegate")
    delegate = await service.delegate_by_id(s.tx, s.person, int(chosen)) if chosen else None
    await service.set_away(s.tx, s.clock, s.tz, s.person, until, delegate)
    await s.say("away.set", until=until, delegate=delegate)


FLOW = Flow(
    name="away",
    prefill=_note_current,
    commit=_commit,
    steps=[
        Step("until", "text", "away.ask_until", parse=future_date, show=show_day),
        Step("delegate", "choice", "away.ask_delegate", choices=_stand_ins, parse=_named, optional=True,
             show=_show_delegate),
    ],
)
