"""The project registry: applying an imported sheet, and which projects a person sees."""

from __future__ import annotations

from pydantic import BaseModel

from bot.clock import Clock
from bot.importing import MILESTONE_SHEET, CellError, ParsedSheet, ProjectRow
from bot.models import Person, Project, Role
from storage import people, projects
from storage.db import Conn

_PROJECT_COLUMNS = ("code", "name", "tier", "level", "stage", "industry", "location", "owner",
                    "total_investment", "annual_plan", "planned_start", "planned_end")


class ImportReport(BaseModel):
    applied: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    milestones: int = 0
    errors: list[CellError] = []


async def apply_sheet(tx: Conn, clock: Clock, sheet: ParsedSheet, skip_invalid: bool) -> ImportReport:
    """All or nothing unless `skip_invalid`; re-importing the same sheet changes nothing."""
    errors = list(sheet.errors)
    codes = {p.code for p in sheet.projects}
    for m in sheet.milestones or []:
        if m.code not in codes and await projects.by_code(tx, m.code) is None:
            errors.append(CellError(sheet=MILESTONE_SHEET, row=m.row, column="项目编号",
                                    kind="unknown_code", value=m.code))
    bad_rows = {e.row for e in errors if e.sheet is None}
    if errors and not skip_invalid:
        return ImportReport(applied=False, errors=errors, skipped=len(bad_rows))
    bad_milestones = {e.row for e in errors if e.sheet == MILESTONE_SHEET}
    milestones_by_code: dict[str, list] = {}
    for m in sheet.milestones or []:
        if m.row not in bad_milestones:
            milestones_by_code.setdefault(m.code, []).append((m.name, m.due_date))
    report = ImportReport(applied=True, errors=errors, skipped=len(bad_rows))
    names = _People(tx, clock)
    for row in sheet.projects:
        before = await projects.by_code(tx, row.code)
        old_milestones = await projects.milestones(tx, before.id) if before else []
        project_id = await projects.upsert(tx, {c: _column(row, c) for c in _PROJECT_COLUMNS}, clock.now())
        lead = await people.ensure_unit(tx, row.lead_unit) if row.lead_unit else None
        helpers = [await people.ensure_unit(tx, u) for u in row.responsible_units]
        await projects.set_units(tx, project_id, lead, helpers)
        await projects.set_person(tx, project_id, "lead_leader",
                                  await names.get(row.lead_leader, Role.leader))
        await projects.set_person(tx, project_id, "liaison", await names.get(row.liaison, Role.liaison))
        if sheet.milestones is not None:
            items = milestones_by_code.get(row.code, [])
            await projects.replace_milestones(tx, project_id, items)
            report.milestones += len(items)
        after = await projects.by_code(tx, row.code)
        if before is None:
            report.created += 1
        elif before == after and old_milestones == await projects.milestones(tx, project_id):
            report.unchanged += 1
        else:
            report.updated += 1
    return report


def _column(row: ProjectRow, column: str) -> object:
    value = getattr(row, column)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


class _People:
    """People named in a sheet, found by name or created, with the role the column implies."""

    def __init__(self, tx: Conn, clock: Clock) -> None:
        self.tx, self.clock = tx, clock
        self._known: dict[str, int] = {}

    async def get(self, name: str | None, role: Role) -> int | None:
        if not name:
            return None
        if name not in self._known:
            found = await people.by_name(self.tx, name)
            self._known[name] = found[0].id if found else await people.create(self.tx, name, self.clock.now())
        await people.add_role(self.tx, self._known[name], role)
        return self._known[name]


async def visible_projects(conn: Conn, person: Person) -> list[Project]:
    """Administrators and leaders see every project; others see the projects they belong to."""
    if person.has(Role.admin, Role.leader):
        return await projects.all_active(conn)
    return await projects.of_person(conn, person.id)
