"""What `python -m bench` counts as an update's statements: every statement any of the SQLite connections
runs, a transaction's BEGIN and COMMIT among them."""

from __future__ import annotations

import pytest

from storage import open_database

pytestmark = pytest.mark.sqlite_only


async def test_the_trace_sees_a_transaction_whole_and_a_read(tmp_path):
    db = await open_database(tmp_path / "bot.db")
    seen: list[str] = []
    try:
        db.trace(seen.append)
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO units (name) VALUES (?)", ("县住建局",))
        assert await db.read.scalar("SELECT name FROM units") == "县住建局"
        assert await db.glance.scalar("SELECT COUNT(*) FROM units") == 1
    finally:
        await db.close()
    assert seen[:3] == ["BEGIN IMMEDIATE", "INSERT INTO units (name) VALUES ('县住建局')", "COMMIT"]
    assert "SELECT name FROM units" in seen and "SELECT COUNT(*) FROM units" in seen
