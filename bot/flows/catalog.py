"""Every flow by name: what a command or a button starts, and what a stored conversation resumes."""

from __future__ import annotations

from bot.flows import bind_group, issue_work, monthly_report, raise_issue, weekly_update
from bot.flows.steps import Flow

FLOWS: dict[str, Flow] = {flow.name: flow for flow in (
    monthly_report.FLOW, weekly_update.FLOW, raise_issue.FLOW, bind_group.FLOW,
    issue_work.ASSIGN, issue_work.PROGRESS, issue_work.SOLVE, issue_work.REJECT, issue_work.INSTRUCT,
    issue_work.EXTEND, issue_work.REQUEST, issue_work.PLAN, issue_work.REVISIT,
)}
