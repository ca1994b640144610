"""The project registry: applying an imported sheet, which projects a person sees, and the county's
list through the year (调出 / 调入)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bot.domain.errors import Refused
from bot.domain.models import Person, Project, Role
from bot.domain.money import WAN
from bot.domain.policy import Policy
from bot.domain.standing import by_project
from bot.formats.project_sheet import (
    MILESTONE_SHEET,
    MONTH_PLAN_HEADERS,
    MONTH_PLAN_SHEET,
    PROJECT_HEADERS,
    CellError,
    ParsedSheet,
    ProjectRow,
)
from bot.services.context import Context
from bot.services.permissions import ANYWHERE, Action, allowed, may
from storage import people, projects
from storage.db import Conn

_PROJECT_COLUMNS = ("code", "name", "tier", "level", "stage", "industry", "location", "owner",
                    "total_investment", "annual_plan", "planned_start", "planned_end", "longitude", "latitude")


class ImportReport(BaseModel):
    applied: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    milestones: int = 0
    month_plans: int = 0
    errors: list[CellError] = []


async def apply_sheet(ctx: Context, sheet: ParsedSheet, skip_invalid: bool) -> ImportReport:
    """All or nothing unless `skip_invalid`; re-importing the same sheet changes nothing. Works in
    batches (a handful of statements for the whole sheet), so 10,000 rows take seconds. A row's
    年度计划 is for its 计划年度, or the county's current year if it names none; other years' plans are
    kept. A project below the policy's size for its level (入库标准), or on a programme list the policy
    does not name, is refused with its row; so is a 分月计划 adding up to more than its year's plan."""
    tx, clock, year = ctx.tx, ctx.clock, ctx.today.year
    before = await projects.every_by_code(tx)
    errors = list(sheet.errors) + _below_minimum(sheet, ctx.policy) + _unknown_programmes(sheet, ctx.policy)
    codes = {p.code for p in sheet.projects}
    for item, title in [(m, MILESTONE_SHEET) for m in sheet.milestones or []] + [
            (m, MONTH_PLAN_SHEET) for m in sheet.month_plans or []]:
        if item.code not in codes and item.code not in before:
            errors.append(CellError(sheet=title, row=item.row, column="项目编号", kind="unknown_code", value=item.code))
    errors += _month_plans_over(sheet, before, year)
    bad_rows = {e.row for e in errors if e.sheet is None}
    if errors and not skip_invalid:
        return ImportReport(applied=False, errors=errors, skipped=len(bad_rows))
    bad_milestones = {e.row for e in errors if e.sheet == MILESTONE_SHEET}
    milestones_by_code: dict[str, list] = {}
    for m in sheet.milestones or []:
        if m.row not in bad_milestones:
            milestones_by_code.setdefault(m.code, []).append((m.name, m.due_date, m.owner))
    report = ImportReport(applied=True, errors=errors, skipped=len(bad_rows))
    rows = sheet.projects
    old_milestones = by_project(await projects.all_milestones(tx))
    now = clock.now()
    ids = await projects.upsert_many(tx, [{c: _column(row, c) for c in _PROJECT_COLUMNS} for row in rows], now)
    await projects.set_plans(tx, [(ids[row.code], row.plan_year or year, row.annual_plan) for row in rows])
    units = await people.ensure_units(tx, [u for row in rows for u in (row.lead_unit, *row.responsible_units) if u])
    await projects.set_units(tx, {ids[row.code]: (units[row.lead_unit] if row.lead_unit else None,
                                                  [units[u] for u in row.responsible_units]) for row in rows})
    named = [(row.lead_leader, Role.leader) for row in rows if row.lead_leader]
    named += [(name, Role.liaison) for row in rows for name in (row.liaison, *row.co_reporters) if name]
    person = await people.ids_by_name(tx, [name for name, _ in named], now)
    await people.add_roles(tx, [(person[name], role) for name, role in named])
    await projects.set_people(tx, [(ids[row.code], role, person.get(name) if name else None) for row in rows
                                   for role, name in (("lead_leader", row.lead_leader), ("liaison", row.liaison))])
    await projects.set_people(tx, [(ids[row.code], "co_reporter", person[name]) for row in rows
                                   for name in row.co_reporters if name != row.liaison]
                              + [(ids[row.code], "co_reporter", None) for row in rows])
    await projects.set_programmes(tx, {ids[row.code]: row.programmes for row in rows})
    await projects.set_funds(tx, [(ids[row.code], row.plan_year or year, row.funds) for row in rows
                                  if row.funds is not None])
    if sheet.month_plans is not None:
        bad_plans = {e.row for e in errors if e.sheet == MONTH_PLAN_SHEET}
        every = {**{code: p.id for code, p in before.items()}, **ids}
        plans = {(every[m.code], m.plan_year or year): list(m.amounts) for m in sheet.month_plans
                 if m.row not in bad_plans and m.code in every}  # a project's year named twice: the lower row
        await projects.set_month_plans(tx, [(p, y, amounts) for (p, y), amounts in plans.items()])
        report.month_plans = len(plans)
    if sheet.milestones is not None:
        for row in rows:
            items = milestones_by_code.get(row.code, [])
            if items or old_milestones.get(ids[row.code]):
                await projects.replace_milestones(tx, ids[row.code], items)
            report.milestones += len(items)
    after = await projects.every_by_code(tx)
    new_milestones = by_project(await projects.all_milestones(tx)) if sheet.milestones is not None else old_milestones
    for row in rows:
        project_id = ids[row.code]
        if row.code not in before:
            report.created += 1
        elif (before[row.code] == after[row.code]
              and old_milestones.get(project_id, []) == new_milestones.get(project_id, [])):
            report.unchanged += 1
        else:
            report.updated += 1
    return report


def _below_minimum(sheet: ParsedSheet, policy: Policy) -> list[CellError]:
    found = []
    for row in sheet.projects:
        least = policy.projects.min_total_investment.get(row.level.value)
        if least is not None and row.total_investment < least * WAN:
            found.append(CellError(row=row.row, column=PROJECT_HEADERS["total_investment"], kind="below_minimum",
                                   value=f"{row.total_investment / WAN:g}", limit=f"{least:g}",
                                   level=row.level.value))
    return found


def _unknown_programmes(sheet: ParsedSheet, policy: Policy) -> list[CellError]:
    known = policy.projects.programmes
    return [CellError(row=row.row, column=PROJECT_HEADERS["programmes"], kind="unknown_programme", value=name,
                      limit="、".join(known))
            for row in sheet.projects if known for name in row.programmes if name not in known]


def _month_plans_over(sheet: ParsedSheet, before: dict[str, Project], year: int) -> list[CellError]:
    """分月计划 rows adding up to more than the project's 年度计划 for that year (this sheet's or the one held)."""
    rows = {row.code: row for row in sheet.projects}
    found = []
    for m in sheet.month_plans or []:
        plan_year = m.plan_year or year
        row, held = rows.get(m.code), before.get(m.code)
        if row is not None and (row.plan_year or year) == plan_year:
            plan = row.annual_plan
        elif held is not None and plan_year in held.plans:
            plan = held.plans[plan_year]
        else:
            plan = None
        if plan is not None and sum(m.amounts) > plan:
            found.append(CellError(sheet=MONTH_PLAN_SHEET, row=m.row, column=MONTH_PLAN_HEADERS["m12"],
                                   kind="month_plans_over", value=f"{sum(m.amounts) / WAN:g}", limit=f"{plan / WAN:g}"))
    return found


def _column(row: ProjectRow, column: str) -> object:
    value = getattr(row, column)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


async def visible_projects(conn: Conn, person: Person) -> list[Project]:
    """Those who see everything (administrators, leaders) see every project; others the projects
    they belong to."""
    if allowed(person, Action.see_everything, ANYWHERE):
        return await projects.all_active(conn)
    return await projects.of_person(conn, person.id)


async def project(conn: Conn, project_id: int) -> Project | None:
    return await projects.get(conn, project_id)


async def visible_by_code(conn: Conn, person: Person, code: str) -> Project | None:
    project = await projects.by_code(conn, code.strip().upper()[:40])
    if project is None or not await may(conn, person, Action.view_project, project=project):
        return None
    return project


def sees_everything(person: Person) -> bool:
    return allowed(person, Action.see_everything, ANYWHERE)


async def set_listed(ctx: Context, actor: Person | None, code: str, listed: bool, reason: str) -> Project:
    """调出 (listed False) or 调入 a project today, with a reason; `actor` None: the command line."""
    if actor is not None and not allowed(actor, Action.import_projects, ANYWHERE):
        raise Refused("refuse.not_admin")
    project = await projects.by_code(ctx.tx, code.strip().upper()[:40])
    if project is None:
        raise Refused("projects.not_found", code=code.strip().upper()[:40])
    reason = " ".join(reason.split())
    if not reason or len(reason) > 200:
        raise Refused("projects.list_reason")
    if project.active == listed:
        raise Refused("projects.already_listed" if listed else "projects.already_off", code=project.code)
    await projects.set_listed(ctx.tx, project.id, listed, ctx.today, reason, actor.id if actor else None,
                              "bot" if actor else "cli", ctx.now)
    return await projects.get(ctx.tx, project.id)


async def list_change(conn: Conn, project: Project) -> tuple[str, date, str] | None:
    return await projects.last_list_change(conn, project.id)
