"""A meeting's pack (调度会议程), from the data, by a pure function: the scope's projects with their cards
and reasons and the investment against 序时进度; the problems waiting at the meeting's leader, overdue or
major; the nodes due before the next meeting; what the last meeting decided and where each stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.models import Issue, IssueStatus, Meeting, Milestone, Project
from bot.domain.periods import completion_rate
from bot.domain.standing import ProjectStatus


@dataclass(frozen=True, slots=True)
class NodeDue:
    project: Project
    milestone: Milestone


@dataclass(frozen=True, slots=True)
class Agenda:
    meeting: Meeting
    projects: int
    plan: int
    ytd: int
    rate: float | None
    flagged: list[ProjectStatus]  # carrying a card, worst first
    waiting: list[Issue]          # in the meeting leader's hands now
    overdue: list[Issue]
    major: list[Issue]
    nodes: list[NodeDue]          # due up to the horizon, not reached
    decisions: list[Issue]        # the same leader's last meeting's 议定事项
    late: frozenset[int]          # those of them overdue now
    horizon: date


_WORST = {"red": 0, "yellow": 1, "blue": 2}


def agenda(meeting: Meeting, found: list[ProjectStatus], issues: list[Issue], held: set[int],
           milestones: list[Milestone], decisions: list[Issue], horizon: date, now: datetime) -> Agenda:
    """`found`: the scope's projects as they stand; `issues`: their open problems; `held`: the ids of those
    the meeting's leader holds at their level; `horizon`: the day before which nodes are asked about."""
    projects = {s.project.id: s.project for s in found}
    leader = meeting.leader_id
    mine = [i for i in issues if i.project_id in projects and i.status is not IssueStatus.closed]
    plan = sum(s.project.plan_for(int(s.period[:4])) for s in found)
    ytd = sum(s.ytd for s in found)
    return Agenda(
        meeting=meeting, projects=len(found), plan=plan, ytd=ytd, rate=completion_rate(ytd, plan),
        flagged=sorted((s for s in found if s.flag.colour in _WORST),
                       key=lambda s: (_WORST[s.flag.colour], s.project.code)),
        waiting=[i for i in mine if i.id in held or (leader is not None and i.leader_id == leader)],
        overdue=[i for i in mine if i.overdue_at(now)],
        major=[i for i in mine if i.major],
        nodes=[NodeDue(projects[m.project_id], m) for m in sorted(milestones, key=lambda m: m.due_date)
               if m.project_id in projects and m.reached_on is None and m.due_date <= horizon],
        decisions=decisions, late=frozenset(i.id for i in decisions if i.overdue_at(now)), horizon=horizon)
