"""Every permission decision, in one table: action → the (role, relation) pairs that allow it.

A relation says how the person stands to the project or issue: `any` (no relation needed),
`liaison` (reports on the project: its liaison or a co-reporter), `lead_leader`, `lead_unit` /
`project_unit` (their unit leads or works on the project), `raiser`, `assignee`, `issue_leader`
(the issue's responsible leader),
`issue_unit` (their unit is the issue's responsible unit), `level_holder` (the county's ladder puts
the issue in their hands at its level above the first), `current_level` (they answer for the level the
issue is at: at the first, its assignee or a head of its unit or lead unit; above, its holders),
`meeting_leader` (they lead the meeting in question).
`*` as the role means any role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import Issue, Meeting, Person, Project, Role
from storage import issues as issue_store
from storage import projects as project_store
from storage.db import Conn


class Action(StrEnum):
    report = "report"
    weekly = "weekly"
    raise_issue = "raise"
    assign = "assign"
    acknowledge = "acknowledge"
    progress = "progress"
    solve = "solve"
    confirm = "confirm"
    instruct = "instruct"
    extend = "extend"
    flag = "flag"
    view_issue = "view_issue"
    view_project = "view_project"
    invite = "invite"
    import_projects = "import"
    export = "export"
    bind = "bind"
    manage_people = "manage_people"  # revoke or change roles, unlink accounts, deactivate
    see_everything = "see_everything"  # every project and issue in lists, not only one's own
    extend_again = "extend_again"      # extend an issue's deadline more than once at a level
    lead_issue = "lead_issue"          # be named an issue's responsible leader (五到位)
    request_next = "request_next"      # 提请上级协调: ask the next level of the ladder, with a reason
    revisit = "revisit"                # 回访: record the raiser's satisfaction, reached by phone, and who gave it
    supervise = "supervise"            # 挂牌督办 of a project, and lifting it
    meet = "meet"                      # schedule a 调度会, read any meeting's pack
    decide = "decide"                  # record a meeting's 议定事项 and send its minutes


RULES: dict[Action, frozenset[str]] = {
    Action.report: frozenset({"liaison:liaison"}),
    Action.weekly: frozenset({"liaison:liaison"}),
    Action.raise_issue: frozenset({"liaison:liaison", "unit_head:project_unit", "member:project_unit",
                                   "admin:any"}),
    Action.assign: frozenset({"admin:any", "unit_head:lead_unit", "leader:lead_leader", "leader:issue_leader",
                              "*:level_holder"}),
    Action.instruct: frozenset({"admin:any", "leader:lead_leader", "leader:issue_leader", "*:level_holder"}),
    Action.extend: frozenset({"admin:any", "leader:lead_leader", "leader:issue_leader", "*:level_holder"}),
    Action.flag: frozenset({"admin:any", "leader:lead_leader", "leader:issue_leader", "*:level_holder"}),
    Action.acknowledge: frozenset({"*:assignee"}),
    Action.progress: frozenset({"*:assignee"}),
    Action.solve: frozenset({"*:assignee"}),
    Action.confirm: frozenset({"*:raiser"}),
    Action.view_issue: frozenset({"admin:any", "leader:any", "*:raiser", "*:assignee", "*:issue_leader",
                                  "*:issue_unit", "unit_head:lead_unit", "liaison:liaison", "*:level_holder"}),
    Action.view_project: frozenset({"admin:any", "leader:any", "liaison:liaison", "*:project_unit",
                                    "*:lead_leader"}),
    Action.invite: frozenset({"admin:any"}),
    Action.import_projects: frozenset({"admin:any"}),
    Action.export: frozenset({"admin:any", "leader:any"}),
    Action.bind: frozenset({"admin:any"}),
    Action.manage_people: frozenset({"admin:any"}),
    Action.see_everything: frozenset({"admin:any", "leader:any"}),
    Action.extend_again: frozenset({"admin:any"}),
    Action.lead_issue: frozenset({"leader:any", "unit_head:issue_unit"}),
    Action.request_next: frozenset({"admin:any", "*:current_level"}),  # 004: only the level itself asks
    Action.revisit: frozenset({"admin:any"}),
    Action.supervise: frozenset({"admin:any", "leader:any"}),
    Action.meet: frozenset({"admin:any", "leader:any"}),
    Action.decide: frozenset({"admin:any", "leader:meeting_leader"}),  # the centre, or the leader who held it
}
# roles an administrator (or the operator) may give; administrators are LIAISONBOT_ADMIN_IDS alone
GRANTABLE = tuple(role for role in Role if role is not Role.admin)


@dataclass(frozen=True)
class Standing:
    """How one person stands to one project (and issue): the relations that hold."""

    relations: frozenset[str]


ANYWHERE = Standing(frozenset({"any"}))  # actions not about one project: invite, import, export, bind


async def standing(conn: Conn, person: Person, project: Project | None = None,
                   issue: Issue | None = None) -> Standing:
    relations = {"any"}
    if project is None and issue is not None:
        project = await project_store.get(conn, issue.project_id)
    if project is not None:
        units = await project_store.unit_ids(conn, project.id)
        if project.reports_for(person.id):
            relations.add("liaison")
        if await project_store.has_person(conn, project.id, person.id, "lead_leader"):
            relations.add("lead_leader")
        if person.unit_id is not None and person.unit_id in units["lead"]:
            relations.update({"lead_unit", "project_unit"})
        if person.unit_id is not None and person.unit_id in units["responsible"]:
            relations.add("project_unit")
    if issue is not None:
        if issue.raised_by == person.id:
            relations.add("raiser")
        if issue.assignee_id == person.id:
            relations.add("assignee")
        if issue.leader_id == person.id:
            relations.add("issue_leader")
        if person.unit_id is not None and issue.unit_id == person.unit_id:
            relations.add("issue_unit")
        if issue.level > 1 and await issue_store.holds(conn, issue.id, person.id):
            relations.update({"level_holder", "current_level"})
        if issue.level == 1 and ("assignee" in relations or Role.unit_head in person.roles
                                 and relations & {"issue_unit", "lead_unit"}):
            relations.add("current_level")
    return Standing(frozenset(relations))


def allowed(person: Person, action: Action, where: Standing) -> bool:
    for rule in RULES[action]:
        role, relation = rule.split(":")
        if (role == "*" or role in person.roles) and relation in where.relations:
            return True
    return False


def may_decide(person: Person, meeting: Meeting) -> bool:
    """Whether `person` may record the meeting's decisions and send its minutes."""
    relations = {"any", "meeting_leader"} if meeting.leader_id == person.id else {"any"}
    return allowed(person, Action.decide, Standing(frozenset(relations)))


def may_lead_issue(person: Person, unit_id: int) -> bool:
    """Whether `person` may be named the leader of an issue assigned to the unit `unit_id`."""
    relations = {"any", "issue_unit"} if person.unit_id == unit_id else {"any"}
    return allowed(person, Action.lead_issue, Standing(frozenset(relations)))


async def may(conn: Conn, person: Person, action: Action, *, project: Project | None = None,
              issue: Issue | None = None) -> bool:
    return allowed(person, action, await standing(conn, person, project, issue))
