"""When the database refuses writes (disk full, locked by another program) the bot says so in its
log, keeps nothing half-written, stays up, and does the work once the database takes writes again."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest

from bot.app import updates
from storage import open_database, people, reports, sqlite
from tests.helpers import LIAISON

pytestmark = pytest.mark.sqlite_only  # the file's page limit and another program's lock on it


async def _to_summary(liaison) -> None:
    await liaison.ask("/report")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    await liaison.ask("1,200")
    await liaison.tap("✅ 续建")
    await liaison.ask("主体施工" * 200)
    await liaison.tap("跳过")
    assert "请核对" in (await liaison.ask("继续施工" * 200)).text


async def test_a_full_disk_keeps_nothing_half_done_and_the_report_lands_later(sandbox, bot, team, db,
                                                                               monkeypatch, caplog):
    monkeypatch.setattr(updates, "STORAGE_RETRY", 0.2)
    liaison = sandbox.user(LIAISON, "李娜")
    await _to_summary(liaison)
    async with db.transaction() as tx:  # the disk is full: not one more page
        await tx.execute(f"PRAGMA max_page_count = {await tx.scalar('PRAGMA page_count')}")
    caplog.set_level(logging.ERROR, logger="bot.app.updates")
    query = await liaison.press("✅ 提交")
    await sandbox.wait_for(lambda: any("database or disk is full" in r.getMessage() for r in caplog.records), 20)
    project_id = await db.read.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
    assert await reports.for_period(db.read, project_id, "2026-11") == []  # nothing half-written
    async with db.transaction() as tx:  # space again
        await tx.execute("PRAGMA max_page_count = 1073741823")
    await liaison.answered(query, timeout=30)
    await sandbox.wait_for(lambda: "已提交" in (liaison.last().text or ""), 30)
    assert [r.revision for r in await reports.for_period(db.read, project_id, "2026-11")] == [1]
    assert not any("出错了" in (m.text or "") for m in sandbox.messages(LIAISON))  # retried, not refused


async def test_a_database_locked_by_another_program_is_waited_out(sandbox, bot, team, db, settings,
                                                                  monkeypatch, caplog):
    monkeypatch.setattr(updates, "STORAGE_RETRY", 0.2)
    liaison = sandbox.user(LIAISON, "李娜")
    await _to_summary(liaison)
    other = sqlite3.connect(settings.db, timeout=0)  # e.g. someone's DB browser, mid-write
    other.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(sqlite, "LOCK_WAIT", 0.1)  # the writer gives up after 0.1 s, so the test sees it quickly
    caplog.set_level(logging.ERROR, logger="bot.app.updates")
    query = await liaison.press("✅ 提交")
    await sandbox.wait_for(lambda: any("database is locked" in r.getMessage() for r in caplog.records), 30)
    other.rollback()
    other.close()
    await liaison.answered(query, timeout=30)
    project_id = await db.read.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
    await sandbox.wait_for(lambda: "已提交" in (liaison.last().text or ""), 30)
    assert [r.revision for r in await reports.for_period(db.read, project_id, "2026-11")] == [1]
    assert not any("出错了" in (m.text or "") for m in sandbox.messages(LIAISON))


async def test_a_write_holds_on_while_another_program_has_the_lock_then_commits(tmp_path):
    db = await open_database(tmp_path / "bot.db")
    other = sqlite3.connect(tmp_path / "bot.db", timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        write = asyncio.create_task(_add_unit(db, "县住建局"))
        for _ in range(5):
            await asyncio.sleep(0)  # the write has tried BEGIN and is waiting for its next try
        assert not write.done()
        other.rollback()
        await asyncio.wait_for(write, sqlite.LOCK_WAIT)
        assert [u.name for u in await people.units(db.read)] == ["县住建局"]
    finally:
        other.close()
        await db.close()


async def test_every_so_many_commits_the_wal_is_copied_into_the_file_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite, "CHECKPOINT_EVERY", 2)
    db = await open_database(tmp_path / "bot.db")
    try:
        await _add_unit(db, "县住建局")
        assert db._checkpoint is None  # one commit: not yet
        await _add_unit(db, "县交通局")
        await db._checkpoint  # under way after the second
        # the file alone (immutable=1 reads no WAL) now holds both
        only_file = sqlite3.connect(f"file:{tmp_path / 'bot.db'}?immutable=1", uri=True)
        try:
            assert [r[0] for r in only_file.execute("SELECT name FROM units ORDER BY id")] == ["县住建局", "县交通局"]
        finally:
            only_file.close()
    finally:
        await db.close()


async def test_a_failed_checkpoint_is_logged_and_the_commit_stands(tmp_path, monkeypatch, caplog):
    db = await open_database(tmp_path / "bot.db")
    try:
        monkeypatch.setattr(sqlite, "CHECKPOINT_EVERY", 1)
        monkeypatch.setattr(db, "_checkpointer", _FailingCheckpoints(db._checkpointer.raw))
        caplog.set_level(logging.WARNING, logger="storage.sqlite")
        await _add_unit(db, "县住建局")
        assert [u.name for u in await people.units(db.read)] == ["县住建局"]
    finally:
        await db.close()  # after the checkpoint under way
    assert any("checkpoint of the WAL failed (disk I/O error)" in r.getMessage() for r in caplog.records)


async def _add_unit(db, name: str) -> None:
    async with db.transaction() as tx:
        await people.ensure_unit(tx, name)


class _FailingCheckpoints:
    def __init__(self, raw) -> None:
        self.raw = raw  # closed with the database

    async def all(self, sql: str):
        raise sqlite3.OperationalError("disk I/O error")
