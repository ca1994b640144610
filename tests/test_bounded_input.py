"""Forged and out-of-range input: a plain answer, never the apology, never a traceback in the log."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.domain import inputs
from tests.helpers import LIAISON


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-20", date(2026, 12, 20)), ("2026/12/20", date(2026, 12, 20)), ("2026年12月20日", date(2026, 12, 20)),
    ("2026.12.20", date(2026, 12, 20)), ("１２月２０日", date(2026, 12, 20)), ("12-20", date(2026, 12, 20)),
    ("3-1", date(2027, 3, 1)),  # passed this year: the next one
    ("2-29", date(2028, 2, 29)),
])
def test_chat_dates(text, expected):
    assert inputs.chat_date(text, date(2026, 11, 20)) == expected


@pytest.mark.parametrize("text", ["47000", "0000-01-01", "9999-12-31", "2026-02-30", "2-30", "明天", "", "12"])
def test_chat_dates_refused(text):
    with pytest.raises(ValueError):
        inputs.chat_date(text, date(2026, 11, 20))


def test_ids_months_and_quarters_in_range():
    assert inputs.row_id("42") == 42
    assert [inputs.row_id(t) for t in ("0", "-1", "9223372036854775808", "1e3", "٣", "")] == [None] * 6
    assert inputs.month("2026-10") == "2026-10"
    assert [inputs.month(t) for t in ("0000-01", "2026-13", "2026-1", "10000-01")] == [None] * 4
    assert inputs.quarter("2026-q3") == "2026-Q3" and inputs.quarter("0000-Q1") is None


async def test_forged_buttons_and_arguments_get_plain_refusals(sandbox, bot, team, db, caplog):
    caplog.set_level(logging.ERROR)
    admin = sandbox.user(5001, "王主任")
    liaison = sandbox.user(LIAISON, "李娜")
    card = await liaison.ask("/help")
    stale = "该按钮已失效，请使用最新的消息。"
    for data in (f"i:{2**63}:ack", f"i:{2**64}:ack", "i:-1:ack", f"p:{2**63}", "p:99999999", "x:bulletin:0000-01"):
        assert await liaison.answered(await liaison.press_data(data, card)) == stale
    assert "用法" in (await admin.ask("/export bulletin 0000-01")).text
    assert "用法" in (await admin.ask("/export progress 2026-13")).text
    assert "无法识别日期“47000”" in (await liaison.ask("/away 47000")).text
    assert "无法识别日期“0000-01-01”" in (await liaison.ask("/away 0000-01-01")).text
    assert not any("出错了" in (m.text or "") for chat in (admin.id, LIAISON) for m in sandbox.messages(chat))
    assert [r.getMessage() for r in caplog.records] == []
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox WHERE error IS NOT NULL") == 0


def test_every_kind_of_button_round_trips_and_forgeries_decode_to_nothing():
    from bot.domain import buttons as b

    for button in (b.FlowButton("a1b2c3", "S2", "v", "12:34"), b.IssueButton(42, "ack"), b.PageButton(3),
                   b.StartButton("report", "2026-11"), b.StartButton("weekly"), b.ExportButton("issues", None)):
        assert b.decode(b.encode(button)) == button
    forged = ["", "i:1", "i:x:ack", f"i:{2**63}:ack", "i:1:", "p:-1", "go", "x:bulletin:0000-01", "zz:1",
              "f:n:s", "é" * 40]
    assert [b.decode(data) for data in forged] == [None] * len(forged)
    with pytest.raises(ValueError):
        b.encode(b.FlowButton("n", "1", "v", "長" * 30))  # over Telegram's 64 bytes: caught where it is made


async def test_nul_characters_are_dropped_before_anything_reads_the_update(sandbox, bot, team, db, caplog):
    """No Telegram client types U+0000, but a forged update may carry it; PostgreSQL cannot store it in
    text, so it goes before any handler sees the update, and the rest of the text is answered as usual."""
    caplog.set_level(logging.ERROR)
    liaison = sandbox.user(LIAISON, "李娜")
    assert "Q-2026-9999" in (await liaison.ask("/issue Q-2026-\x009999")).text
    await liaison.ask("/raise")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    await liaison.tap("用地")
    await liaison.ask("红线内\x00有 3 户未搬迁")
    await liaison.ask("请城关镇\x00协调")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    await liaison.tap("✅ 提交")
    stored = await db.read.all("SELECT description, need FROM issues")
    assert [tuple(r) for r in stored] == [("红线内有 3 户未搬迁", "请城关镇协调")]
    assert [r.getMessage() for r in caplog.records] == []
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox WHERE error IS NOT NULL") == 0
