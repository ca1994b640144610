"""调出 / 调入: a project taken off the county's list leaves the next bulletin, the ranking and the
reminders, and keeps its history; it can be put back; who did it, when and why are recorded."""

from __future__ import annotations

import sqlite3

from bot.services import bulletins
from storage import projects as project_store
from storage import reports
from tests.helpers import ADMIN, HEAD, LIAISON, OTHER, POLICY, TZ, by_chat, local, project_row, run_at, xlsx
from tests.test_bulletin import MONTH, _report
from tests.test_cli import _cli


async def test_a_project_taken_off_the_list_leaves_the_bulletin_and_keeps_its_history(sandbox, bot, team, db):
    await _report(db, "李娜", "JC-2026-001", 4000)
    await _report(db, "张伟", "JC-2026-003", 1000)
    admin = sandbox.user(ADMIN, "王主任")
    for user_id, name in ((LIAISON, "李娜"), (OTHER, "张伟")):  # the weekly request reaches them
        sandbox.user(user_id, name)
    assert "用法" in (await admin.ask("/delist JC-2026-003")).text  # a reason is required
    assert "只有项目中心管理员" in (await sandbox.user(HEAD, "赵科长").ask("/delist JC-2026-003 项目取消")).text
    done = await admin.ask("/delist JC-2026-003 项目取消，资金未落实")
    assert "已调出 JC-2026-003" in done.text
    assert "已经调出" in (await admin.ask("/delist jc-2026-003 再次")).text

    data = await bulletins.gather(db.read, MONTH, None, POLICY, TZ)
    assert data.projects == 2 and "县水利局" not in {u.unit for u in data.ranking}
    assert "JC-2026-003" not in {f.code for f in [*data.red, *data.yellow]} | {p.code for p in data.missing}
    project = await project_store.by_code(db.read, "JC-2026-003")
    assert not project.active and [r.period for r in await reports.history(db.read, project.id)] == [MONTH]
    card = (await admin.ask("/project JC-2026-003")).text
    assert "已调出（" in card and "项目取消，资金未落实" in card
    sent = by_chat(await run_at(db, "weekly-update-request", local(2026, 11, 27, 9, 0)))
    assert "JC-2026-001" in sent[LIAISON] and OTHER not in sent  # 张伟's only project is off the list

    assert "已调入 JC-2026-003" in (await admin.ask("/relist JC-2026-003 资金已落实")).text
    assert (await bulletins.gather(db.read, MONTH, None, POLICY, TZ)).projects == 3
    rows = await db.read.all("SELECT change, reason, source FROM project_list_changes ORDER BY id")
    assert [tuple(r) for r in rows] == [("out", "项目取消，资金未落实", "bot"), ("in", "资金已落实", "bot")]


def test_the_command_line_takes_a_project_off_and_back(tmp_path):
    (tmp_path / "p.xlsx").write_bytes(xlsx([project_row("JC-1"), project_row("JC-2")]))
    assert _cli("import", "projects", "p.xlsx", cwd=tmp_path).returncode == 0
    out = _cli("project", "out", "JC-2", "--reason", "并入 JC-1", cwd=tmp_path)
    assert out.returncode == 0 and "已调出 JC-2" in out.stdout
    assert _cli("project", "out", "JC-9", "--reason", "x", cwd=tmp_path).returncode == 1
    again = _cli("import", "projects", "p.xlsx", cwd=tmp_path)  # a re-import does not put it back
    assert again.returncode == 0
    active = dict(sqlite3.connect(tmp_path / "cli.db").execute("SELECT code, active FROM projects").fetchall())
    assert active == {"JC-1": 1, "JC-2": 0}
