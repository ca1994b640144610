"""The dashboard's actions on a problem — 交办, 批示, 延期, 挂牌督办 / 取消挂牌 — through the same services and
permission checks as the alert buttons. What the page sends is checked as a chat answer is (required,
no longer than a chat answer, a date that has not passed); a refusal says why in the person's words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.domain import inputs
from bot.domain.errors import Refused
from bot.domain.models import Person
from bot.services import issues
from bot.services.context import Context
from bot.services.dashboard import PAGE_ACTIONS, problem_lines


async def _issue(ctx: Context, person: Person, number: str):
    found = await issues.visible_by_number(ctx.tx, person, number)
    if found is None:
        raise Refused("issue.not_found")
    return found[0]


def _text(form: Mapping[str, str], name: str) -> str:
    text = str(form.get(name) or "").strip()
    if not text:
        raise Refused("flow.empty")
    if len(text) > inputs.MAX_TEXT:
        raise Refused("flow.too_long", limit=inputs.MAX_TEXT, length=len(text))
    return text


def _future(form: Mapping[str, str], name: str, today: date) -> date:
    text = str(form.get(name) or "")
    try:
        day = inputs.chat_date(text, today)
    except ValueError:
        raise Refused("flow.bad_date", value=text.strip()[:30]) from None
    if day < today:
        raise Refused("flow.date_past", value=day)
    return day


def _id(form: Mapping[str, str], name: str) -> int:
    found = inputs.row_id(str(form.get(name) or ""))
    if found is None:
        raise Refused("issue.assign_invalid")
    return found


async def act(ctx: Context, person: Person, number: str, action: str, form: Mapping[str, str]) -> dict:
    """Do `action` to the problem numbered `number` as `person`; the problem as the page then lists it."""
    if action not in PAGE_ACTIONS:
        raise Refused("issue.not_found")
    issue = await _issue(ctx, person, number)
    if action == "instruct":
        issue = await issues.instruct(ctx.tx, ctx.clock, person, issue.id, _text(form, "text"))
    elif action == "extend":
        until = _future(form, "until", ctx.today)
        issue = await issues.extend(ctx.tx, ctx.clock, ctx.tz, person, issue.id, until, _text(form, "reason"))
    elif action in ("flag", "unflag"):
        issue = await issues.set_flag(ctx.tx, ctx.clock, person, issue.id, action == "flag")
    else:
        given = issues.Assignment(unit_id=_id(form, "unit"), assignee_id=_id(form, "assignee"),
                                  leader_id=_id(form, "leader"), plan=_text(form, "plan"),
                                  deadline=_future(form, "deadline", ctx.today), major=form.get("major") == "1")
        issue = await issues.assign(ctx, person, issue.id, given)
    [line] = await problem_lines(ctx, person, [issue])
    return line


async def assign_choices(ctx: Context, person: Person, number: str, unit_id: int | None) -> dict:
    """What 交办 offers: the units (the project's own first), and for the unit chosen its people, who may
    lead it (the project's lead leader first) and the deadline the level's clock gives."""
    issue = await issues.checked(ctx.tx, person, (await _issue(ctx, person, number)).id, "assign")
    units = await issues.assignable_units(ctx.tx, issue.project_id)
    chosen = unit_id if any(u.id == unit_id for u in units) else (units[0].id if units else None)
    answer: dict = {"units": [{"id": u.id, "name": u.name} for u in units], "unit": chosen,
                    "people": [], "leaders": [], "leader": None,
                    "deadline": (await issues.offered_deadline(ctx.tx, ctx.policy, issue.id, ctx.today,
                                                               issue.major)).isoformat()}
    if chosen is not None:
        answer["people"] = [{"id": p.id, "name": p.name} for p in await issues.unit_people(ctx.tx, chosen)]
        answer["leaders"] = [{"id": p.id, "name": p.name} for p in await issues.leader_candidates(ctx.tx, chosen)]
        lead = await issues.default_leader(ctx.tx, issue.id, chosen)
        answer["leader"] = lead.id if lead else None
    return answer
