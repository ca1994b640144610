"""Models read in bulk are built from the database's rows without validating them again
(storage.db.stored): each must be what validating the same values would give, field for field and
type for type, with every optional part filled."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import BaseModel, Field

from bot.domain.models import MonthlyReport
from bot.formats.project_sheet import read_sheet
from bot.services import registry
from bot.services.context import Context
from storage import projects, reports
from storage.db import stored
from tests.helpers import POLICY, TZ, project_row, xlsx


def _typed(model: BaseModel) -> dict[str, tuple[type, object]]:
    return {name: (type(value), value) for name, value in model.__dict__.items()}


def assert_as_validated(model: BaseModel) -> None:
    validated = type(model).model_validate(model.__dict__)
    assert _typed(model) == _typed(validated)


async def test_a_project_and_a_report_read_back_as_validated_models(db, clock):
    row = project_row("JC-2026-001", co_reporters="孙专员", programmes="专项债", longitude="117.23",
                      latitude="31.82", plan_year="2026", fund_special_bonds="2000")
    sheet = xlsx([row], milestones=[{"code": "JC-2026-001", "name": "主体封顶", "due_date": "2026-09-30"}],
                 month_plans=[{"code": "JC-2026-001", "plan_year": "2026", "m1": "400", "m2": "400"}])
    async with db.transaction() as tx:
        report = await registry.apply_sheet(Context(tx, clock, POLICY, TZ), read_sheet(sheet, "p.xlsx"), False)
    assert report.created == 1, report.errors
    project = await projects.by_code(db.read, "JC-2026-001")
    assert project.co_reporters and project.programmes and project.fund_plans and project.month_plans
    assert project.planned_start and project.longitude and project.plans
    milestone = (await projects.all_milestones(db.read))[0]
    async with db.transaction() as tx:
        await reports.add_revision(tx, project_id=project.id, period="2026-03", reporter_id=project.liaison_id,
                                   ytd_completed=1_200_000, stage="continuing", progress="主体施工",
                                   photos=["photo-1"], milestones_reached=[milestone.id], next_plan="继续施工",
                                   now=datetime(2026, 3, 28, 2, tzinfo=TZ), late=True, funds_arrived=500_000,
                                   extra={"workers": 120})
    [latest] = await reports.latest_per_project(db.read, 2026, "2026-12")
    assert latest.photos and latest.milestones_reached and latest.extra and latest.late

    for model in (project, *await projects.all_active(db.read), latest):
        assert_as_validated(model)


def test_a_model_missing_a_conversion_is_told_apart():
    """The check above fails where a repository hands a stored model a value validation would convert."""
    raw = stored(MonthlyReport, id=1, project_id=1, period="2026-03", revision=1, reporter_id=1, ytd_completed=0,
                 stage="continuing", progress="", next_plan="", submitted_at=datetime(2026, 3, 28, tzinfo=TZ))
    assert (raw.photos, raw.late, raw.extra) == ((), False, {})  # what was left out took its default
    with pytest.raises(AssertionError):
        assert_as_validated(raw)


def test_a_model_with_an_alias_is_refused():
    """Its values would not be found under their names; such a model is read with model_construct."""
    class Aliased(BaseModel):
        code: str = Field(alias="编号")

    with pytest.raises(TypeError, match="Aliased"):
        stored(Aliased, code="JC-2026-001")
