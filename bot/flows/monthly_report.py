"""月报: the monthly progress report, step by step."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain import inputs
from bot.domain.errors import Refused
from bot.domain.models import Project, Stage
from bot.domain.money import MoneyError, parse_wan
from bot.domain.policy import ReportField
from bot.flows.common import project_step, required_text, show_photos, single_project
from bot.flows.session import Session
from bot.flows.steps import Choice, Flow, InputError, NeedsConfirmation, Shortcut, Step
from bot.services import registry
from bot.services import reports as service


def _project_id(s: Session) -> int:
    return int(s.draft["project"])


def _period(s: Session) -> str:
    return s.draft["period"]


async def _mine(s: Session) -> list[Project]:
    return await service.reportable_projects(s.tx, s.person)


async def _months(s: Session) -> list[Choice]:
    """The months open for this project, the one meant first (a late notice's month, if it named one).
    Chosen once, when the report is started: a report begun on the 30th and sent on the 1st is
    compared with, and stored under, the month it was begun for."""
    found = await service.months(s.services, _project_id(s))
    wanted = s.draft.get("wanted")
    found.sort(key=lambda m: m.period != wanted)  # stable: otherwise the service's order
    return [Choice(m.period, s.t("report.month_choice", period=m.period, kind=m.kind)) for m in found]


async def _one_month(s: Session) -> bool:
    return len(await _months(s)) == 1


async def _first_month(s: Session) -> str:
    return (await _months(s))[0].value


async def _show_month(value: str, s: Session) -> str:
    return s.t("flow.month", value=value)


async def _parse_ytd(text: str, s: Session) -> int:
    try:
        value = parse_wan(text)
    except MoneyError as exc:
        raise InputError(f"report.ytd_{exc.kind}", value=text.strip()[:30]) from None
    try:
        last = await service.check_ytd(s.tx, _project_id(s), _period(s), value)
    except Refused as refused:
        raise InputError(refused.key, **refused.values) from None
    if last is not None and value < last:
        raise NeedsConfirmation("report.ytd_below_last", value, value=value, last=last)
    return value


async def _same_ytd(s: Session) -> Shortcut | None:
    last = await service.last_ytd(s.tx, _project_id(s), _period(s))
    return None if last is None else Shortcut(last, s.t("report.same_ytd", value=last))


async def _show_money(value: int, s: Session) -> str:
    return s.t("report.money", value=value)


async def _no_funds(s: Session) -> bool:
    return not s.policy.monthly_report.ask_funds


async def _parse_funds(text: str, s: Session) -> int:
    try:
        value = parse_wan(text)
    except MoneyError as exc:
        raise InputError(f"report.ytd_{exc.kind}", value=text.strip()[:30]) from None
    planned = (await registry.project(s.tx, _project_id(s))).planned_funds(int(_period(s)[:4]))
    if planned and value > planned:
        raise NeedsConfirmation("report.funds_over_plan", value, value=value, planned=planned)
    return value


async def _same_funds(s: Session) -> Shortcut | None:
    last = await service.last_report(s.tx, _project_id(s), _period(s))
    if last is None or last.funds_arrived is None:
        return None
    return Shortcut(last.funds_arrived, s.t("report.same_ytd", value=last.funds_arrived))


async def _stages(s: Session) -> list[Choice]:
    return [Choice(stage.value, s.label(f"stage.{stage.value}")) for stage in Stage]


async def _current_stage(s: Session) -> str:
    return (await registry.project(s.tx, _project_id(s))).stage.value


async def _show_stage(value: str, s: Session) -> str:
    return s.label(f"stage.{value}")


async def _same_progress(s: Session) -> Shortcut | None:
    last = await service.last_report(s.tx, _project_id(s), _period(s))
    return None if last is None else Shortcut(last.progress, s.label("button.same_as_last"))


async def _open_milestones(s: Session) -> list[Choice]:
    return [Choice(str(m.id), s.t("flow.dated", name=m.name, due=m.due_date))
            for m in await service.milestones(s.tx, _project_id(s)) if m.reached_on is None]


async def _no_open_milestones(s: Session) -> bool:
    return not await _open_milestones(s)


async def _show_milestones(value: list, s: Session) -> str:
    names = {c.value: c.label for c in await _open_milestones(s)}
    for m in await service.milestones(s.tx, _project_id(s)):
        names.setdefault(str(m.id), m.name)
    return "、".join(names.get(v, v) for v in value) if value else s.label("flow.none")


async def _commit(s: Session) -> None:
    extra = {f.key: f.choices[int(s.draft[EXTRA + f.key])] if f.kind == "choice" else s.draft[EXTRA + f.key]
             for f in s.policy.monthly_report.fields if s.draft.get(EXTRA + f.key) is not None}
    report, project, figures = await service.submit_monthly(
        s.tx, s.clock, s.policy, s.tz, s.person, period=_period(s), project_id=_project_id(s), ytd=s.draft["ytd"],
        stage=s.draft["stage"], progress=s.draft["progress"], photos=s.draft.get("photos") or [],
        milestone_ids=[int(m) for m in s.draft.get("milestones") or []], next_plan=s.draft["next_plan"],
        funds=s.draft.get("funds"), extra=extra)
    await s.say("report.submitted", report=report, project=project, **figures)


# -- the county's own questions (policy monthly_report.fields) -------------------------------------
EXTRA = "x_"  # a policy field's step is named x_<key>


def _field_step(field: ReportField) -> Step:
    async def parse(text: str, s: Session) -> Any:
        cleaned = text.strip()
        if field.kind == "money":
            try:
                return parse_wan(cleaned)
            except MoneyError as exc:
                raise InputError(f"report.ytd_{exc.kind}", value=cleaned[:30]) from None
        if field.kind == "number":
            try:
                number = Decimal(unicodedata.normalize("NFKC", cleaned).replace(",", ""))
            except InvalidOperation:
                raise InputError("report.field_not_number", value=cleaned[:30]) from None
            if not number.is_finite() or abs(number) >= 10**12:
                raise InputError("report.field_not_number", value=cleaned[:30])
            return int(number) if number == number.to_integral_value() else float(number)
        if field.kind == "date":
            try:
                return inputs.chat_date(cleaned, s.today).isoformat()
            except ValueError:
                raise InputError("flow.bad_date", value=cleaned[:30]) from None
        return await required_text(text, s)

    async def choices(s: Session) -> list[Choice]:
        return [Choice(str(i), name) for i, name in enumerate(field.choices)]

    async def show(value: Any, s: Session) -> str:
        if value is None:
            return s.label("flow.none")
        if field.kind == "money":
            return s.t("report.money", value=value)
        if field.kind == "date":
            return s.t("flow.day", value=value)
        if field.kind == "choice" and str(value).isdigit() and int(value) < len(field.choices):
            return field.choices[int(value)]
        return str(value)

    kind = "choice" if field.kind == "choice" else "text"
    return Step(EXTRA + field.key, kind, "report.ask_field", parse=None if kind == "choice" else parse,
                choices=choices if kind == "choice" else None, optional=not field.required, show=show,
                title=field.name, values={"kind": field.kind, "required": field.required})


def with_fields(fields: list[ReportField]) -> Flow:
    """The monthly report with the county's questions after the next month's plan."""
    return Flow(name=FLOW.name, prefill=FLOW.prefill, commit=FLOW.commit, summary=FLOW.summary,
                steps=[*FLOW.steps, *(_field_step(f) for f in fields)])


FLOW = Flow(
    name="monthly_report",
    prefill=single_project(_mine),
    commit=_commit,
    steps=[
        project_step("report.ask_project", _mine, resets=("period",)),
        Step("period", "choice", "report.ask_period", choices=_months, skip=_one_month, default=_first_month,
             preselected=_first_month, show=_show_month, resets=("ytd",)),
        Step("ytd", "text", "report.ask_ytd", parse=_parse_ytd, shortcut=_same_ytd, show=_show_money),
        Step("funds", "text", "report.ask_funds", parse=_parse_funds, skip=_no_funds, shortcut=_same_funds,
             show=_show_money),
        Step("stage", "choice", "report.ask_stage", choices=_stages, preselected=_current_stage,
             show=_show_stage),
        Step("progress", "text", "report.ask_progress", parse=required_text, shortcut=_same_progress),
        Step("photos", "photos", "report.ask_photos", optional=True, show=show_photos),
        Step("milestones", "multi", "report.ask_milestones", choices=_open_milestones, optional=True,
             skip=_no_open_milestones, show=_show_milestones),
        Step("next_plan", "text", "report.ask_next_plan", parse=required_text),
    ],
)
