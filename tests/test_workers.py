"""Several webhook workers on one PostgreSQL database: the sandbox posts each update to a load balancer that
hands them to two `BotProcess`es in turn, each with its own connections; every update is handled once, and
each chat's updates in the order they were sent, whichever worker stored or handled them."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time

import pytest
from pydantic import SecretStr

from bot.app.process import BotProcess
from bot.domain.models import Role
from bot.formats.project_sheet import read_sheet
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.sandbox.balancer import Balancer
from bot.services import registry
from bot.services.context import Context
from storage import groups, open_database
from tests.conftest import fast_limits
from tests.helpers import ADMIN, HEAD, LEADER, LIAISON, POLICY, TZ, bind, local, outbox_settled, project_row, xlsx

pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")
from storage.postgres import SENDER_LOCK  # noqa: E402 - after the import it needs

pytestmark = pytest.mark.postgresql_only
SECRET = "workers-secret"
ROUNDS = 6


async def test_two_workers_handle_every_update_once_and_each_chat_in_order(settings, sandbox, clock, team, db):
    balancer = Balancer()
    public = await balancer.start()
    workers = []
    try:
        for _ in range(2):
            configured = settings.model_copy(update={"webhook_url": public, "webhook_secret": SecretStr(SECRET),
                                                     "webhook_listen": "127.0.0.1:0"})
            worker = await BotProcess(configured, clock=clock, limits=fast_limits(), schedule=False,
                                      webhook=True).start()
            workers.append(worker)
            balancer.workers.append(f"http://127.0.0.1:{worker.webhook_server.port}/telegram")
        people = [sandbox.user(who, str(who)) for who in (LIAISON, HEAD, ADMIN, LEADER)]
        for person in people:
            await person.ask("/start")
        asked = {person.id: person.replies_so_far() for person in people}
        for _ in range(ROUNDS):  # without waiting for answers: the chats' updates queue up together
            for person in people:
                await person.send("/project JC-2026-001")
                await person.send("/project JC-2026-002")
        await sandbox.wait_for(
            lambda: all(len(sandbox.messages(p.id)) >= asked[p.id] + 2 * ROUNDS for p in people), 60)
        for person in people:
            answers = [m.text for m in sandbox.messages(person.id)][asked[person.id]:]
            assert len(answers) == 2 * ROUNDS  # none twice
            in_order = [(True, False), (False, True)] * ROUNDS
            assert [("JC-2026-001" in a, "JC-2026-002" in a) for a in answers] == in_order
        assert all(count > 0 for count in balancer.sent.values()) and len(balancer.sent) == 2
        rows = await db.read.all("SELECT attempts, error FROM inbox")
        assert len(rows) == len(people) * (1 + 2 * ROUNDS)
        assert {(r["attempts"], r["error"]) for r in rows} == {(1, None)}  # each handled once, none failed
    finally:
        for worker in workers:
            await worker.stop()
        await balancer.stop()


async def test_a_scheduled_job_fired_by_every_worker_runs_once(settings, team, db):
    """Each worker's scheduler fires the job; the (job, period) claim lets one of them run it."""
    other = await open_database(settings.db)
    try:
        when = local(2026, 11, 30, 9, 0)
        outcomes = await asyncio.gather(*(run_job(worker, JOBS["weekly-digest"], when, POLICY, TZ)
                                          for worker in (db, other, db, other)))
    finally:
        await other.close()
    assert sum(o.ran for o in outcomes) == 1 and {o.reason for o in outcomes if not o.ran} == {"already ran"}
    assert await db.read.scalar("SELECT COUNT(*) FROM job_runs WHERE job = 'weekly-digest'") == 1


FIRST = 910_000
GROUP = -100_910
LIAISONS = 50


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _worker(settings, public: str, port: int) -> asyncio.subprocess.Process:
    """`liaisonbot run --webhook`, a process of its own, as a deployment runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISONBOT_")}
    env.update(LIAISONBOT_TOKEN=settings.token.get_secret_value(), LIAISONBOT_API_BASE_URL=settings.api_base_url,
               LIAISONBOT_API_FILE_URL=settings.api_file_url, LIAISONBOT_DB=str(settings.db),
               LIAISONBOT_WEBHOOK_URL=public, LIAISONBOT_WEBHOOK_SECRET=SECRET,
               LIAISONBOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", "--webhook", env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def _sender(db, processes: list) -> int:
    """Which of `processes` holds the sender's lock (its connections say whose they are), once one does: a
    worker takes over a dead sender's lock within seconds, so this looks again every tenth of a second."""
    for _ in range(300):
        name = await db.read.scalar(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype"
            " = 'advisory' AND l.classid = 0 AND l.objid = ? AND l.objsubid = 1 AND l.granted", (SENDER_LOCK,))
        pids = [p.pid for p in processes]
        if name and int(name.split(":")[1]) in pids:
            return pids.index(int(name.split(":")[1]))
        await asyncio.sleep(0.1)  # another process's progress, not this test's clock
    raise AssertionError("no worker became the sender")


async def _step(user, do, shows: str, button: str | None = None) -> None:
    """`do` (send a text, press a button), then wait for the bot's message that shows `shows` (with `button`):
    a message the killed sender had sent may come twice, so each step waits for its own answer."""
    def seen() -> bool:
        return any(shows in (m.text or "") and (button is None or any(b.startswith(button) for b in m.button_labels))
                   for m in user.sandbox.messages(user.id)[before:])

    before = user.replies_so_far()
    await do
    await user.sandbox.wait_until(user.id, seen, 90)


def _press(user, starts: str):
    message = next(m for m in reversed(user.sandbox.messages(user.id)) if any(b.startswith(starts)
                                                                              for b in m.button_labels))
    return user.press(next(b for b in message.button_labels if b.startswith(starts)), message=message)


async def _report(user) -> None:
    """The monthly report as a liaison with one project taps and types it (November's, overdue at the real
    date, is named first)."""
    await _step(user, user.send("填报月报"), "本年累计完成投资")
    await _step(user, user.send("1,200"), "建设阶段", "✅")
    await _step(user, _press(user, "✅"), "形象进度")
    await _step(user, user.send("主体施工"), "现场照片", "跳过")
    await _step(user, _press(user, "跳过"), "下月计划")
    await _step(user, user.send("继续施工"), "请核对", "✅ 提交")
    await _step(user, _press(user, "✅ 提交"), "已提交")


async def _raise(user) -> None:
    """A blocking problem raised the way a liaison with one project does it."""
    await _step(user, user.send("/raise"), "问题属于哪一类", "用地")
    await _step(user, _press(user, "用地"), "请描述问题")
    await _step(user, user.send("红线内有 3 户未搬迁，影响土方开挖"), "需要协调解决什么", "跳过")
    await _step(user, _press(user, "跳过"), "希望什么时候前解决", "跳过")
    await _step(user, _press(user, "跳过"), "如有照片", "跳过")
    await _step(user, _press(user, "跳过"), "请核对", "✅ 提交")
    await _step(user, _press(user, "✅ 提交"), "已提交，编号")


async def _liaison(user) -> None:
    await _report(user)
    await _raise(user)


def _job(name: str, at: str, settings) -> asyncio.Future:
    """A scheduled job fired from a process of its own, as a worker's scheduler fires it."""
    return asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "jobs", "run", name, "--at", at,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("LIAISONBOT_")},
             "LIAISONBOT_DB": str(settings.db)}, stdout=asyncio.subprocess.DEVNULL)


async def test_three_worker_processes_survive_sigkill_of_a_worker_and_of_the_sender(settings, sandbox, clock, db):
    """Three `liaisonbot run --webhook` processes on one database, the sandbox posting updates to them in parallel
    and enforcing Telegram's limits; 50 liaisons file their monthly reports and raise a problem each while the
    monthly bulletin goes to the county's group and the month-end reminders are fired twice; a worker and then
    the sender are killed with SIGKILL and started again. Afterwards every update is handled once, every
    report and problem number exists once, each job's period ran once, every message was delivered (what came
    twice is counted: sends in flight at the kill), no limit was broken; the sender's take-over time is printed."""
    rows = [project_row(f"MW-{i:03d}", name=f"工程{i}", liaison=f"联络员{i:02d}") for i in range(LIAISONS)]
    async with db.transaction() as tx:
        assert (await registry.apply_sheet(Context(tx, clock, POLICY, TZ), read_sheet(xlsx(rows), "p.xlsx"),
                                           False)).errors == []
    for i in range(LIAISONS):
        await bind(db, f"联络员{i:02d}", FIRST + i, role=Role.liaison)
    admin = await bind(db, "王主任", ADMIN, role=Role.admin)
    sandbox.group(GROUP, "调度群")
    async with db.transaction() as tx:
        await groups.bind(tx, GROUP, "调度群", "all", None, admin, ["monthly_bulletin"], clock.now())
    sandbox.limits.enforce = True
    balancer = Balancer()
    public = await balancer.start()
    ports = [_free_port() for _ in range(3)]
    balancer.workers = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    processes = [await _worker(settings, public, port) for port in ports]
    try:
        users = [sandbox.user(FIRST + i, f"联络员{i:02d}") for i in range(LIAISONS)]
        flows = asyncio.gather(*(_liaison(user) for user in users))
        jobs = [await _job(name, at, settings) for name, at in (  # while the reports come in; the reminders
            ("monthly-bulletin", "2026-12-05T09:00"),              # fired twice, as two workers would
            ("monthly-report-countdown", "2026-11-27T09:00"), ("monthly-report-countdown", "2026-11-27T09:00"))]
        await sandbox.wait_for(lambda: sum(len(sandbox.messages(u.id)) for u in users) >= 2 * LIAISONS, 90)
        processes[0].kill()  # a worker, mid-run
        await processes[0].wait()
        processes[0] = await _worker(settings, public, ports[0])
        victim = await _sender(db, processes)
        killed_at = time.monotonic()
        processes[victim].kill()  # the sender
        await processes[victim].wait()
        sends_before = len(sandbox.world.api_calls)  # calls recorded from now on are not the dead sender's
        processes[victim] = await _worker(settings, public, ports[victim])
        assert [await job.wait() for job in jobs] == [0, 0, 0]
        await asyncio.wait_for(flows, 300)
        taken_over = next(at for at, method, _ in sandbox.world.api_calls[sends_before:] if method == "sendMessage")
        await outbox_settled(db, 180)  # the centre's 50 notices go at one a second
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await balancer.stop()
    reports = await db.read.all("SELECT project_id, COUNT(*) AS n, MAX(revision) AS r FROM monthly_reports"
                                " GROUP BY project_id")
    assert len(reports) == LIAISONS and {(r["n"], r["r"]) for r in reports} == {(1, 1)}  # each filed once
    assert await db.read.scalar("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL OR error IS NOT NULL") == 0
    assert await db.read.scalar("SELECT COUNT(*) FROM job_runs WHERE job = 'monthly-bulletin'") == 1
    assert any("投资快讯" in (m.text or "") for m in sandbox.messages(GROUP))
    assert sandbox.limits.violations == 0
    issues = await db.read.all("SELECT raised_by, number FROM issues")
    assert len(issues) == LIAISONS and len({i["number"] for i in issues}) == len({i["raised_by"] for i in issues})
    periods = [r[0] for r in await db.read.all("SELECT period FROM job_runs WHERE job = 'monthly-report-countdown'")]
    assert "2026-11-27" in periods  # fired twice, ran once (besides the workers' own runs of today)
    assert await db.read.scalar("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL") == 0
    repeats = 0
    for chat in {r["chat_id"] for r in await db.read.all("SELECT DISTINCT chat_id FROM outbox")}:
        recorded = await db.read.scalar("SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND sent_at IS NOT NULL"
                                        " AND method IN ('sendMessage', 'sendPhoto', 'sendDocument')", (chat,))
        texts = [m.sent_text for m in sandbox.messages(chat)]  # as sent: a tap edits the copy it was on
        assert len(texts) >= recorded  # every message delivered
        assert len(texts) - recorded <= len(texts) - len(set(texts))  # and what came twice is a repeat
        repeats += len(texts) - recorded
    reminded = [sum("还有 3 天截止" in (m.text or "") for m in sandbox.messages(u.id)) for u in users]
    assert sum(reminded) >= 1 and sum(reminded) - sum(map(bool, reminded)) <= repeats  # once each
    print(f"\nthe sender killed: the next message went {taken_over - killed_at:.2f} s later;"
          f" {repeats} message(s) sent twice (in flight at the kill)")
