"""Invite → bind → greeting, and everyone who should be turned away (end to end)."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain.models import Role
from storage import people
from tests.conftest import ADMIN_ID


def _code(text: str) -> str:
    return re.search(r"start=([A-Za-z0-9_-]+)", text).group(1)


async def test_admin_is_bound_on_first_contact_and_invites_a_liaison(sandbox, bot, admin, projects, db):
    greeting = await admin.ask("/start")
    assert "项目中心管理员" in greeting.text

    reply = await admin.ask("/invite 李娜 liaison JC-2026-001")
    assert "李娜" in reply.text and "7 天内有效" in reply.text
    assert f"https://t.me/{sandbox.world.bot_username}?start=" in reply.text
    code = _code(reply.text)
    assert len(code) >= 22  # 16 random bytes, url-safe base64

    liaison = sandbox.user(6001, "娜娜")
    welcome = await liaison.ask(f"/start {code}")
    assert "李娜，您好" in welcome.text and "联络员" in welcome.text
    assert "JC-2026-001" in welcome.text and "JC-2026-002" in welcome.text
    assert "JC-2026-003" not in welcome.text  # 张伟's project

    person = await people.by_telegram(db.read, 6001)
    assert person.name == "李娜" and Role.liaison in person.roles
    listing = await liaison.ask("/projects")
    assert "我的项目（共 2 个）" in listing.text


async def test_each_role_is_greeted_with_what_it_can_do(sandbox, bot, admin, projects):
    expectations = {"leader": "包联领导", "unit_head": "单位负责人", "member": "交办给您的问题"}
    for offset, (role, words) in enumerate(expectations.items()):
        invite = await admin.ask(f"/invite 人员{offset} {role} 县交通局")
        user = sandbox.user(7000 + offset, f"u{offset}")
        welcome = await user.ask(f"/start {_code(invite.text)}")
        assert words in welcome.text, welcome.text


async def test_codes_work_once_and_expire(sandbox, bot, admin, projects, clock):
    code = _code((await admin.ask("/invite 张伟 liaison JC-2026-003")).text)
    first = sandbox.user(6101, "张伟")
    assert "张伟，您好" in (await first.ask(f"/start {code}")).text
    again = await first.ask(f"/start {code}")
    assert "张伟，您好" in again.text  # the owner reopening the link is not an error

    thief = sandbox.user(6102, "别人")
    assert "已经使用过" in (await thief.ask(f"/start {code}")).text

    late = _code((await admin.ask("/invite 新人 member 县水利局")).text)
    clock.advance(timedelta(days=7, seconds=1))
    assert "已过期" in (await sandbox.user(6103, "新人").ask(f"/start {late}")).text


async def test_strangers_get_one_polite_explanation_and_nothing_else(sandbox, bot, projects, db):
    stranger = sandbox.user(6200, "路人")
    for text in ("/start", "/projects", "你好", "/start not-a-real-code-0123456789"):
        reply = await stranger.ask(text)
        assert "邀请链接" in reply.text, (text, reply.text)
    assert "无效" in sandbox.messages(6200)[-1].text
    assert await people.by_telegram(db.read, 6200) is None
    assert all(not m.buttons for m in sandbox.messages(6200))


async def test_english_speaking_stranger_is_answered_in_english(sandbox, bot):
    stranger = sandbox.user(6300, "Sam", language_code="en")
    reply = await stranger.ask("/projects")
    assert "invite link" in reply.text


async def test_invite_is_for_administrators_only(sandbox, bot, admin, projects):
    await admin.ask("/start")
    code = _code((await admin.ask("/invite 李娜 liaison JC-2026-001")).text)
    liaison = sandbox.user(6001, "李娜")
    await liaison.ask(f"/start {code}")
    refused = await liaison.ask("/invite 某人 admin")
    assert "只有项目中心管理员" in refused.text


async def test_invite_explains_bad_arguments(sandbox, bot, admin, projects):
    assert "用法" in (await admin.ask("/invite")).text
    assert "没有“boss”角色" in (await admin.ask("/invite 张三 boss")).text
    by_label = await admin.ask("/invite 张三 联络员 JC-2026-002")
    assert "张三" in by_label.text and "联络员" in by_label.text


async def test_names_with_markup_round_trip_literally(sandbox, bot, admin, projects, db):
    reply = await admin.ask("/invite <b>&amp;王</b> leader")
    assert "<b>&amp;王</b>" in reply.text  # shown literally, accepted by the HTML parser
    welcome = await sandbox.user(6400, "x").ask(f"/start {_code(reply.text)}")
    assert "<b>&amp;王</b>，您好" in welcome.text
    assert (await people.by_telegram(db.read, 6400)).name == "<b>&amp;王</b>"
    assert ADMIN_ID in {p.telegram_id for p in await people.with_role(db.read, Role.admin)}


async def test_commands_are_registered_per_language_and_for_admins(sandbox, bot, admin):
    await admin.ask("/start")
    scopes = sandbox.world.commands
    default_zh = scopes['[{"type": "default"}, null]']
    assert {"command": "report", "description": "填报月报"} in default_zh
    assert {"command": "report", "description": "monthly report"} in scopes['[{"type": "default"}, "en"]']


async def test_ten_thousand_wrong_codes_are_slowed_to_five_an_hour_and_never_bind(db, projects, clock):
    from bot.domain.clock import FixedClock
    from bot.domain.errors import Refused
    from bot.domain.policy import Policy
    from bot.services import people as people_service
    from bot.services.people import Redeemed

    policy = Policy()
    async with db.transaction() as tx:
        code, _ = await people_service.create_invite(tx, clock, policy, name="李娜", role=Role.liaison,
                                                     project_code="JC-2026-001", unit=None)
    outcomes: dict[str, int] = {}
    now = clock.now()
    async with db.transaction() as tx:
        for n in range(10_000):
            attempt = FixedClock(now + timedelta(seconds=n // 10))  # ten tries a second for 1,000 s
            guess = f"{n:022d}" if n != 9_999 else code  # the last one is even the right code
            try:
                outcome, _ = await people_service.redeem(tx, attempt, policy, guess, 8888, "zh")
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            except Refused as refused:
                outcomes[refused.key] = outcomes.get(refused.key, 0) + 1
    assert outcomes == {Redeemed.unknown: 5, "start.too_many_codes": 9_995}
    assert await people.by_telegram(db.read, 8888) is None
    async with db.transaction() as tx:  # an hour after the first wrong code, the right one works
        outcome, person = await people_service.redeem(tx, FixedClock(now + timedelta(hours=1, seconds=1)),
                                                      policy, code, 8888, "zh")
    assert outcome is Redeemed.bound and person.name == "李娜"


async def test_the_sixth_wrong_code_in_an_hour_is_refused_with_the_wait(sandbox, bot, projects):
    guesser = sandbox.user(8889, "猜码者")
    for n in range(5):
        assert (await guesser.ask(f"/start {n:022d}")).text.startswith("该邀请码无效")
    refused = await guesser.ask("/start 0000000000000000000009")
    assert refused.text == "错误的邀请码太多了。请 60 分钟后再试，或向项目中心索取新的邀请链接。"
