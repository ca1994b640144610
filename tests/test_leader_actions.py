"""A leader acts from the escalation alert itself: instruct, extend, flag (end to end)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.policy import Policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from storage import issues
from tests.helpers import (
    ADMIN,
    LEADER,
    LIAISON,
    WORKER,
    assigned_issue,
    local,
)

TZ = ZoneInfo("Asia/Shanghai")


async def _alert_at_level_three(sandbox, db, bot):
    leader = sandbox.user(LEADER, "周建国")
    worker = sandbox.user(WORKER, "钱工")
    sandbox.user(LIAISON, "李娜")
    sandbox.user(ADMIN, "王主任")
    issue_id = await assigned_issue(db, local(2026, 11, 20, 10, 0))
    async with db.transaction() as tx:
        await issues.update(tx, issue_id, datetime.now(TZ), level=2)
    await run_job(db, JOBS["issue-clocks"], local(2026, 12, 2, 10, 0), Policy(), TZ)
    bot.sender.wake()
    await sandbox.wait_for(lambda: any("已升级到「县领导协调」" in m.text for m in sandbox.messages(LEADER)))
    return leader, worker, issue_id, sandbox.messages(LEADER)[-1]


async def test_instruct_extend_and_flag_from_the_alert(sandbox, db, team, bot):
    leader, worker, issue_id, alert = await _alert_at_level_three(sandbox, db, bot)
    assert alert.button_labels == ["交办", "批示", "延期", "挂牌督办"]

    await leader.tap("批示", message=alert)
    await leader.ask("请住建局本周内办结，<b>不得拖延</b>")
    await sandbox.wait_for(lambda: any("不得拖延" in m.text for m in sandbox.messages(WORKER)))
    assert "周建国 对问题 Q-2026-0001 的批示：\n请住建局本周内办结，<b>不得拖延</b>" in worker.last().text
    await sandbox.wait_for(lambda: alert.edits > 0)
    assert "✅ 周建国 批示：请住建局本周内办结，<b>不得拖延</b>" in alert.text and alert.buttons == []

    card = await leader.ask("/issue Q-2026-0001")
    await leader.tap("延期", message=card)
    await leader.ask("2026-12-31")
    assert "已延至2026年12月31日" in (await leader.ask("需要等待电力部门排期")).text
    card = await leader.ask("/issue Q-2026-0001")
    await leader.tap("延期", message=card)
    await leader.ask("2027-01-15")
    assert "本级已延期过一次" in (await leader.ask("再等等")).text

    card = await leader.ask("/issue Q-2026-0001")
    await leader.tap("挂牌督办", message=card)
    assert "✅ 周建国 挂牌督办" in card.text and "取消挂牌" in card.button_labels
    issue = await issues.get(db.read, issue_id)
    assert issue.flagged and issue.resolve_due.astimezone(TZ).date().isoformat() == "2026-12-31"
    kinds = [e.kind for e in await issues.events(db.read, issue_id)]
    assert kinds[-3:] == ["instruct", "extend", "flag"]


async def test_other_people_cannot_use_a_leaders_buttons(sandbox, db, team, bot):
    leader, worker, issue_id, alert = await _alert_at_level_three(sandbox, db, bot)
    for code in ("ins", "ext", "flg"):
        answer = await worker.answered(await worker.press_data(f"i:{issue_id}:{code}", alert))
        assert answer == "您不能办理问题 Q-2026-0001 的这一步。"
    assert not (await issues.get(db.read, issue_id)).flagged
