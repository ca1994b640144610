"""Binding group chats: only administrators; a group sees only the projects in its scope."""

from __future__ import annotations

from datetime import datetime, timedelta

import messages
from bot.domain.bulletin_figures import in_scope
from bot.domain.clock import Clock
from bot.domain.errors import Refused
from bot.domain.models import SUBSCRIPTIONS, GroupChat, Issue, Person, Unit
from bot.services import delivery
from bot.services.permissions import ANYWHERE, Action, allowed
from storage import groups, people, projects
from storage.db import Conn

REFUSAL_QUIET = timedelta(minutes=10)  # after refusing a person in a group, silence this long


async def bind(tx: Conn, clock: Clock, actor: Person, chat_id: int, title: str, scope_kind: str,
               scope_value: str | None, kinds: list[str]) -> GroupChat:
    if not allowed(actor, Action.bind, ANYWHERE):
        raise Refused("refuse.not_admin")
    await groups.bind(tx, chat_id, title, scope_kind, None if scope_kind == "all" else scope_value,
                      actor.id, [k for k in SUBSCRIPTIONS if k in kinds], clock.now())
    return await groups.get(tx, chat_id)


async def unbind(tx: Conn, actor: Person, chat_id: int) -> bool:
    if not allowed(actor, Action.bind, ANYWHERE):
        raise Refused("refuse.not_admin")
    return await groups.unbind(tx, chat_id)


async def bound(conn: Conn, chat_id: int) -> GroupChat | None:
    return await groups.get(conn, chat_id)


async def units(conn: Conn) -> list[Unit]:
    """The units a group's scope may name."""
    return await people.units(conn)


async def programmes(conn: Conn) -> list[str]:
    """The programme lists a group's scope may name: those some project is on."""
    return await projects.programmes(conn)


async def refusal_due(tx: Conn, now: datetime, chat_id: int, telegram_id: int) -> bool:
    """Whether to refuse a member's command in a group out loud: the first time, then not again
    for REFUSAL_QUIET. Groups drain slowly (20 messages a minute), so refusals must not queue
    ahead of the notices the group is for, however playful a member is."""
    last = await groups.last_refusal(tx, chat_id, telegram_id)
    if last is not None and now - last < REFUSAL_QUIET:
        return False
    await groups.record_refusal(tx, chat_id, telegram_id, now)
    return True


async def describe(conn: Conn, group: GroupChat | None, locale: str | None) -> str:
    """The scope in words: 全部项目, 牵头单位 县交通局, 项目层级 重点, … (None: all projects)"""
    if group is None or group.scope_kind == "all":
        return messages.label(locale, "scope.all")
    value = group.scope_value or ""
    if group.scope_kind == "unit":
        unit = await people.unit(conn, int(value)) if value.isdigit() else None
        value = unit.name if unit else value
    elif group.scope_kind != "programme":
        value = messages.label(locale, f"{group.scope_kind}.{value}")
    return f"{messages.label(locale, f'scope.{group.scope_kind}')} {value}"


async def tell_overdue(tx: Conn, now: datetime, issue: Issue, event: str, deliver_after: datetime | None,
                       **values: object) -> int:
    """An issue escalated (`event` 'escalated', with the clock it missed as `reason`), asked up
    ('requested') or flagged at the top level ('flagged'): a line to each group subscribed to overdue
    notices whose scope holds the issue's project. How many."""
    project = await projects.get(tx, issue.project_id)
    unit_names = {u.id: u.name for u in await people.units(tx)}
    told = 0
    for chat_id in await groups.subscribed(tx, "overdue_notices"):
        if in_scope(project, await groups.get(tx, chat_id), unit_names):
            text = messages.render(None, f"group_notice.{event}", issue=issue, **values)
            await delivery.send_text(tx, now, chat_id, text, deliver_after=deliver_after)
            told += 1
    return told
