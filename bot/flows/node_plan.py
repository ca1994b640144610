"""/node: add a 倒计时 node to a project one reports on (with who answers for it), or re-plan an open one
with a new date and the reason (004 "倒排工期", "全年倒计时工作台账")."""

from __future__ import annotations

from bot.domain.models import Project
from bot.flows.common import as_date, future_date, project_step, required_text, show_day, single_project
from bot.flows.session import Session
from bot.flows.steps import Choice, Flow, Step
from bot.services import milestones as service
from bot.services import reports


async def _mine(s: Session) -> list[Project]:
    return await reports.reportable_projects(s.tx, s.person)


async def _open(s: Session) -> list[Choice]:
    return [Choice(str(m.id), s.t("flow.dated", name=m.name, due=m.due_date))
            for m in await service.open_nodes(s.tx, int(s.draft["project"]))][:24]


async def _actions(s: Session) -> list[Choice]:
    offered = ["add", "replan"] if await _open(s) else ["add"]
    return [Choice(action, s.label(f"node.{action}")) for action in offered]


async def _show_action(value: str, s: Session) -> str:
    return s.label(f"node.{value}")


async def _show_node(value: str, s: Session) -> str:
    return next((c.label for c in await _open(s) if c.value == value), value)


async def _not_adding(s: Session) -> bool:
    return s.draft.get("action") != "add"


async def _not_replanning(s: Session) -> bool:
    return s.draft.get("action") != "replan"


async def _show_text(value: str | None, s: Session) -> str:
    return value or s.label("flow.none")


async def _commit(s: Session) -> None:
    due = as_date(s.draft["due"])
    if s.draft["action"] == "add":
        node = await service.add(s.services, s.person, int(s.draft["project"]), s.draft["name"], due,
                                 s.draft.get("owner"))
        await s.say("node.added", node=node)
    else:
        node = await service.replan(s.services, s.person, int(s.draft["node"]), due, s.draft["reason"])
        await s.say("node.replanned", node=node, reason=s.draft["reason"])


FLOW = Flow(
    name="node_plan",
    prefill=single_project(_mine),
    commit=_commit,
    steps=[
        project_step("node.ask_project", _mine, resets=("node",)),
        Step("action", "choice", "node.ask_action", choices=_actions, show=_show_action,
             resets=("name", "node", "owner", "reason")),
        Step("name", "text", "node.ask_name", parse=required_text, skip=_not_adding),
        Step("node", "choice", "node.ask_node", choices=_open, skip=_not_replanning, show=_show_node),
        Step("due", "text", "node.ask_due", parse=future_date, show=show_day),
        Step("owner", "text", "node.ask_owner", parse=required_text, optional=True, skip=_not_adding,
             show=_show_text),
        Step("reason", "text", "node.ask_reason", parse=required_text, skip=_not_replanning),
    ],
)
