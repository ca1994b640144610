"""The permission table against the matrix in permission_matrix.csv: every action × role × relation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.domain.models import Person, Role
from bot.services.permissions import RULES, Action, Standing, allowed

MATRIX = Path(__file__).with_name("permission_matrix.csv")
# how a relation shows up in a person's standing (a lead unit is also one of the project's units)
IMPLIES = {"none": set(), "lead_unit": {"lead_unit", "project_unit"}}


def _cases():
    lines = [line for line in MATRIX.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    reader = csv.DictReader(lines)
    for row in reader:
        for relation in reader.fieldnames[2:]:
            yield row["action"], row["role"], relation, row[relation] == "Y"


CASES = list(_cases())


def test_the_matrix_covers_every_action_and_role():
    assert {a for a, *_ in CASES} == {a.value for a in Action}
    assert {r for _, r, *_ in CASES} == {r.value for r in Role}
    assert len(CASES) == len(Action) * len(Role) * 12


@pytest.mark.parametrize(("action", "role", "relation", "expected"), CASES)
def test_permission(action, role, relation, expected):
    person = Person(id=1, name="x", roles=frozenset({Role(role)}))
    where = Standing(frozenset({"any"} | IMPLIES.get(relation, {relation})))
    assert allowed(person, Action(action), where) is expected


def test_rules_name_only_known_roles_and_relations():
    relations = {"any", "liaison", "lead_leader", "lead_unit", "project_unit", "raiser", "assignee",
                 "issue_leader", "issue_unit", "level_holder", "current_level", "meeting_leader"}
    for rules in RULES.values():
        for rule in rules:
            role, relation = rule.split(":")
            assert role == "*" or role in {r.value for r in Role}
            assert relation in relations
