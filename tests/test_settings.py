"""Settings and policy problems end the CLI with exit 2 and one line naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain.errors import ConfigError
from bot.domain.policy import Policy, load_policy
from bot.domain.settings import load_settings


def _cli(*args: str, cwd, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIAISONBOT_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=clean | env, cwd=cwd, timeout=60)


@pytest.mark.parametrize(("env", "setting", "words"), [
    ({}, "LIAISONBOT_TOKEN", "not set"),
    ({"LIAISONBOT_TOKEN": "1:x", "LIAISONBOT_ADMIN_IDS": "12,abc"}, "LIAISONBOT_ADMIN_IDS", "'abc'"),
    ({"LIAISONBOT_TOKEN": "1:x", "LIAISONBOT_TIMEZONE": "Mars/Base"}, "LIAISONBOT_TIMEZONE", "Mars/Base"),
    ({"LIAISONBOT_TOKEN": "1:x", "LIAISONBOT_LOCALE": "fr"}, "LIAISONBOT_LOCALE", "fr"),
])
def test_run_refuses_bad_settings_with_one_line(tmp_path, env, setting, words):
    result = _cli("run", cwd=tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and setting in lines[0] and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_policy_value_is_named(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[flags]\nred_behind_points = 5\n", encoding="utf-8")
    result = _cli("run", cwd=tmp_path, LIAISONBOT_TOKEN="1:x", LIAISONBOT_POLICY=str(policy))
    assert result.returncode == 2
    assert "LIAISONBOT_POLICY flags" in result.stderr and "red_behind_points" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_come_from_a_dotenv_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LIAISONBOT_ADMIN_IDS=1, 2 ,3\nLIAISONBOT_LOCALE=en\n", encoding="utf-8")
    settings = load_settings()
    assert settings.admin_ids == {1, 2, 3} and settings.locale == "en"
    assert settings.timezone == "Asia/Shanghai" and str(settings.db) == "liaisonbot.db"


def test_policy_defaults_follow_the_design_and_files_override_them(tmp_path):
    defaults = load_policy(None)
    assert defaults == Policy()
    assert (defaults.flags.yellow_behind_points, defaults.flags.red_behind_points) == (10, 30)
    assert defaults.issue_clocks.resolve_working_days == 7 and defaults.issue_categories[0].name == "用地"
    path = tmp_path / "p.toml"
    path.write_text('issue_categories = ["用地", {name = "资金", items = ["专项债", "中央预算内"]}]\n'
                    '[flags]\nred_behind_points = 50\n[flags.names]\ngreen = "蓝牌"\n', encoding="utf-8")
    sanya = load_policy(path)
    assert sanya.flags.red_behind_points == 50 and sanya.flags.names["green"] == "蓝牌"
    assert [(c.name, c.items) for c in sanya.issue_categories] == [("用地", []), ("资金", ["专项债", "中央预算内"])]


@pytest.mark.parametrize("text", ["not = [toml", "[flags]\nunknown_knob = 1\n", "[monthly_report]\ndue_day = 31\n"])
def test_broken_policy_files_raise_config_errors(tmp_path, text):
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert caught.value.setting.startswith("LIAISONBOT_POLICY")


def test_the_token_is_not_shown_in_settings_output():
    settings = load_settings(token="123:secret-token")
    assert "secret-token" not in repr(settings) and "secret-token" not in str(settings.model_dump())


def test_the_example_policy_file_is_the_defaults():
    from pathlib import Path

    example = Path(__file__).parents[1] / "docs" / "policy.example.toml"
    assert load_policy(example) == Policy()


@pytest.mark.parametrize("county", sorted((Path(__file__).parents[1] / "docs" / "policies").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_each_seed_countys_policy_file_loads(county):
    assert isinstance(load_policy(county), Policy)  # valid: an unknown setting or a bad value stops this


def test_puyangs_curve_reaches_the_plan_in_november():
    from bot.domain.periods import time_share

    policy = load_policy(Path(__file__).parents[1] / "docs" / "policies" / "puyang.toml")
    assert time_share("2026-11", policy.flags.plan_curve) == 100 and time_share("2026-06", None) == 50
