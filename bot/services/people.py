"""People, roles and invites: who may use the bot, and how an account gets bound to a person."""

from __future__ import annotations

import math
import re
import secrets
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.errors import Refused
from bot.domain.models import Person, Role
from bot.domain.policy import Policy
from bot.domain.workdays import end_of_day
from bot.services.permissions import GRANTABLE
from storage import invites, people, person_changes, projects, reachability
from storage.db import Conn

_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_ATTEMPT_WINDOW = timedelta(hours=1)
_PROJECT_ROLE = {Role.liaison: "liaison", Role.leader: "lead_leader"}


class Redeemed(StrEnum):
    bound = "bound"
    again = "again"              # the same account used its own code once more
    unknown = "unknown"
    used = "used"
    expired = "expired"
    other_account = "other_account"  # this Telegram account already belongs to someone else


def deep_link(bot_username: str, code: str) -> str:
    """The link that opens the bot with /start <code>."""
    return f"https://t.me/{bot_username}?start={code}"


def new_code() -> str:
    """128 bits of randomness in the alphabet Telegram allows in a deep link."""
    return secrets.token_urlsafe(16)


async def create_invite(
    tx: Conn, clock: Clock, policy: Policy, *, name: str, role: Role,
    project_code: str | None = None, unit: str | None = None, created_by: int | None = None,
) -> tuple[str, Person]:
    name = " ".join(name.split())
    if not name or len(name) > 40:
        raise Refused("invite.bad_name")
    if role not in GRANTABLE:
        raise Refused("people.admin_by_settings")
    project = None
    if project_code:
        project = await projects.by_code(tx, project_code.strip().upper())
        if project is None:
            raise Refused("invite.unknown_project", code=project_code)
    person = await _choose_person(tx, clock, name, project)
    await people.add_role(tx, person.id, role)
    if unit:
        await people.set_unit(tx, person.id, await people.ensure_unit(tx, unit.strip()))
    if project and role in _PROJECT_ROLE:
        await projects.set_person(tx, project.id, _PROJECT_ROLE[role], person.id)
    code = new_code()
    now = clock.now()
    await invites.create(tx, code, person.id, role, created_by, now,
                         now + timedelta(days=policy.invite_valid_days))
    return code, await people.get(tx, person.id)


async def split_target(conn: Conn, target: str | None) -> tuple[str | None, str | None]:
    """What follows the role in `/invite 姓名 角色 …`: a project code if one exists, else a unit."""
    if target and await projects.by_code(conn, target.strip().upper()):
        return target, None
    return None, target


async def _choose_person(tx: Conn, clock: Clock, name: str, project) -> Person:
    candidates = await people.by_name(tx, name)
    if project is not None:
        attached = [p for p in candidates if p.id in (project.liaison_id,)]
        if attached:
            return attached[0]
    unbound = [p for p in candidates if p.telegram_id is None]
    if len(unbound) == 1:
        return unbound[0]
    if len(unbound) > 1:
        raise Refused("invite.ambiguous_name", name=name, count=len(unbound))
    return await people.get(tx, await people.create(tx, name, clock.now()))


async def redeem(tx: Conn, clock: Clock, policy: Policy, code: str, telegram_id: int,
                 locale: str | None) -> tuple[Redeemed, Person | None]:
    """Bind the account to the invited person. An account that has sent `invite_wrong_codes_per_hour`
    wrong codes in the last hour is refused (Refused) until the oldest of them is an hour old,
    whatever it sends: 128-bit codes cannot be guessed, and now not even tried quickly."""
    now = clock.now()
    wrong = await invites.wrong_since(tx, telegram_id, now - _ATTEMPT_WINDOW)
    if len(wrong) >= policy.invite_wrong_codes_per_hour:
        wait = wrong[-policy.invite_wrong_codes_per_hour] + _ATTEMPT_WINDOW - now
        raise Refused("start.too_many_codes", minutes=max(1, math.ceil(wait.total_seconds() / 60)))
    outcome, person = await _redeem(tx, clock, code, telegram_id, locale)
    if outcome is Redeemed.unknown:
        await invites.record_wrong(tx, telegram_id, now, _ATTEMPT_WINDOW)
    return outcome, person


async def _redeem(tx: Conn, clock: Clock, code: str, telegram_id: int,
                  locale: str | None) -> tuple[Redeemed, Person | None]:
    if not _CODE.match(code):
        return Redeemed.unknown, None
    invite = await invites.find(tx, code)
    if invite is None:
        return Redeemed.unknown, None
    person = await people.get(tx, invite.person_id)
    if invite.used_at is not None:
        if person.telegram_id == telegram_id:
            return Redeemed.again, person
        return Redeemed.used, None
    if invite.expires_at <= clock.now():
        return Redeemed.expired, None
    current = await people.by_telegram(tx, telegram_id)
    if current is not None and current.id != person.id:
        return Redeemed.other_account, current
    if person.telegram_id is not None and person.telegram_id != telegram_id:
        return Redeemed.used, None
    await invites.mark_used(tx, code, telegram_id, clock.now())
    await people.bind_telegram(tx, person.id, telegram_id, locale)
    return Redeemed.bound, await people.get(tx, person.id)


async def identify(tx: Conn, clock: Clock, admin_ids: frozenset[int], telegram_id: int,
                   full_name: str, locale: str | None, wrote: bool = True) -> Person | None:
    """The person behind a Telegram account; ADMIN_IDS become administrators on first contact.
    `wrote`: a message or a button from them shows they can be reached again (blocking the bot
    is an update from them too, and shows the opposite)."""
    person = await people.by_telegram(tx, telegram_id)
    if wrote and person is not None and person.unreachable:
        await reachability.mark_reachable(tx, telegram_id)
    if person is None and telegram_id in admin_ids:
        person_id = await people.create(tx, full_name or str(telegram_id), clock.now(),
                                        telegram_id=telegram_id, locale=locale)
        await people.add_role(tx, person_id, Role.admin)
        await person_changes.record(tx, clock.now(), person_id, "role_added", Role.admin.value, None, "settings")
        person = await people.get(tx, person_id)
    return person


async def set_away(tx: Conn, clock: Clock, tz: ZoneInfo, person: Person, until: date,
                   delegate: Person | None) -> None:
    """Away until the end of `until`; reminders skip them, and go (with assignments) to the delegate (one
    `delegate_named` or `delegate_by_id` found for them)."""
    if until < clock.now().astimezone(tz).date():
        raise Refused("away.past", date=until)
    await people.set_away(tx, person.id, end_of_day(until, tz), delegate.id if delegate else None)


def _standing_in(person: Person, found: list[Person], name: str) -> Person:
    """Who may stand in for `person`: someone else, bound to the bot, who has not left (Refused if none of
    `found` is)."""
    bound = [p for p in found if p.telegram_id and p.active]
    if not bound:
        raise Refused("away.unknown_delegate", name=name)
    if all(p.id == person.id for p in bound):
        raise Refused("away.self_delegate")
    return next(p for p in bound if p.id != person.id)


async def delegate_named(conn: Conn, person: Person, name: str) -> Person:
    return _standing_in(person, await people.by_name(conn, name.strip()), name.strip())


async def delegate_by_id(conn: Conn, person: Person, person_id: int) -> Person:
    found = await people.get(conn, person_id)
    return _standing_in(person, [found] if found else [], found.name if found else str(person_id))


async def stand_ins(conn: Conn, person: Person) -> list[Person]:
    """Whom the person may name as delegate with a tap: bound colleagues of their unit, then of their projects."""
    return await people.stand_ins(conn, person)


async def come_back(tx: Conn, clock: Clock, person: Person, early: bool = False) -> tuple[int, str | None] | None:
    """If their time away is over (or `early`), clear it: (messages redirected, delegate's name)."""
    if person.away_until is None or (not early and person.away_at(clock.now())):
        return None
    delegate = await people.get(tx, person.delegate_id) if person.delegate_id else None
    await people.set_away(tx, person.id, None, None)
    return person.away_redirected, delegate.name if delegate else None
