"""kill -9 at random moments through a thousand user actions, with restarts: afterwards every
action is in the database exactly once (no lost or doubled report revisions, issues, issue
numbers or events) and every conversation went on where it was."""

from __future__ import annotations

import asyncio
import os
import random
import re
import sys
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from bot.domain.policy import Policy
from bot.sandbox.server import Message, SandboxUser
from bot.services.context import Context
from storage import people
from tests.helpers import project_row, xlsx
from tests.test_inbox import _bot_process

USERS = 10
ACTIONS_PER_USER = 100
FIRST = 730_000


async def _seed(db, clock) -> None:
    from bot.formats.project_sheet import read_sheet
    from bot.services import registry

    rows = [project_row(f"KC-{n:02d}", liaison=f"联络员{n:02d}", total_investment="900000") for n in range(USERS)]
    async with db.transaction() as tx:
        await registry.apply_sheet(Context(tx, clock, Policy(), ZoneInfo("Asia/Shanghai")),
                                   read_sheet(xlsx(rows), "p.xlsx"), False)
        for n in range(USERS):
            person = (await people.by_name(tx, f"联络员{n:02d}"))[0]
            await people.bind_telegram(tx, person.id, FIRST + n, "zh")


class Liaison:
    """A liaison who, whatever the bot went through, waits for the next question before answering."""

    def __init__(self, sandbox, user: SandboxUser) -> None:
        self.sandbox, self.user = sandbox, user
        self.actions = 0
        self.reports = 0
        self.issues: list[str] = []

    def _since(self, before: int) -> list[Message]:
        return self.sandbox.messages(self.user.id)[before:]

    async def _then(self, act: Callable, expect: str) -> list[Message]:
        before = len(self.sandbox.messages(self.user.id))
        await act()
        self.actions += 1
        await self.sandbox.wait_for(lambda: any(expect in (m.text or "") for m in self._since(before)), 120)
        return self._since(before)

    async def say(self, text: str, expect: str) -> list[Message]:
        return await self._then(lambda: self.user.send(text), expect)

    async def tap(self, label: Callable[[str], bool] | str, expect: str) -> list[Message]:
        wanted = label if callable(label) else label.__eq__
        for message in reversed(self.sandbox.messages(self.user.id)):
            found = next((b for b in message.button_labels if wanted(b)), None)
            if found:
                return await self._then(lambda f=found, m=message: self.user.press(f, message=m), expect)
        raise AssertionError(self.sandbox.transcript(self.user.id)[-2000:])

    async def report(self) -> None:
        n = self.reports
        await self.say("填报月报", "本年累计完成投资是多少万元")
        await self.say(f"{1200 + n * 10}", "目前的建设阶段")
        await self.tap(lambda b: b.startswith("✅"), "请简要描述形象进度")
        await self.say(f"主体施工第 {n} 次", "请发送现场照片")
        await self.tap("跳过", "下月计划做什么")
        await self.say("继续施工", "请核对")
        await self.tap("✅ 提交", f"（第 {n + 1} 版")
        self.reports += 1

    async def raise_issue(self) -> None:
        await self.say("反映问题", "问题属于哪一类")
        await self.tap("资金", "请描述问题")
        await self.say(f"资金缺口 {len(self.issues)}", "需要协调解决什么")
        await self.tap("跳过", "希望什么时候前解决")
        await self.tap("跳过", "如有照片请发送")
        await self.tap("跳过", "请核对")
        shown = await self.tap("✅ 提交", "已提交，编号")
        text = next(m.text for m in shown if "已提交，编号" in (m.text or ""))
        self.issues.append(re.search(r"Q-\d{4}-\d{4}", text).group(0))

    async def run(self) -> None:
        while self.actions < ACTIONS_PER_USER:
            await (self.report() if (self.reports + len(self.issues)) % 2 == 0 else self.raise_issue())


@pytest.mark.timeout(400)  # about a dozen cold starts of a second Python
async def test_a_thousand_actions_survive_kill_9_exactly_once(sandbox, settings, db, clock):
    await _seed(db, clock)
    liaisons = [Liaison(sandbox, sandbox.user(FIRST + n, f"联络员{n:02d}")) for n in range(USERS)]
    process = await _bot_process(settings)
    kills = 0
    done = asyncio.Event()

    async def killer() -> None:
        """Kill after a random 30–120 more actions, at a random instant within the next 0.2 s: always
        while work is in flight (a cold start takes seconds, so a clock-based killer would starve it)."""
        nonlocal process, kills
        chance = random.Random(20261122)
        while not done.is_set():
            target = sum(liaison.actions for liaison in liaisons) + chance.randint(30, 120)
            while sum(liaison.actions for liaison in liaisons) < target and not done.is_set():
                await asyncio.sleep(0.02)
            if done.is_set():
                break
            await asyncio.sleep(chance.uniform(0, 0.2))
            process.kill()  # SIGKILL: no clean-up of any kind
            await process.wait()
            kills += 1
            process = await _bot_process(settings)

    chaos = asyncio.create_task(killer())
    try:
        await asyncio.gather(*(liaison.run() for liaison in liaisons))
    finally:
        done.set()
        await chaos
        process.kill()
        await process.wait()

    actions = sum(liaison.actions for liaison in liaisons)
    assert actions >= USERS * ACTIONS_PER_USER and kills >= 8
    for n, liaison in enumerate(liaisons):
        project_id = await db.read.scalar("SELECT id FROM projects WHERE code = ?", (f"KC-{n:02d}",))
        revisions = [r["revision"] for r in await db.read.all(
            "SELECT revision FROM monthly_reports WHERE project_id = ? ORDER BY revision", (project_id,))]
        assert revisions == list(range(1, liaison.reports + 1))  # each submit once, none lost
        raised = [r["number"] for r in await db.read.all(
            "SELECT number FROM issues WHERE project_id = ? ORDER BY id", (project_id,))]
        assert raised == liaison.issues
    numbers = [r["number"] for r in await db.read.all("SELECT number FROM issues ORDER BY number")]
    assert numbers == [f"Q-2026-{k:04d}" for k in range(1, len(numbers) + 1)]  # no gaps, no repeats
    events = await db.read.all("SELECT issue_id, COUNT(*) AS n FROM issue_events WHERE kind = 'raise'"
                               " GROUP BY issue_id")
    assert len(events) == len(numbers) and all(e["n"] == 1 for e in events)
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL") == 0
    if db.dialect == "sqlite":  # the file survived every kill whole (PostgreSQL's WAL is its own)
        assert await db.read.scalar("PRAGMA integrity_check") == "ok"


def _cli(settings, *args: str):
    env = dict(os.environ, LIAISONBOT_TOKEN=settings.token.get_secret_value(),
               LIAISONBOT_API_BASE_URL=settings.api_base_url, LIAISONBOT_API_FILE_URL=settings.api_file_url,
               LIAISONBOT_DB=str(settings.db))
    return asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, env=env,
                                          stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@pytest.mark.timeout(300)
async def test_kills_around_the_scheduled_bulletin_leave_each_group_one_bulletin(sandbox, settings, db, projects):
    from datetime import UTC, datetime

    from storage import groups as group_store

    chats = [-9100 - n for n in range(5)]
    async with db.transaction() as tx:
        for chat in chats:
            sandbox.group(chat, f"群{chat}")
            await group_store.bind(tx, chat, f"群{chat}", "all", None, 1, ["monthly_bulletin"], datetime.now(UTC))
    chance = random.Random(5)
    for _ in range(3):  # killed before or while composing and queueing, at random
        run = await _cli(settings, "jobs", "run", "monthly-bulletin", "--at", "2026-12-05T09:00")
        await asyncio.sleep(chance.uniform(0.2, 3.0))
        if run.returncode is None:
            run.kill()
        await run.wait()
    run = await _cli(settings, "jobs", "run", "monthly-bulletin", "--at", "2026-12-05T09:00")
    out = (await run.communicate())[0].decode()
    assert run.returncode == 0 and ("已排入" in out or "本期已运行过" in out)
    queued = {chat: await db.read.scalar("SELECT COUNT(*) FROM outbox WHERE chat_id = ?", (chat,)) for chat in chats}
    assert all(n >= 2 for n in queued.values()) and len(set(queued.values())) == 1  # one bulletin each

    process = await _bot_process(settings)  # killed while delivering, then restarted
    await sandbox.wait_for(lambda: sum(len(sandbox.messages(c)) for c in chats) >= 3, 60)
    process.kill()
    await process.wait()
    process = await _bot_process(settings)
    try:
        await sandbox.wait_for(lambda: all(len(sandbox.messages(c)) >= queued[c] for c in chats), 120)
        await asyncio.sleep(1)  # a duplicate would arrive now
    finally:
        process.kill()
        await process.wait()
    uncertain = await db.read.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
    assert uncertain == 0
    delivered = {chat: len(sandbox.messages(chat)) for chat in chats}
    # exactly once, but for the send a kill can catch between Telegram's answer and our record of
    # it: at most one per chat, as each chat has at most one send in flight
    assert all(queued[c] <= delivered[c] <= queued[c] + 1 for c in chats)
