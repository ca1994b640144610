"""Changing who people are to the bot — their roles, their account, their leaving — each change
recorded with who made it and told to the person.

Administrators are exactly the accounts LIAISONBOT_ADMIN_IDS names: `sync_admins` makes that so at
every start, and no command gives or takes the role (it would be undone at the next start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.errors import Refused
from bot.domain.models import Issue, Person, Project, Role
from bot.services.notify import tell
from bot.services.permissions import GRANTABLE
from storage import conversations, issues, people, person_changes, projects
from storage.db import Conn
from storage.person_changes import PersonChange


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an administrator in the bot, or the operator (command line, settings)."""

    person: Person | None
    source: str  # bot, cli, settings

    @property
    def id(self) -> int | None:
        return self.person.id if self.person else None


@dataclass(frozen=True)
class OpenWork:
    """What a person who leaves still holds, for someone to take over."""

    liaison_of: list[Project] = field(default_factory=list)
    leader_of: list[Project] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.liaison_of or self.leader_of or self.issues)


@dataclass(frozen=True)
class Card:
    person: Person
    work: OpenWork
    changes: list[PersonChange]


async def find(conn: Conn, ref: str) -> Person:
    """A person by name, or by #id where names are shared."""
    ref = " ".join(ref.split())
    if ref.startswith("#"):
        found = await people.get(conn, int(ref[1:])) if ref[1:].isdigit() and len(ref) < 12 else None
        if found is None or not found.active:
            raise Refused("people.unknown", name=ref)
        return found
    matches = await people.by_name(conn, ref)
    if not matches:
        raise Refused("people.unknown", name=ref[:40])
    if len(matches) > 1:
        raise Refused("people.ambiguous", name=ref, matches=matches)
    return matches[0]


async def open_work(conn: Conn, person: Person) -> OpenWork:
    return OpenWork(liaison_of=await projects.where_reporter(conn, person.id),
                    leader_of=await projects.where_person(conn, person.id, "lead_leader"),
                    issues=await issues.unfinished_of_person(conn, person.id))


async def card(conn: Conn, person: Person) -> Card:
    return Card(person, await open_work(conn, person), await person_changes.of_person(conn, person.id))


def _guard_configured(person: Person, admin_ids: frozenset[int]) -> None:
    if person.telegram_id is not None and person.telegram_id in admin_ids:
        raise Refused("people.configured_admin", name=person.name)


async def revoke(tx: Conn, now: datetime, actor: Actor, person: Person, role: Role) -> Person:
    if role not in GRANTABLE:
        raise Refused("people.admin_by_settings")
    if role not in person.roles:
        raise Refused("people.no_such_role", name=person.name, role=role.value)
    await people.remove_role(tx, person.id, role)
    await person_changes.record(tx, now, person.id, "role_removed", role.value, actor.id, actor.source)
    await tell(tx, now, person, "people.told_revoked", role=role.value)
    return await people.get(tx, person.id)


async def set_role(tx: Conn, now: datetime, actor: Actor, person: Person, role: Role) -> Person:
    """Their role becomes `role`: the others go (administrator excepted: that is the settings')."""
    if role not in GRANTABLE:
        raise Refused("people.admin_by_settings")
    for old in (person.roles & set(GRANTABLE)) - {role}:
        await people.remove_role(tx, person.id, old)
        await person_changes.record(tx, now, person.id, "role_removed", old.value, actor.id, actor.source)
    if role not in person.roles:
        await people.add_role(tx, person.id, role)
        await person_changes.record(tx, now, person.id, "role_added", role.value, actor.id, actor.source)
    await tell(tx, now, person, "people.told_role", role=role.value)
    return await people.get(tx, person.id)


async def unlink(tx: Conn, now: datetime, actor: Actor, admin_ids: frozenset[int], person: Person) -> Person:
    """The account is no longer theirs to the bot; a new invite can bind another."""
    _guard_configured(person, admin_ids)
    if person.telegram_id is None:
        raise Refused("people.not_linked", name=person.name)
    await tell(tx, now, person, "people.told_unlinked")
    await conversations.clear(tx, person.id)
    await people.unlink(tx, person.id)
    await person_changes.record(tx, now, person.id, "unlinked", str(person.telegram_id), actor.id, actor.source)
    return await people.get(tx, person.id)


async def deactivate(tx: Conn, now: datetime, actor: Actor, admin_ids: frozenset[int], person: Person) -> OpenWork:
    """They left: roles, account and name lookups go; what they still hold is listed for their
    delegate (if they named one) or their unit's heads, to be handed on."""
    _guard_configured(person, admin_ids)
    work = await open_work(tx, person)
    await tell(tx, now, person, "people.told_deactivated")
    if not work.empty:
        for heir in await _heirs(tx, person):
            await tell(tx, now, heir, "people.left_work", name=person.name, work=work)
    await conversations.clear(tx, person.id)
    await people.deactivate(tx, person.id)
    await person_changes.record(tx, now, person.id, "deactivated", None, actor.id, actor.source)
    return work


async def _heirs(conn: Conn, person: Person) -> list[Person]:
    if person.delegate_id is not None:
        delegate = await people.get(conn, person.delegate_id)
        if delegate is not None and delegate.active:
            return [delegate]
    if person.unit_id is None:
        return []
    return [p for p in await people.heads_of_unit(conn, person.unit_id) if p.id != person.id]


async def sync_admins(tx: Conn, now: datetime, admin_ids: frozenset[int]) -> tuple[list[Person], list[Person]]:
    """Make the administrators exactly the accounts configured: (those removed, those added)."""
    removed = [p for p in await people.with_role(tx, Role.admin) if p.telegram_id not in admin_ids]
    added = [p for p in await people.with_telegram_ids(tx, sorted(admin_ids)) if Role.admin not in p.roles]
    for person in removed:
        await people.remove_role(tx, person.id, Role.admin)
        await person_changes.record(tx, now, person.id, "role_removed", Role.admin.value, None, "settings")
    for person in added:
        await people.add_role(tx, person.id, Role.admin)
        await person_changes.record(tx, now, person.id, "role_added", Role.admin.value, None, "settings")
    return removed, added
