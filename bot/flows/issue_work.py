"""The flows of working an issue: assign (交办, the five fields), the work plan (办理方案), a progress
note, the solution, the reason for rejecting a solution, the reason for asking the next level
(提请上级协调), and the centre's 回访 (outcome, who confirmed)."""

from __future__ import annotations

from datetime import date

from bot.domain.models import Satisfaction
from bot.flows.common import (
    future_date,
    required_text,
    show_day,
    show_person,
    show_unit,
    show_yes_no,
    unit_choices,
    unit_leaders,
    unit_people,
    yes_no,
)
from bot.flows.session import Session
from bot.flows.steps import Choice, Flow, Shortcut, Step
from bot.services import escalation
from bot.services import issues as service


def _issue_id(s: Session) -> int:
    return int(s.draft["issue"])


async def _acted(s: Session, issue, action: str, text: str | None = None) -> None:
    """Edit the alert the flow was started from, so it shows who did what (and loses its buttons)."""
    origin = s.draft.get("_origin")
    if origin:
        await s.edit(int(origin), s.t("issue.acted", issue=issue, actor=s.person.name, action=action, text=text))


async def _units(s: Session) -> list[Choice]:
    return await unit_choices(s, await service.project_of(s.tx, _issue_id(s)))


async def _lead_leader(s: Session) -> str | None:
    leader = await service.default_leader(s.tx, _issue_id(s), int(s.draft["unit"]))
    return str(leader.id) if leader else None


async def _default_deadline(s: Session) -> Shortcut:
    due = await service.offered_deadline(s.tx, s.policy, _issue_id(s), s.today, s.draft.get("major") == "yes")
    return Shortcut(due.isoformat(), s.t("issue.default_deadline", date=due))


async def _assign(s: Session) -> None:
    issue = await service.assign(s.services, s.person, _issue_id(s), service.Assignment(
        unit_id=int(s.draft["unit"]), assignee_id=int(s.draft["assignee"]), leader_id=int(s.draft["leader"]),
        plan=s.draft["plan"], deadline=date.fromisoformat(s.draft["deadline"]), major=s.draft["major"] == "yes"))
    await s.say("issue.assigned", issue=issue)
    await _acted(s, issue, "assign", issue.assignee_name)


async def _plan(s: Session) -> None:
    issue = await service.submit_plan(s.services, s.person, _issue_id(s), s.draft["plan"])
    await s.say("issue.plan_saved", issue=issue)
    await _acted(s, issue, "plan", s.draft["plan"])


async def _outcomes(s: Session) -> list[Choice]:
    return [Choice(o.value, s.label(f"satisfaction.{o.value}")) for o in Satisfaction]


async def _show_outcome(value: str, s: Session) -> str:
    return s.label(f"satisfaction.{value}")


async def _revisit(s: Session) -> None:
    issue = await service.revisit(s.services, s.person, _issue_id(s), Satisfaction(s.draft["outcome"]),
                                  s.draft["confirmer"], s.draft.get("note"))
    await s.say("issue.revisited", issue=issue)
    await _acted(s, issue, "revisit", issue.confirmed_by)


async def _progress(s: Session) -> None:
    issue = await service.progress(s.tx, s.clock, s.person, _issue_id(s), s.draft["note"])
    await s.say("issue.progress_saved", issue=issue)
    await _acted(s, issue, "progress", s.draft["note"])


async def _solve(s: Session) -> None:
    issue = await service.solve(s.tx, s.clock, s.person, _issue_id(s), s.draft["solution"])
    await s.say("issue.solved", issue=issue)
    await _acted(s, issue, "solve", s.draft["solution"])


async def _reject(s: Session) -> None:
    issue = await service.reject(s.tx, s.clock, s.person, _issue_id(s), s.draft["reason"])
    await s.say("issue.rejected", issue=issue)
    await _acted(s, issue, "reject", s.draft["reason"])


async def _instruct(s: Session) -> None:
    issue = await service.instruct(s.tx, s.clock, s.person, _issue_id(s), s.draft["text"])
    await s.say("issue.instructed", issue=issue)
    await _acted(s, issue, "instruct", s.draft["text"])


async def _extend(s: Session) -> None:
    until = date.fromisoformat(s.draft["until"])
    issue = await service.extend(s.tx, s.clock, s.tz, s.person, _issue_id(s), until, s.draft["reason"])
    await s.say("issue.extended", issue=issue)
    await _acted(s, issue, "extend", f"{until.isoformat()} {s.draft['reason']}")


async def _request(s: Session) -> None:
    issue = await escalation.request_next(s.services, s.person, _issue_id(s), s.draft["reason"])
    await s.say("issue.requested", issue=issue)
    await _acted(s, issue, "request", s.draft["reason"])


ASSIGN = Flow(
    name="assign_issue",
    commit=_assign,
    steps=[
        Step("unit", "choice", "issue.ask_unit", choices=_units, show=show_unit, resets=("assignee",)),
        Step("assignee", "choice", "issue.ask_assignee", choices=unit_people, show=show_person),
        Step("leader", "choice", "issue.ask_leader", choices=unit_leaders, preselected=_lead_leader,
             show=show_person),
        Step("plan", "text", "issue.ask_plan", parse=required_text),
        Step("major", "choice", "issue.ask_major", choices=yes_no, show=show_yes_no),
        Step("deadline", "text", "issue.ask_deadline", parse=future_date, shortcut=_default_deadline, show=show_day),
    ],
)
PLAN = Flow(name="issue_plan", commit=_plan, summary=False,
            steps=[Step("plan", "text", "issue.ask_work_plan", parse=required_text)])
REVISIT = Flow(name="issue_revisit", commit=_revisit, steps=[
    Step("outcome", "choice", "issue.ask_revisit_outcome", choices=_outcomes, show=_show_outcome),
    Step("confirmer", "text", "issue.ask_revisit_confirmer", parse=required_text),
    Step("note", "text", "issue.ask_revisit_note", parse=required_text, optional=True),
])
PROGRESS = Flow(name="issue_progress", commit=_progress, summary=False,
                         steps=[Step("note", "text", "issue.ask_note", parse=required_text)])
SOLVE = Flow(name="issue_solve", commit=_solve, summary=False,
                      steps=[Step("solution", "text", "issue.ask_solution", parse=required_text)])
REJECT = Flow(name="issue_reject", commit=_reject, summary=False,
                       steps=[Step("reason", "text", "issue.ask_reason", parse=required_text)])
INSTRUCT = Flow(name="issue_instruct", commit=_instruct, summary=False,
                         steps=[Step("text", "text", "issue.ask_instruction", parse=required_text)])
EXTEND = Flow(name="issue_extend", commit=_extend, summary=False, steps=[
    Step("until", "text", "issue.ask_extend_until", parse=future_date, show=show_day),
    Step("reason", "text", "issue.ask_extend_reason", parse=required_text),
])
REQUEST = Flow(name="issue_request", commit=_request, summary=False,
               steps=[Step("reason", "text", "issue.ask_request_reason", parse=required_text)])
