"""Domain models (DESIGN.md §2 identifiers). Repositories return these; services reason on them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    admin = "admin"
    leader = "leader"
    unit_head = "unit_head"
    liaison = "liaison"
    member = "member"


class Tier(StrEnum):
    reserve = "reserve"
    annual = "annual"
    key = "key"


class Level(StrEnum):
    province = "province"
    city = "city"
    county = "county"


class Stage(StrEnum):
    planning = "planning"
    preparing = "preparing"
    new_start = "new_start"
    continuing = "continuing"
    completed = "completed"
    operating = "operating"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Unit(_Model):
    id: int
    name: str


class Person(_Model):
    id: int
    name: str
    unit_id: int | None = None
    unit_name: str | None = None
    telegram_id: int | None = None
    locale: str | None = None
    roles: frozenset[Role] = frozenset()
    unreachable: str | None = None

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def main_role(self) -> Role:
        for role in Role:  # declaration order is the order of authority
            if role in self.roles:
                return role
        return Role.member


class Milestone(_Model):
    id: int
    project_id: int
    name: str
    due_date: date
    reached_on: date | None = None


class Project(_Model):
    id: int
    code: str
    name: str
    tier: Tier
    level: Level
    stage: Stage
    industry: str | None = None
    location: str | None = None
    owner: str | None = None
    total_investment: int
    annual_plan: int
    planned_start: date | None = None
    planned_end: date | None = None
    lead_unit: str | None = None
    responsible_units: tuple[str, ...] = ()
    lead_leader: str | None = None
    liaison: str | None = None
    liaison_id: int | None = None


class Invite(_Model):
    person_id: int
    role: Role
    expires_at: datetime
    used_at: datetime | None = None
