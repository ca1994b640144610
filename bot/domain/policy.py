"""The county's rulebook in numbers (DESIGN.md §3): one TOML file, validated at start-up."""

from __future__ import annotations

import tomllib
from datetime import time, timedelta
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.errors import ConfigError
from bot.domain.models import Level, Role, Tier

DEFAULT_CATEGORIES = ["用地", "规划", "环评能评", "审批手续", "资金", "征地拆迁", "水电气讯配套", "施工环境", "其他"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IssueCategory(_Section):
    """A kind of problem; with items, the raiser also picks one (003: 8 大类、45 小项)."""

    name: str = Field(min_length=1, max_length=20)
    items: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: object) -> object:
        return {"name": value} if isinstance(value, str) else value


class ReportField(_Section):
    """A question the county adds to the monthly report (开工 date, 入库, a count …)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")
    """its name in storage and exports' data, e.g. started_on"""
    name: str = Field(min_length=1, max_length=20)
    """what people read, e.g. 实际开工日期"""
    kind: Literal["number", "money", "date", "text", "choice"] = "text"
    choices: list[str] = []
    """the answers a choice offers"""
    required: bool = False
    """False: the liaison may skip it"""

    @model_validator(mode="after")
    def _choices(self) -> ReportField:
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"report field {self.key}: choices are given for a choice, and only for one")
        return self


class MonthlyReportPolicy(_Section):
    due_day: int | Literal["last"] = "last"
    """Calendar day of the month the report is due, or the month's last day."""
    due_next_month: bool = False
    """True: due_day is a day of the following month (次月5日前报上月)."""
    late_months: int = Field(default=3, ge=0, le=12)
    """How many months before the one being reported stay open for 补报 while unreported."""
    corrections_until: Literal["bulletin", "year"] = "bulletin"
    """A reported month may be revised until its bulletin is out, or for the rest of the year."""
    reminder_days_before: list[int] = Field(default=[3, 1, 0])
    remind_time: time = time(9, 0)
    late_to_centre_after_working_days: int = Field(default=3, ge=0)
    ask_funds: bool = False
    """ask 资金到位 (this year to date, 万元) in the monthly report; with the import's 资金计划 columns it
    gives 资金到位率 on the card, in the ledger and in the 快讯 (002 "紧盯资金到位率")"""
    fields: list[ReportField] = []
    """the county's own questions, asked after the next month's plan, stored with the report, shown in its
    history and exported in the progress ledger"""

    @model_validator(mode="after")
    def _check(self) -> MonthlyReportPolicy:
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError("monthly_report.fields names a key twice")
        if isinstance(self.due_day, int) and not 1 <= self.due_day <= 28:
            raise ValueError("due_day must be 1..28 or \"last\"")
        if self.due_next_month and not isinstance(self.due_day, int):
            raise ValueError("due_next_month needs a due_day of 1..28")
        if any(d < 0 for d in self.reminder_days_before):
            raise ValueError("reminder_days_before must not be negative")
        return self


class WeeklyUpdatePolicy(_Section):
    projects: Literal["all", "none"] | list[Tier | Level] = "all"
    """which projects give a weekly update: all, none (001 and 004 ask for none), or those of the tiers
    and levels listed (001 "差异化调度": e.g. ["key"]); a project is asked when its tier or its level is listed"""
    ask_weekday: int = Field(default=5, ge=1, le=7)
    ask_time: time = time(9, 0)
    nudge_weekday: int = Field(default=1, ge=1, le=7)
    nudge_time: time = time(9, 0)

    @property
    def asked(self) -> bool:
        """Whether any project gives a weekly update (the menu's 周报 button, the greeting)."""
        return self.projects != "none"

    def asks(self, tier: str, level: str) -> bool:
        """Whether a project of this tier and level gives a weekly update."""
        if isinstance(self.projects, list):
            return tier in self.projects or level in self.projects
        return self.projects == "all"


class IssueClockPolicy(_Section):
    """The problem clocks (the 13710 reading: sign for it in 1 working day, a plan in 3, solved in 7,
    a major one in a month); a level of the ladder may set its own (IssueLevel)."""

    assign_working_days: int = Field(default=1, ge=1)
    """分拣: a problem not assigned within this reminds the centre and the lead unit's heads"""
    sort_escalate_working_days: int | None = Field(default=2, ge=1)
    """…and still unassigned this many working days later, it goes one level up (none: it stays)"""
    acknowledge_working_days: int = Field(default=1, ge=1)
    plan_working_days: int | None = Field(default=3, ge=1)
    """办理方案: after signing for a problem its assignee gives the plan within this (none: no plan step)"""
    resolve_working_days: int = Field(default=7, ge=1)
    major_resolve_months: int = Field(default=1, ge=1)
    warn_working_days_before: int = Field(default=1, ge=0)
    auto_close: bool = False
    """True: a solved problem its raiser leaves unanswered closes by itself (默认满意); false: the raiser
    is reminded, then the centre is asked to 回访 and record who confirmed (001 "企业满意方可清零销号")"""
    auto_close_working_days: int = Field(default=3, ge=1)
    """how long a solved problem waits for its raiser: then it closes (auto_close) or they are reminded"""
    revisit_working_days: int = Field(default=2, ge=1)
    """without auto_close: still unanswered this many working days after the reminder, the centre 回访s"""


class LevelClocks(_Section):
    """A level's own pace; what it leaves out is the policy's issue_clocks."""

    acknowledge_working_days: int | None = Field(default=None, ge=1)
    plan_working_days: int | None = Field(default=None, ge=1)
    resolve_working_days: int | None = Field(default=None, ge=1)
    major_resolve_months: int | None = Field(default=None, ge=1)


class IssueLevel(_Section):
    """One level of the problem ladder: the name people read, and who answers at it."""

    name: str = Field(min_length=1, max_length=20)
    holders: Literal["unit", "centre", "project_leaders", "leaders"] | list[str]
    """the responsible unit's heads, the project centre's administrators, the project's lead leaders
    (and the problem's leader), every leader, or the people named"""
    by_category: dict[str, list[str]] = {}
    """a problem of one of these categories is held at this level by the people named instead
    (004: the 分管 leaders for funds, land, 施工环境)"""
    clocks: LevelClocks = LevelClocks()


DEFAULT_LEVELS = [IssueLevel(name="责任单位办理", holders="unit"), IssueLevel(name="项目中心协调", holders="centre"),
                  IssueLevel(name="县领导协调", holders="project_leaders")]


CARD_NAMES = {"green": "绿牌", "blue": "蓝牌", "yellow": "黄牌", "red": "红牌"}


class FlagPolicy(_Section):
    yellow_behind_points: float = Field(default=10, gt=0, le=100)
    red_behind_points: float = Field(default=30, gt=0, le=100)
    plan_curve: list[float] | None = None
    """序时进度: the cumulative % of the annual plan due by the end of each month, January to December
    (12 numbers, not decreasing, ending at 100); none: a straight line, month/12."""
    milestone_late_days: int = Field(default=15, ge=0)
    supervise_after_red_months: int | None = Field(default=None, ge=1, le=12)
    """挂牌督办 by itself: a project red this many months in a row is put under supervision by the flag
    watch (none: only a leader or the centre does it)"""
    scheme: Literal["traffic", "warning"] = "traffic"
    """traffic: 红黄绿 — green on track, yellow and red by the reasons. warning (000 "红黄蓝牌预警"): no card
    on track; a project with a reason gets 蓝 its first month, 黄 the second in a row, 红 from the third;
    a red reason gives at least 黄 at once"""
    names: dict[Literal["green", "blue", "yellow", "red"], str] = Field(default=CARD_NAMES)
    """what each card is called; those not given keep their built-in names"""

    @field_validator("names", mode="before")
    @classmethod
    def _all_names(cls, given: object) -> object:
        return {**CARD_NAMES, **given} if isinstance(given, dict) else given

    @model_validator(mode="after")
    def _ordered(self) -> FlagPolicy:
        if self.red_behind_points <= self.yellow_behind_points:
            raise ValueError("red_behind_points must be greater than yellow_behind_points")
        curve = self.plan_curve
        if curve is not None and (len(curve) != 12 or curve[-1] != 100 or any(a > b for a, b in pairwise(curve))
                                  or curve[0] < 0):
            raise ValueError("plan_curve must be 12 cumulative percentages, not decreasing, ending at 100")
        return self


class Focus(StrEnum):
    """What a quarter's dispatch is about."""

    preparation = "preparation"  # 前期手续
    starts = "starts"            # 开复工
    investment = "investment"    # 投资进度
    year_end = "year_end"        # 全年完成, next year's reserve


class BulletinPolicy(_Section):
    issuer: str = Field(default="", max_length=40)
    """the office the 快讯 is issued by, printed under its title with the day it goes out (e.g. 青山县发展和
    改革局); empty: not printed"""
    weekly_digest_weekday: int = Field(default=1, ge=1, le=7)
    weekly_digest_time: time = time(9, 0)
    monthly_day: int = Field(default=5, ge=1, le=28)
    monthly_time: time = time(9, 0)
    quarterly_day: int = Field(default=10, ge=1, le=28)  # of the month after the quarter
    quarterly_time: time = time(9, 0)
    leader_digest_time: time = time(8, 30)
    rank_by: list[Literal["lead_unit", "location"]] = Field(default=["lead_unit"], min_length=1)
    """the 快讯's rankings by 年度投资完成率, in order: by lead unit, by place (the project's 建设地点 —
    003 ranks 区县、乡镇 in public)"""
    rank_indicators: list[Literal["completion", "starts", "funds"]] = Field(default=["completion"], min_length=1)
    """what each of those rankings is by: 年度投资完成率, 开工率, 资金到位率 (002's KPIs)"""
    praise: int = Field(default=0, ge=0, le=20)
    """表扬: this many lead units from the top of the ranking, at or ahead of 序时进度 (0: no such section)"""
    criticise: int = Field(default=0, ge=0, le=20)
    """通报批评: this many lead units from the bottom, behind 序时进度 by the yellow points or more (0: none)"""
    scorecard: bool = True
    """the units' work figures in the 快讯: 报送及时率, 问题按期办结率, 超期问题数, 倒计时节点完成率"""
    summaries: list[Literal["half", "year"]] = []
    """年中看进度、年底亮结果 (000): the 快讯's figures with the scorecard over the first half (posted in July)
    and over the year (in January), to the groups that take the 快讯"""
    summary_day: int = Field(default=15, ge=1, le=28)
    """the day of July and January the summaries go out"""
    quarterly_focus: list[Focus] = Field(default=list(Focus), min_length=4, max_length=4)
    """what each quarter's dispatch is about, Q1 to Q4 (003's rule by default: 前期手续, 开复工, 投资进度,
    全年完成 and next year's reserve): the quarterly analysis's second part, and named in the weekly digest
    and the 快讯 during the quarter"""


class DeliveryPolicy(_Section):
    max_attempts: int = Field(default=8, ge=1, le=100)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    missed_run_grace_hours: int = Field(default=24, ge=0)


class ProjectsPolicy(_Section):
    min_total_investment: dict[Level, float] = {}
    """入库标准: the least total investment (万元) of a project of each level; a smaller one is refused at
    import with its row (003: 区县 ≥3000万, 市 ≥1亿; 004: ≥400万)"""
    level_names: dict[Level, str] = {}
    """what the county calls each level (开州: 区级 for county); the built-in names otherwise"""
    programmes: list[str] = []
    """the programme lists a project may be on (所属清单: 002's 中央预算内投资、专项债券; 004's 三年滚动); each
    may be a group's or a bulletin's scope. Empty: any name the sheet gives"""


class RecurringMeeting(_Section):
    """A meeting the bot puts in the calendar by itself."""

    kind: Literal["dispatch", "special", "joint"] = "dispatch"
    per: Literal["lead_leader", "centre"] = "lead_leader"
    """one for each leader who leads a project (004 "牵头区领导…每月专题调度1次"), or one the centre holds (专班)"""
    every: Literal["week", "month"] = "month"
    day: int = Field(default=20, ge=1, le=28)
    """the day of the month, or of the week (1 Monday … 7 Sunday); moved to the next working day if it is not one"""

    @model_validator(mode="after")
    def _day(self) -> RecurringMeeting:
        if self.every == "week" and self.day > 7:
            raise ValueError("a weekly meeting's day is a weekday, 1 (Monday) to 7")
        return self


class MeetingPolicy(_Section):
    pack_time: time = time(16, 0)
    """when the agenda pack goes out, the working day before the meeting"""
    recurring: list[RecurringMeeting] = []
    """meetings put in the calendar by themselves (none: only those the centre or a leader schedules)"""


class DashboardPolicy(_Section):
    sign_in_hours: int = Field(default=24, ge=1, le=24 * 30)
    """how long a Mini App's signed sign-in (its initData) is accepted"""

    @property
    def max_age(self) -> timedelta:
        return timedelta(hours=self.sign_in_hours)


class Policy(_Section):
    issue_categories: list[IssueCategory] = Field(
        default=[IssueCategory(name=name) for name in DEFAULT_CATEGORIES], min_length=1)
    """a name, or a table {name, items} for a category in two levels"""
    monthly_report: MonthlyReportPolicy = MonthlyReportPolicy()
    weekly_update: WeeklyUpdatePolicy = WeeklyUpdatePolicy()
    issue_clocks: IssueClockPolicy = IssueClockPolicy()
    issue_levels: list[IssueLevel] = Field(default=DEFAULT_LEVELS, min_length=2, max_length=6)
    """The problem ladder, lowest first: a problem goes up one level at a time, never skipping."""
    major_alert_level: int | None = Field(default=None, ge=1)
    """特事特办: a major problem is shown at once, with their buttons, to this level's holders as well as
    to the project's lead leaders (none: the lead leaders only)"""
    flags: FlagPolicy = FlagPolicy()
    projects: ProjectsPolicy = ProjectsPolicy()
    role_names: dict[Role, str] = {}
    """what the county calls each role, in every message (003: 包保领导 for leader; 004: 牵头区领导); the
    built-in names otherwise"""
    bulletins: BulletinPolicy = BulletinPolicy()
    meetings: MeetingPolicy = MeetingPolicy()
    dashboard: DashboardPolicy = DashboardPolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()
    invite_valid_days: int = Field(default=7, ge=1, le=90)
    invite_wrong_codes_per_hour: int = Field(default=5, ge=1, le=1000)

    @model_validator(mode="after")
    def _names_unique(self) -> Policy:
        names = [c.name for c in self.issue_categories]
        if len(set(names)) != len(names):
            raise ValueError("issue_categories names a category twice")
        for level in self.issue_levels:
            unknown = set(level.by_category) - set(names)
            if unknown:
                raise ValueError(f"issue_levels {level.name}: by_category names no category: {sorted(unknown)}")
        if self.major_alert_level is not None and self.major_alert_level > self.top_level:
            raise ValueError(f"major_alert_level is above the top of the ladder ({self.top_level} levels)")
        return self

    @property
    def top_level(self) -> int:
        return len(self.issue_levels)

    def clocks_at(self, level: int) -> IssueClockPolicy:
        """The clocks a problem runs on at `level` (1 is the lowest): the level's own, else the policy's."""
        own = self.issue_levels[min(level, self.top_level) - 1].clocks.model_dump(exclude_none=True)
        return self.issue_clocks.model_copy(update=own)


def load_policy(path: Path | None) -> Policy:
    """Built-in defaults when `path` is None; otherwise the file, validated."""
    if path is None:
        return Policy()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("LIAISONBOT_POLICY", f"file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("LIAISONBOT_POLICY", f"{path} is not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "policy"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"LIAISONBOT_POLICY {where}", message) from None
