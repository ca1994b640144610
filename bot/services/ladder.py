"""Who holds a problem at each level of the county's ladder (policy issue_levels)."""

from __future__ import annotations

from bot.domain.models import Issue, Person, Role
from bot.domain.policy import Policy
from storage import people, projects
from storage.db import Conn


async def level_holders(tx: Conn, issue: Issue, level: int, policy: Policy) -> list[Person]:
    """Who answers for an issue at `level`, as the county's ladder says (policy issue_levels): the people
    its category is routed to there, else the level's holders; if nobody is known to hold it yet (names
    not registered, a unit with no head), the centre — so nothing waits unseen."""
    rung = policy.issue_levels[level - 1]
    named = rung.by_category.get(issue.category)
    found = [p for name in named or [] for p in await people.by_name(tx, name)]
    return found or await _holders(tx, issue, rung.holders) or await people.with_role(tx, Role.admin)


async def _holders(tx: Conn, issue: Issue, holders: str | list[str]) -> list[Person]:
    if isinstance(holders, list):
        return [p for name in holders for p in await people.by_name(tx, name)]
    if holders == "unit":  # the responsible unit's heads; before it is assigned, the lead unit's
        if issue.unit_id is None:
            return await people.unit_heads_of_project(tx, issue.project_id)
        return await people.heads_of_unit(tx, issue.unit_id)
    if holders == "centre":
        return await people.with_role(tx, Role.admin)
    leaders = await people.with_role(tx, Role.leader)
    if holders == "leaders":
        return leaders
    chosen = [p for p in leaders if p.id == issue.leader_id
              or await projects.has_person(tx, issue.project_id, p.id, "lead_leader")]
    return chosen or leaders  # project_leaders: every leader if the project names none
