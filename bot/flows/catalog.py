"""Every flow by name: what a command or a button starts, and what a stored conversation resumes."""

from __future__ import annotations

from bot.domain.policy import Policy
from bot.flows import away, bind_group, issue_work, meeting, monthly_report, node_plan, raise_issue, weekly_update
from bot.flows.steps import Flow

FLOWS: dict[str, Flow] = {flow.name: flow for flow in (
    monthly_report.FLOW, weekly_update.FLOW, raise_issue.FLOW, bind_group.FLOW, node_plan.FLOW, away.FLOW,
    meeting.SCHEDULE, meeting.DECIDE,
    issue_work.ASSIGN, issue_work.PROGRESS, issue_work.SOLVE, issue_work.REJECT, issue_work.INSTRUCT,
    issue_work.EXTEND, issue_work.REQUEST, issue_work.PLAN, issue_work.REVISIT,
)}


def flow_named(name: str, policy: Policy) -> Flow:
    """The flow as the county runs it: the monthly report with the policy's own questions."""
    if name == monthly_report.FLOW.name and policy.monthly_report.fields:
        return monthly_report.with_fields(policy.monthly_report.fields)
    return FLOWS[name]
