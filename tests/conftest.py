from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

import messages
from bot.app.process import BotProcess
from bot.app.sender import Limits
from bot.domain.clock import FixedClock
from bot.domain.models import Role
from bot.domain.policy import Policy, load_policy
from bot.domain.settings import Settings
from bot.formats.project_sheet import read_sheet
from bot.sandbox import Sandbox
from bot.services import registry
from bot.services.context import Context
from storage import open_database
from tests.helpers import ADMIN, HEAD, LEADER, LIAISON, OTHER, POLICY, TZ, WORKER, bind, project_row, xlsx

ADMIN_ID = 5001

for name in list(os.environ):
    if name.startswith("LIAISONBOT_"):
        del os.environ[name]


@pytest.fixture
async def sandbox():
    server = await Sandbox().start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))  # Friday 10:00 in Shanghai


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: what it checks is SQLite's (its file, its locks): not run on "
                                       "PostgreSQL")
    config.addinivalue_line("markers", "postgresql_only: several processes on one database: PostgreSQL's alone")


def pytest_generate_tests(metafunc):
    """Every test with a database runs on both backends (the `backend` fixture), but those marked for one."""
    if "backend" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker
        chosen = BACKENDS[:1] if marked("sqlite_only") else BACKENDS[1:] if marked("postgresql_only") else BACKENDS
        metafunc.parametrize("backend", chosen, indirect=True)


@pytest.fixture(scope="session")
def postgresql_server():
    """A PostgreSQL server for the session (tests/postgres.py), its template migrated; None and why not."""
    from tests import postgres

    server, why = postgres.start()
    if server is not None:
        async def migrate() -> None:
            await (await open_database(server.url(postgres.TEMPLATE))).close()
        asyncio.run(migrate())
    yield server, why
    if server is not None:
        server.stop()


@pytest.fixture
def backend(request, tmp_path):
    """Where the test's database lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield tmp_path / "bot.db"
        return
    server, why = request.getfixturevalue("postgresql_server")
    if server is None:
        pytest.skip(f"PostgreSQL: {why}")
    name = server.fresh()
    yield server.url(name)
    server.drop(name)


@pytest.fixture
def settings(sandbox, backend) -> Settings:
    return Settings(_env_file=None, token=sandbox.token, api_base_url=sandbox.base_url,
                    api_file_url=sandbox.file_url, db=backend, admin_ids=frozenset({ADMIN_ID}))


@pytest.fixture
async def db(settings):
    database = await open_database(settings.db)
    yield database
    await database.close()


@pytest.fixture
async def projects(db, clock):
    """Three projects: JC-2026-001 and -002 with liaison 李娜, -003 with liaison 张伟."""
    rows = [project_row("JC-2026-001"), project_row("JC-2026-002", name="污水处理厂"),
            project_row("JC-2026-003", liaison="张伟", lead_unit="县水利局")]
    async with db.transaction() as tx:
        report = await registry.apply_sheet(Context(tx, clock, POLICY, TZ), read_sheet(xlsx(rows), "p.xlsx"), False)
    assert report.created == 3
    return rows


# Telegram's per-chat pace (about one message a second) would make every conversation test slow;
# the delivery tests use the real limits.
def fast_limits() -> Limits:
    return Limits(per_second=1000, private_burst=1000, group_per_minute=1000)


@pytest.fixture
async def bot(settings, db, clock):
    # jobs run only where a test runs them (with its clock): see tests/test_jobs.py
    process = await BotProcess(settings, clock=clock, db=db, limits=fast_limits(), poll_timeout=5,
                               schedule=False).start()
    yield process
    await process.stop()


@pytest.fixture
def admin(sandbox):
    return sandbox.user(ADMIN_ID, "王主任")


@pytest.fixture
async def team(db, projects):
    await bind(db, "李娜", LIAISON, role=Role.liaison)
    await bind(db, "张伟", OTHER, role=Role.liaison)
    await bind(db, "赵科长", HEAD, role=Role.unit_head, unit="县交通局")
    await bind(db, "王主任", ADMIN, role=Role.admin)
    await bind(db, "周建国", LEADER, role=Role.leader)
    await bind(db, "钱工", WORKER, role=Role.member, unit="县住建局")


@pytest.fixture
async def dashboard(settings, db, clock, sandbox):
    """The bot with 领导驾驶舱 served on a free port of 127.0.0.1 (its page at `.address`)."""
    process = await BotProcess(settings.model_copy(update={"dashboard_listen": "127.0.0.1:0"}), clock=clock,
                               db=db, limits=fast_limits(), schedule=False).start()
    process.address = process.sender.dashboard
    yield process
    await process.stop()


@pytest.fixture
def county(monkeypatch):
    """Start-up with a county's policy (a Policy, or a file's name in docs/policies): its words in every
    message, as `liaisonbot run` sets them, restored after the test."""
    def use(policy: Policy | str) -> Policy:
        if isinstance(policy, str):
            policy = load_policy(Path(__file__).parents[1] / "docs" / "policies" / f"{policy}.toml")
        monkeypatch.setattr(messages, "_county_words", {})
        monkeypatch.setattr(messages, "_level_names", messages._level_names)
        messages.use_policy(policy)
        return policy
    yield use
    messages.names_for.cache_clear()  # the words restored after this are the ones read again
