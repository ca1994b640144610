"""People and roles: LIAISONBOT_ADMIN_IDS is the whole truth about administrators; administrators
(in the bot) and the operator (on the command line) revoke and change roles, unlink accounts and
deactivate people, and every change is recorded with who made it."""

from __future__ import annotations

import json
import re
import sqlite3

from bot.app.process import BotProcess
from bot.domain.settings import Settings
from storage import issues, people
from tests.conftest import fast_limits
from tests.helpers import ADMIN, HEAD, LIAISON, assigned_issue, local, outbox_settled
from tests.test_cli import _cli

FORMER = 5002  # an administrator whose id is then taken out of the settings


def _settings(settings: Settings, admin_ids: set[int]) -> Settings:
    return settings.model_copy(update={"admin_ids": frozenset(admin_ids)})


async def _run(settings, db, clock, admin_ids):
    return await BotProcess(_settings(settings, admin_ids), clock=clock, db=db, limits=fast_limits(),
                            poll_timeout=5, schedule=False).start()


async def test_an_id_taken_out_of_the_settings_loses_the_role_at_the_next_start(sandbox, settings, db, clock):
    former = sandbox.user(FORMER, "老主任")
    process = await _run(settings, db, clock, {ADMIN, FORMER})
    try:
        assert "邀请链接" in (await former.ask("/invite 张三 member 县交通局")).text
        assert "/person" in (await former.ask("/help")).text
        await outbox_settled(db)
    finally:
        await process.stop()
    await (await _run(settings, db, clock, {ADMIN, FORMER})).stop()  # a start sets administrators' menus
    scope = json.dumps([{"type": "chat", "chat_id": FORMER}, None], sort_keys=True)
    assert scope in sandbox.world.commands

    process = await _run(settings, db, clock, {ADMIN})
    try:
        assert "只有项目中心管理员" in (await former.ask("/invite 李四 leader")).text
        assert "只有项目中心管理员和包联领导可以导出台账" in (await former.ask("/export")).text
        assert "只有项目中心管理员" in (await former.ask("/person 张三")).text
    finally:
        await process.stop()
    assert scope not in sandbox.world.commands
    person = (await people.by_name(db.read, "老主任"))[0]
    assert person.roles == frozenset()
    rows = await db.read.all("SELECT change, detail, actor_id, source FROM person_changes WHERE person_id = ?"
                             " ORDER BY id", (person.id,))
    assert [tuple(r) for r in rows] == [("role_added", "admin", None, "settings"),
                                        ("role_removed", "admin", None, "settings")]


async def test_administrators_come_only_from_the_settings(sandbox, bot, admin, team):
    assert "LIAISONBOT_ADMIN_IDS" in (await admin.ask("/invite 张三 admin")).text
    assert "LIAISONBOT_ADMIN_IDS" in (await admin.ask("/revoke 王主任 admin")).text
    assert "配置中的管理员" in (await admin.ask("/deactivate 王主任")).text
    assert "配置中的管理员" in (await admin.ask("/unlink 王主任")).text


async def test_revoke_and_change_a_role_in_the_bot_recorded_and_told(sandbox, bot, admin, team, db):
    head = sandbox.user(HEAD, "赵科长")
    card = (await admin.ask("/person 赵科长")).text
    assert "角色：单位负责人" in card and "账号：已绑定" in card
    assert "赵科长 的角色已改为“包联领导”" in (await admin.ask("/role 赵科长 包联领导")).text
    assert "项目中心已把您的角色改为“包联领导”" in (await head.reply(0)).text
    assert "已撤销 赵科长 的“包联领导”角色" in (await admin.ask("/revoke 赵科长 leader")).text
    assert "没有“包联领导”角色" in (await admin.ask("/revoke 赵科长 leader")).text
    assert "没有找到“无名氏”" in (await admin.ask("/person 无名氏")).text
    assert "用法" in (await admin.ask("/revoke 赵科长")).text
    card = (await admin.ask("/person 赵科长")).text
    assert "角色：无" in card
    assert card.count("— 王主任") == 3  # removed unit_head, given leader, removed leader
    assert (await people.by_name(db.read, "赵科长"))[0].roles == frozenset()


async def test_unlink_frees_the_account_and_a_new_invite_binds_again(sandbox, bot, admin, team, db):
    liaison = sandbox.user(LIAISON, "李娜")
    assert "已解除 李娜 的 Telegram 账号绑定" in (await admin.ask("/unlink 李娜")).text
    assert "解除绑定" in (await liaison.reply(0)).text
    assert "邀请链接" in (await liaison.ask("/report")).text  # a stranger now: asked for an invite
    assert "没有绑定" in (await admin.ask("/unlink 李娜")).text
    person = (await people.by_name(db.read, "李娜"))[0]
    assert person.telegram_id is None and person.roles  # still the liaison, waiting for an account


async def test_deactivating_a_liaison_lists_their_work_for_the_unit_head(sandbox, bot, admin, team, db):
    await assigned_issue(db, local(2026, 11, 16, 10))  # raised by 李娜
    async with db.transaction() as tx:  # 李娜 works in the lead unit, whose head is 赵科长
        person = (await people.by_name(tx, "李娜"))[0]
        await people.set_unit(tx, person.id, await people.ensure_unit(tx, "县交通局"))
    head = sandbox.user(HEAD, "赵科长")
    liaison = sandbox.user(LIAISON, "李娜")
    reply = (await admin.ask("/deactivate 李娜")).text
    assert "李娜 已停用" in reply
    assert "联络员：JC-2026-001 JC-2026-001 产业园道路、JC-2026-002 污水处理厂" in reply
    assert "未办结的问题：Q-2026-0001" in reply
    told = (await head.reply(0)).text
    assert "李娜 已离开，以下工作需要重新安排" in told and "Q-2026-0001" in told
    assert "感谢您的工作" in (await liaison.reply(0)).text
    assert "邀请链接" in (await liaison.ask("/help")).text
    assert await people.by_name(db.read, "李娜") == []  # not found by name any more
    assert (await issues.by_number(db.read, "Q-2026-0001")).raised_by == person.id  # history kept


async def test_namesakes_are_told_apart_by_number(sandbox, bot, admin, team, db):
    async with db.transaction() as tx:
        await people.create(tx, "李娜", local(2026, 11, 1))
    reply = (await admin.ask("/person 李娜")).text
    numbers = [int(n) for n in re.findall(r"#(\d+)", reply)]
    assert "有 2 位“李娜”" in reply and len(numbers) == 2
    assert f"#{numbers[0]}" in (await admin.ask(f"/person #{numbers[0]}")).text
    assert "没有找到“#99999999999999999999”" in (await admin.ask("/person #99999999999999999999")).text


async def test_only_administrators_manage_people(sandbox, bot, team):
    head = sandbox.user(HEAD, "赵科长")
    for command in ("/person 李娜", "/revoke 李娜 liaison", "/role 李娜 member", "/unlink 李娜", "/deactivate 李娜"):
        assert "只有项目中心管理员" in (await head.ask(command)).text


def test_the_command_line_changes_people_and_records_them(tmp_path):
    from tests.helpers import project_row, xlsx

    (tmp_path / "p.xlsx").write_bytes(xlsx([project_row("JC-1")]))
    assert _cli("import", "projects", "p.xlsx", cwd=tmp_path).returncode == 0
    assert _cli("invite", "--name", "赵科长", "--role", "unit_head", "--unit", "县交通局", cwd=tmp_path).returncode == 0
    shown = _cli("person", "show", "李娜", cwd=tmp_path)
    assert "联络员：JC-1" in shown.stdout and "账号：未绑定" in shown.stdout
    changed = _cli("person", "role", "赵科长", "member", cwd=tmp_path)
    assert "赵科长 的角色已改为“责任单位工作人员”" in changed.stdout
    assert "没有绑定" in _cli("person", "unlink", "赵科长", cwd=tmp_path).stdout
    left = _cli("person", "deactivate", "李娜", cwd=tmp_path)
    assert left.returncode == 0 and "李娜 已停用" in left.stdout and "联络员：JC-1" in left.stdout
    assert _cli("person", "show", "李娜", cwd=tmp_path).returncode == 1
    refused = _cli("invite", "--name", "钱主任", "--role", "admin", cwd=tmp_path)
    assert refused.returncode == 2  # not a choice: administrators come from LIAISONBOT_ADMIN_IDS
    rows = sqlite3.connect(tmp_path / "cli.db").execute(
        "SELECT change, detail, source FROM person_changes ORDER BY id").fetchall()
    assert rows == [("role_removed", "unit_head", "cli"), ("role_added", "member", "cli"),
                    ("deactivated", None, "cli")]
