"""周报: three short answers; a "yes" to problems goes straight on to raising one."""

from __future__ import annotations

from bot.flows.common import project_choices, required_text, show_project, typed_project, yes_no
from bot.flows.engine import Choice, Engine, Flow, Step, register
from bot.flows.session import Session
from bot.services import reports as service


async def _mine(s: Session):
    return await service.reportable_projects(s.tx, s.person)


async def _prefill(s: Session) -> None:
    mine = await _mine(s)
    if len(mine) == 1:
        s.draft.update(project=str(mine[0].id), _single=True)


async def _projects(s: Session) -> list[Choice]:
    return project_choices(await _mine(s))


async def _typed(text: str, s: Session) -> str:
    return await typed_project(text, await _mine(s))


async def _single(s: Session) -> bool:
    return bool(s.draft.get("_single"))


async def _commit(s: Session) -> None:
    problem = s.draft["problem"] == "yes"
    week, replaced = await service.save_weekly(
        s.tx, s.clock, s.tz, s.person, project_id=int(s.draft["project"]), done=s.draft["done"],
        plan=s.draft["plan"], has_problem=problem)
    await s.say("weekly.saved", week=week, replaced=replaced, problem=problem)
    if problem:
        await Engine(s).start("raise_issue", {"project": s.draft["project"], "_single": True})


FLOW = register(Flow(
    name="weekly_update",
    prefill=_prefill,
    commit=_commit,
    summary=False,
    steps=[
        Step("project", "choice", "weekly.ask_project", choices=_projects, parse=_typed, skip=_single,
             show=show_project),
        Step("done", "text", "weekly.ask_done", parse=required_text),
        Step("plan", "text", "weekly.ask_plan", parse=required_text),
        Step("problem", "choice", "weekly.ask_problem", choices=yes_no),
    ],
))
