"""The words a county office writes (#15): dates, weeks, months and quarters in their Chinese forms, no
number a county may change written into a template, no emoji in what a group may forward, and the
county's own names and numbers where people read them."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import messages
from bot.domain.policy import Policy
from messages import forms

CATALOGS = Path(messages.__file__).parent
GROUP_SECTIONS = ("bulletin", "quarterly", "weekly_digest", "group_notice")  # what groups receive
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B06\u2194-\u21FF\u203C\u2049\u25A0-\u25FF]")
# a date, week, month or quarter printed as it is stored (2026-12-10, 2026-W49, 2026-12, 2026-Q3)
RAW_PERIOD = re.compile(r"\{\{ (?:[a-z_]+\.)*(period|month|week|quarter|due|due_date|resolve_due|ack_due|plan_due|"
                        r"[a-z]+_at|[a-z]+_on|date|until|judged) \}\}")
RAW_ALLOWED = {"ledger.file_progress", "ledger.file_bulletin", "bulletin.more", "cli.job_outcome"}  # names, commands
# the policy's numbers and words, never literal in a template
LITERAL_POLICY = re.compile(r"\d+ ?个工作日|每月底前|\d+ ?个月内办结|\d+ ?个百分点以上|落后 ?\d+ ?个百分点")


def _templates(locale: str) -> dict[str, str]:
    def walk(tree: dict, prefix: str = ""):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from walk(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", value
    return dict(walk(tomllib.loads((CATALOGS / f"{locale}.toml").read_text(encoding="utf-8"))))


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_no_template_prints_a_stored_date_week_month_or_quarter(locale):
    raw = {key: RAW_PERIOD.findall(text) for key, text in _templates(locale).items() if key not in RAW_ALLOWED}
    assert {key: found for key, found in raw.items() if found} == {}


def test_no_template_writes_a_number_the_policy_sets():
    found = {key: LITERAL_POLICY.findall(text) for key, text in _templates("zh").items()
             if key != "report.due_rule"}  # the one place the due day is put into words, from the policy
    assert {key: hits for key, hits in found.items() if hits} == {}


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_nothing_a_group_may_forward_carries_emoji(locale):
    found = {key: EMOJI.findall(text) for key, text in _templates(locale).items()
             if key.split(".")[0] in GROUP_SECTIONS}
    assert {key: hits for key, hits in found.items() if hits} == {}


def test_the_forms_a_county_office_writes():
    zone = ZoneInfo("Asia/Shanghai")
    assert forms.day(date(2026, 12, 10), "zh", zone) == "2026年12月10日"
    assert forms.day(datetime(2026, 12, 10, 15, 59, tzinfo=ZoneInfo("UTC")), "zh", zone) == "2026年12月10日"
    assert forms.when(datetime(2026, 12, 10, 6, 30, tzinfo=ZoneInfo("UTC")), "zh", zone) == "2026年12月10日 14:30"
    assert forms.week("2026-W49", "zh") == "第49周（11月30日—12月6日）"
    assert forms.week("2026-W53", "zh") == "第53周（12月28日—1月3日）"
    assert forms.month("2026-12", "zh") == "2026年12月" and forms.quarter("2026-Q3", "zh") == "2026年第三季度"
    assert forms.day("2026-03-05", "en", zone) == "5 Mar 2026"
    assert forms.week("2026-W49", "en") == "week 49 (30 Nov – 6 Dec)"
    assert forms.month("2026-12", "en") == "December 2026" and forms.quarter("2026-Q3", "en") == "Q3 2026"



def test_a_countys_due_day_level_and_role_names_reach_what_people_read(county):
    policy = county(Policy.model_validate({
        "monthly_report": {"due_day": 5, "due_next_month": True},
        "role_names": {"leader": "包保领导"},
        "issue_levels": [{"name": "部门办理", "holders": "unit"}, {"name": "专班协调", "holders": "centre"},
                         {"name": "市领导调度", "holders": "project_leaders"}],
        "weekly_update": {"projects": "none"}}))
    person = type("P", (), {"name": "李娜", "unit_name": None})()
    greeting = messages.render(None, "start.greeting", person=person, role="liaison", projects=[],
                               monthly=policy.monthly_report, weekly=False)
    assert "每月5日前（报上月）填报项目进度台账" in greeting and "每月底前" not in greeting and "周报" not in greeting
    leader = messages.render(None, "start.greeting", person=person, role="leader", projects=[],
                             monthly=policy.monthly_report, weekly=False)
    assert "作为包保领导" in leader and "包联领导" not in leader
    assert messages.label(None, "role.leader") == "包保领导" and messages.level_name(3) == "市领导调度"
