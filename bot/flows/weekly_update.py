"""周报: three short answers; a "yes" to problems goes straight on to raising one."""

from __future__ import annotations

from bot.domain.models import Project
from bot.flows.common import project_step, required_text, single_project, yes_no
from bot.flows.session import Session
from bot.flows.steps import Flow, Step, Then
from bot.services import reports as service


async def _mine(s: Session) -> list[Project]:
    return await service.weekly_projects(s.tx, s.person, s.policy)


async def _commit(s: Session) -> Then | None:
    problem = s.draft["problem"] == "yes"
    week, replaced = await service.save_weekly(
        s.tx, s.clock, s.tz, s.person, project_id=int(s.draft["project"]), done=s.draft["done"],
        plan=s.draft["plan"], has_problem=problem, policy=s.policy)
    await s.say("weekly.saved", week=week, replaced=replaced, problem=problem)
    return Then("raise_issue", {"project": s.draft["project"], "_single": True}) if problem else None


FLOW = Flow(
    name="weekly_update",
    prefill=single_project(_mine),
    commit=_commit,
    summary=False,
    steps=[
        project_step("weekly.ask_project", _mine),
        Step("done", "text", "weekly.ask_done", parse=required_text),
        Step("plan", "text", "weekly.ask_plan", parse=required_text),
        Step("problem", "choice", "weekly.ask_problem", choices=yes_no),
    ],
)
