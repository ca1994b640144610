"""/bind in a group: its scope (all projects, a lead unit, a tier, a level or a programme list) and
subscriptions."""

from __future__ import annotations

from bot.domain.bulletin_figures import SCOPE_KINDS
from bot.domain.models import SUBSCRIPTIONS, Level, Tier
from bot.flows.session import Session
from bot.flows.steps import Choice, Flow, Step
from bot.services import groups as service


async def _kinds(s: Session) -> list[Choice]:
    offered = SCOPE_KINDS if await service.programmes(s.tx) else SCOPE_KINDS[:-1]
    return [Choice(kind, s.label(f"scope.{kind}")) for kind in offered]


async def _values(s: Session) -> list[Choice]:
    kind = s.draft["scope_kind"]
    if kind == "unit":
        return [Choice(str(u.id), u.name) for u in await service.units(s.tx)][:24]
    if kind == "programme":
        return [Choice(name, name) for name in await service.programmes(s.tx)][:24]
    enum = Tier if kind == "tier" else Level
    return [Choice(m.value, s.label(f"{kind}.{m.value}")) for m in enum]


async def _whole(s: Session) -> bool:
    return s.draft.get("scope_kind") == "all"


async def _subscriptions(s: Session) -> list[Choice]:
    return [Choice(kind, s.label(f"subscription.{kind}")) for kind in SUBSCRIPTIONS]


async def _show_kind(value: str, s: Session) -> str:
    return s.label(f"scope.{value}")


async def _show_value(value: str, s: Session) -> str:
    return next((c.label for c in await _values(s) if c.value == value), value)


async def _show_subscriptions(value: list, s: Session) -> str:
    return "、".join(s.label(f"subscription.{v}") for v in value) if value else s.label("flow.none")


async def _commit(s: Session) -> None:
    group = await service.bind(s.tx, s.clock, s.person, s.chat_id, s.draft["_title"], s.draft["scope_kind"],
                               s.draft.get("scope_value"), s.draft.get("subscriptions") or [])
    await s.say("group.bound", group=group, scope=await service.describe(s.tx, group, s.locale))


FLOW = Flow(
    name="bind_group",
    commit=_commit,
    steps=[
        Step("scope_kind", "choice", "group.ask_scope", choices=_kinds, show=_show_kind),
        Step("scope_value", "choice", "group.ask_scope_value", choices=_values, skip=_whole, show=_show_value),
        Step("subscriptions", "multi", "group.ask_subscriptions", choices=_subscriptions,
             show=_show_subscriptions),
    ],
)
