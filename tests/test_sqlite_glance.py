"""The runner's and the sender's quick look at SQLite (`Database.glance`, on the loop's thread): committed data
only, like `read`, and never a write."""

from __future__ import annotations

import sqlite3

import pytest

from storage import open_database

pytestmark = pytest.mark.sqlite_only


async def test_the_glance_sees_what_is_committed_and_nothing_before(tmp_path):
    db = await open_database(tmp_path / "bot.db")
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO units (name) VALUES (?)", ("县住建局",))
            assert await db.glance.scalar("SELECT COUNT(*) FROM units") == 0  # not yet committed
        assert await db.glance.scalar("SELECT name FROM units") == "县住建局"
    finally:
        await db.close()


async def test_the_glance_cannot_write(tmp_path):
    db = await open_database(tmp_path / "bot.db")
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await db.glance.execute("INSERT INTO units (name) VALUES (?)", ("县住建局",))
        assert await db.read.scalar("SELECT COUNT(*) FROM units") == 0
    finally:
        await db.close()
