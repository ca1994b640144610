"""调度会 by buttons: /meeting schedules one (the centre for any leader or its own 专班; a leader their own),
/decide records a 议定事项 of a meeting with its five fields."""

from __future__ import annotations

from datetime import date

from bot.domain.models import MeetingKind
from bot.flows.common import (
    future_date,
    required_text,
    show_day,
    show_person,
    show_unit,
    unit_choices,
    unit_leaders,
    unit_people,
)
from bot.flows.session import Session
from bot.flows.steps import Choice, Flow, Step
from bot.services import issues as issue_service
from bot.services import meetings as service

CENTRE = "0"  # the leader step's answer for the centre's own meeting


async def _kinds(s: Session) -> list[Choice]:
    return [Choice(kind.value, s.label(f"meeting_kind.{kind.value}")) for kind in MeetingKind]


async def _show_kind(value: str, s: Session) -> str:
    return s.label(f"meeting_kind.{value}")


async def _leaders(s: Session) -> list[Choice]:
    return [Choice(CENTRE, s.label("meeting.centre")),
            *(Choice(str(p.id), p.name) for p in await service.leaders(s.tx))][:24]


async def _self_only(s: Session) -> bool:
    """A leader schedules their own meeting: no question."""
    return not service.schedules_for_others(s.person)


async def _self(s: Session) -> str:
    return str(s.person.id)


async def _show_leader(value: str, s: Session) -> str:
    return s.label("meeting.centre") if value == CENTRE else await show_person(value, s)


async def _schedule(s: Session) -> None:
    leader = None if s.draft["leader"] == CENTRE else int(s.draft["leader"])
    meeting = await service.schedule(s.services, s.person, MeetingKind(s.draft["kind"]), leader,
                                     date.fromisoformat(s.draft["held_on"]))
    await s.say("meeting.scheduled_ok", meeting=meeting)


SCHEDULE = Flow(
    name="schedule_meeting",
    commit=_schedule,
    steps=[
        Step("kind", "choice", "meeting.ask_kind", choices=_kinds, show=_show_kind),
        Step("leader", "choice", "meeting.ask_leader", choices=_leaders, skip=_self_only, default=_self,
             show=_show_leader),
        Step("held_on", "text", "meeting.ask_day", parse=future_date, show=show_day),
    ],
)


async def _meetings(s: Session) -> list[Choice]:
    return [Choice(str(m.id), s.t("meeting.choice", meeting=m))
            for m in await service.decidable(s.tx, s.person, s.today)][:24]


async def _show_meeting(value: str, s: Session) -> str:
    return next((c.label for c in await _meetings(s) if c.value == value), value)


async def _projects(s: Session) -> list[Choice]:
    meeting = await service.get(s.tx, int(s.draft["meeting"]))
    return [Choice(str(p.id), f"{p.code} {p.name}") for p in await service.scope(s.tx, meeting)][:24]


async def _show_project(value: str, s: Session) -> str:
    return next((c.label for c in await _projects(s) if c.value == value), value)


async def _units(s: Session) -> list[Choice]:
    return await unit_choices(s, int(s.draft["project"]))




async def _decide(s: Session) -> None:
    issue = await service.decide(s.services, s.person, int(s.draft["meeting"]), service.Decision(
        project_id=int(s.draft["project"]), text=s.draft["text"], assignment=issue_service.Assignment(
            unit_id=int(s.draft["unit"]), assignee_id=int(s.draft["assignee"]), leader_id=int(s.draft["leader"]),
            plan=s.draft["text"], deadline=date.fromisoformat(s.draft["deadline"]), major=False)))
    await s.say("meeting.decision_recorded", issue=issue)


DECIDE = Flow(
    name="record_decision",
    commit=_decide,
    steps=[
        Step("meeting", "choice", "meeting.ask_meeting", choices=_meetings, show=_show_meeting,
             resets=("project",)),
        Step("project", "choice", "meeting.ask_project", choices=_projects, show=_show_project),
        Step("text", "text", "meeting.ask_text", parse=required_text),
        Step("unit", "choice", "issue.ask_unit", choices=_units, show=show_unit, resets=("assignee", "leader")),
        Step("assignee", "choice", "issue.ask_assignee", choices=unit_people, show=show_person),
        Step("leader", "choice", "issue.ask_leader", choices=unit_leaders, show=show_person),
        Step("deadline", "text", "issue.ask_deadline", parse=future_date, show=show_day),
    ],
)
