"""反映问题: raising a blocking issue."""

from __future__ import annotations

from bot.domain.models import Project
from bot.flows.common import (
    as_date,
    future_date,
    project_step,
    required_text,
    show_day,
    show_photos,
    single_project,
)
from bot.flows.session import Session
from bot.flows.steps import Choice, Flow, Step
from bot.services import issues as service


async def _allowed(s: Session) -> list[Project]:
    return await service.raisable_projects(s.tx, s.person)


async def _categories(s: Session) -> list[Choice]:
    return [Choice(str(i), category.name) for i, category in enumerate(s.policy.issue_categories)]


async def _show_category(value: str, s: Session) -> str:
    return s.policy.issue_categories[int(value)].name


def _items(s: Session) -> list[str]:
    return s.policy.issue_categories[int(s.draft["category"])].items


async def _item_choices(s: Session) -> list[Choice]:
    return [Choice(str(i), name) for i, name in enumerate(_items(s))]


async def _show_item(value: str, s: Session) -> str:
    return _items(s)[int(value)]


async def _no_items(s: Session) -> bool:
    return not _items(s)


async def _commit(s: Session) -> None:
    issue = await service.raise_issue(
        s.tx, s.clock, s.person, project_id=int(s.draft["project"]),
        category=s.policy.issue_categories[int(s.draft["category"])].name,
        category_item=_items(s)[int(s.draft["item"])] if s.draft.get("item") is not None else None,
        description=s.draft["description"], need=s.draft.get("need"),
        need_by=as_date(s.draft.get("need_by")), photos=s.draft.get("photos") or [], tz=s.tz)
    await s.say("issue.raised", issue=issue)


FLOW = Flow(
    name="raise_issue",
    prefill=single_project(_allowed),
    commit=_commit,
    steps=[
        project_step("issue.ask_project", _allowed),
        Step("category", "choice", "issue.ask_category", choices=_categories, show=_show_category,
             resets=("item",)),
        Step("item", "choice", "issue.ask_category_item", choices=_item_choices, show=_show_item, skip=_no_items),
        Step("description", "text", "issue.ask_description", parse=required_text),
        Step("need", "text", "issue.ask_need", parse=required_text, optional=True),
        Step("need_by", "text", "issue.ask_need_by", parse=future_date, optional=True, show=show_day),
        Step("photos", "photos", "issue.ask_photos", optional=True, show=show_photos),
    ],
)
