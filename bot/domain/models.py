"""Domain models (DESIGN.md §2 identifiers). Repositories return these; services reason on them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction

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


FUND_SOURCES = ("central_budget", "special_bonds", "policy_finance", "bank_loans", "self_raised", "other")
"""where a project's money comes from (中央预算内投资, 地方政府专项债券, 政策性开发性金融工具, 银行贷款, 企业自筹,
其他): what 发改 is asked about most (000 "对预算内投资、专项债券…全程监管"; 002's 资金到位率)"""


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
    away_until: datetime | None = None
    delegate_id: int | None = None
    away_redirected: int = 0
    active: bool = True

    def away_at(self, instant: datetime) -> bool:
        return self.away_until is not None and instant <= self.away_until

    @property
    def role_list(self) -> list[Role]:
        """Their roles in the order of authority."""
        return [role for role in Role if role in self.roles]

    @property
    def main_role(self) -> Role:
        for role in Role:  # declaration order is the order of authority
            if role in self.roles:
                return role
        return Role.member


class Milestone(_Model):
    """A 倒计时 node: who answers for it, and how often its date was re-planned."""

    id: int
    project_id: int
    name: str
    due_date: date
    reached_on: date | None = None
    owner: str | None = None
    replans: int = 0


class ProjectFields(_Model):
    """What a project sheet says of a project; the registry adds its id."""

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
    co_reporters: tuple[str, ...] = ()  # also report (003's 专员 beside the owner's 联系人); the liaison answers
    programmes: tuple[str, ...] = ()  # the programme lists it is on (专项债, 三年滚动 …)
    longitude: float | None = None  # where it is, for the dashboard's map (degrees east; both or neither)
    latitude: float | None = None


class Project(ProjectFields):
    id: int
    liaison_id: int | None = None
    active: bool = True  # False: 调出, taken off the county's list
    plans: dict[int, int] = {}  # 年度计划 by year; annual_plan is the newest
    month_plans: dict[str, int] = {}  # 分月计划: each month's planned investment (元) by "YYYY-MM"
    fund_plans: dict[int, dict[str, int]] = {}  # 资金计划: by year, each source's amount (元)
    co_reporter_ids: tuple[int, ...] = ()

    def plan_for(self, year: int) -> int:
        """The 年度计划 a month of `year` is judged on: that year's; before next year's list comes, the
        latest earlier one; 0 for a project only on a later year's list."""
        if not self.plans:
            return self.annual_plan
        if year in self.plans:  # the usual case, asked several times per project by each bulletin
            return self.plans[year]
        earlier = [y for y in self.plans if y <= year]
        return self.plans[max(earlier)] if earlier else 0

    def planned_share(self, period: str) -> Fraction | None:
        """序时进度 in % by the project's own 分月计划: what it planned to invest by the end of `period`
        against that year's 年度计划, exactly; None when it has no monthly plan for the year."""
        year = period[:4]
        months = {p: amount for p, amount in self.month_plans.items() if p[:4] == year}
        plan = self.plan_for(int(year))
        if not months or plan <= 0:
            return None
        return Fraction(sum(amount for p, amount in months.items() if p <= period) * 100, plan)

    def planned_funds(self, year: int) -> int:
        """The year's 资金计划, all sources together (0: none given)."""
        return sum(self.fund_plans.get(year, {}).values())

    def reports_for(self, person_id: int) -> bool:
        """Whether the person reports on it: its liaison or one of its co-reporters."""
        return person_id == self.liaison_id or person_id in self.co_reporter_ids


class Supervision(_Model):
    """挂牌督办 of a project: `started_by` None when the flag watch put it on by the policy's rule."""

    id: int
    project_id: int
    started_at: datetime
    started_by: str | None
    reason: str
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None


class MeetingKind(StrEnum):
    dispatch = "dispatch"  # 调度会
    special = "special"    # 专题调度
    joint = "joint"        # 联席会议


class Meeting(_Model):
    """A 调度会: its leader (None: the centre's own — 专班, 联席会议) and day; the pack goes out the working day
    before, the minutes once its decisions are recorded."""

    id: int
    kind: MeetingKind
    leader_id: int | None
    leader_name: str | None
    held_on: date
    created_by: int | None
    pack_sent_at: datetime | None = None
    minutes_sent_at: datetime | None = None


class Talk(_Model):
    """约谈 of a project: who was talked to, when, and what came of it."""

    held_on: date
    talked_to: str
    outcome: str
    recorded_by: str | None


class Invite(_Model):
    person_id: int
    role: Role
    expires_at: datetime
    used_at: datetime | None = None


class MonthlyReport(_Model):
    id: int
    project_id: int
    period: str
    revision: int
    reporter_id: int
    ytd_completed: int
    stage: Stage
    progress: str
    photos: tuple[str, ...] = ()
    milestones_reached: tuple[int, ...] = ()
    next_plan: str
    submitted_at: datetime
    late: bool = False  # 补报: made after its month's due day
    funds_arrived: int | None = None  # 资金到位 this year to date (元), where the policy asks it
    extra: dict[str, str | int | float] = {}  # answers to the county's own questions, by key


class WeeklyUpdate(_Model):
    id: int
    project_id: int
    week: str
    reporter_id: int
    done: str
    plan: str
    has_problem: bool
    submitted_at: datetime


class IssueStatus(StrEnum):
    open = "open"
    assigned = "assigned"
    acknowledged = "acknowledged"
    solved = "solved"
    reopened = "reopened"
    closed = "closed"


class Satisfaction(StrEnum):
    """How the raiser judged the solution: by confirming it, or through the centre's 回访."""

    satisfied = "satisfied"
    basic = "basic"
    unsatisfied = "unsatisfied"


WORKED = frozenset({IssueStatus.assigned, IssueStatus.acknowledged, IssueStatus.reopened})
"""Being worked: someone holds the issue and its resolve clock runs."""


class Issue(_Model):
    id: int
    number: str
    project_id: int
    project_code: str
    project_name: str
    raised_by: int
    raiser_name: str
    category: str
    category_item: str | None = None
    description: str
    need: str | None = None
    need_by: date | None = None
    photos: tuple[str, ...] = ()
    level: int
    status: IssueStatus
    major: bool
    unit_id: int | None = None
    unit_name: str | None = None
    leader_id: int | None = None
    leader_name: str | None = None
    assignee_id: int | None = None
    assignee_name: str | None = None
    plan: str | None = None
    ack_due: datetime | None = None
    resolve_due: datetime | None = None
    solution: str | None = None
    flagged: bool
    created_at: datetime
    solved_at: datetime | None = None
    closed_at: datetime | None = None
    plan_due: datetime | None = None
    work_plan: str | None = None  # 办理方案: the assignee's, after signing for it
    planned_at: datetime | None = None
    satisfaction: Satisfaction | None = None
    confirmed_by: str | None = None  # who gave the satisfaction: the raiser, or whom the centre's 回访 reached
    meeting_id: int | None = None  # a 议定事项: the meeting that decided it

    @property
    def category_label(self) -> str:
        return f"{self.category}·{self.category_item}" if self.category_item else self.category

    @property
    def awaits_plan(self) -> bool:
        """Signed for, with the plan clock running and no 办理方案 yet."""
        return self.status is IssueStatus.acknowledged and self.plan_due is not None and self.planned_at is None

    def plan_late_at(self, instant: datetime) -> bool:
        """Waiting for its 办理方案 past the plan deadline."""
        return self.awaits_plan and self.plan_due < instant

    def overdue_at(self, instant: datetime) -> bool:
        """逾期: past its resolve deadline while being worked — the one reading of it everywhere."""
        return self.status in WORKED and self.resolve_due is not None and self.resolve_due < instant

    @property
    def five_fields_complete(self) -> bool:
        return None not in (self.unit_id, self.leader_id, self.assignee_id, self.plan, self.resolve_due)


class IssueEvent(_Model):
    id: int
    issue_id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    from_level: int | None = None
    to_level: int | None = None
    text: str | None = None


class Conversation(_Model):
    person_id: int
    flow: str
    step: str
    nonce: str
    draft: dict
    updated_at: datetime


SUBSCRIPTIONS = ("weekly_digest", "monthly_bulletin", "quarterly_analysis", "overdue_notices")
"""What a bound group may receive."""


class GroupChat(_Model):
    chat_id: int
    title: str
    scope_kind: str
    scope_value: str | None = None
    subscriptions: frozenset[str] = frozenset()
    unreachable: str | None = None
