"""Binding a group: only administrators, by buttons in the group; chatter ignored (end to end)."""

from __future__ import annotations

from datetime import timedelta

from storage import groups
from tests.helpers import ADMIN, LIAISON, bind_group

GROUP = -1001


async def test_an_admin_binds_a_group_to_a_unit_with_subscriptions(sandbox, db, team, bot):
    admin = sandbox.user(ADMIN, "王主任")
    sandbox.group(GROUP, "交通局项目群")
    assert "本群关注哪些项目" in (await admin.ask("/bind", chat_id=GROUP)).text
    await admin.tap("牵头单位", chat_id=GROUP)
    await admin.tap("县交通局", chat_id=GROUP)
    await admin.tap("月度投资快讯", chat_id=GROUP)
    await admin.tap("逾期通报", chat_id=GROUP)
    await admin.tap("完成", chat_id=GROUP)
    await admin.tap("✅ 提交", chat_id=GROUP)
    done = admin.last(GROUP).text
    assert "本群已绑定：牵头单位 县交通局" in done and "月度投资快讯、逾期通报" in done
    group = await groups.get(db.read, GROUP)
    assert group.scope_kind == "unit" and group.subscriptions == {"monthly_bulletin", "overdue_notices"}
    assert "本群已绑定" in (await admin.ask("/subscriptions", chat_id=GROUP)).text
    assert "已解除绑定" in (await admin.ask("/unbind", chat_id=GROUP)).text
    assert await groups.get(db.read, GROUP) is None
    assert "尚未绑定" in (await admin.ask("/subscriptions", chat_id=GROUP)).text


async def test_others_in_the_group_are_refused_or_ignored(sandbox, db, team, bot):
    admin = sandbox.user(ADMIN, "王主任")
    liaison = sandbox.user(LIAISON, "李娜")
    stranger = sandbox.user(9999, "路人")
    sandbox.group(GROUP, "项目群")
    assert "只有项目中心管理员" in (await liaison.ask("/bind", chat_id=GROUP)).text
    assert "只有项目中心管理员" in (await stranger.ask("/bind", chat_id=GROUP)).text
    await admin.ask("/bind", chat_id=GROUP)
    prompt = admin.last(GROUP)
    stale = "该按钮已失效，请使用最新的消息。"
    assert await liaison.answered(await liaison.press("全部项目", GROUP, prompt)) == stale
    assert "邀请链接" in await stranger.answered(await stranger.press("全部项目", GROUP, prompt))
    before = len(sandbox.messages(GROUP))
    await liaison.send("大家好，今天开会吗", chat_id=GROUP)
    await admin.tap("全部项目", chat_id=GROUP)  # answered after the chatter was handled
    assert [m.text for m in sandbox.messages(GROUP)[before:]][0].startswith("本群订阅哪些推送")


async def test_the_bot_removed_from_a_group_is_recorded(sandbox, db, team, bot):
    admin = sandbox.user(ADMIN, "王主任")
    sandbox.group(GROUP, "项目群")
    await bind_group(admin, GROUP)
    before = admin.replies_so_far()
    await sandbox.bot_membership(admin, GROUP, "kicked")
    assert "无法送达群“项目群”" in (await admin.reply(before)).text  # the administrators are told
    assert (await groups.get(db.read, GROUP)).unreachable == "bot removed from the group"
    await sandbox.bot_membership(admin, GROUP, "member")
    await admin.ask("/help")
    assert (await groups.get(db.read, GROUP)).unreachable is None


async def test_a_playful_member_draws_one_refusal_per_quiet_period(sandbox, db, team, bot, clock):
    admin = sandbox.user(ADMIN, "王主任")
    liaison = sandbox.user(LIAISON, "李娜")
    sandbox.group(GROUP, "项目群")
    for n in range(200):
        await liaison.send(f"/bind {n}", chat_id=GROUP)
    await admin.send("/subscriptions", chat_id=GROUP)  # answered after all 200 were handled
    await sandbox.wait_for(lambda: any("尚未绑定" in m.text for m in sandbox.messages(GROUP)))
    texts = [m.text for m in sandbox.messages(GROUP)]
    assert len(texts) == 2 and "10 分钟内不再重复提示" in texts[0] and "尚未绑定" in texts[1]
    clock.advance(timedelta(minutes=10))
    await liaison.send("/bind", chat_id=GROUP)
    await admin.send("/subscriptions", chat_id=GROUP)
    await sandbox.wait_for(lambda: sum("尚未绑定" in m.text for m in sandbox.messages(GROUP)) == 2)
    assert sum("只有项目中心管理员" in m.text for m in sandbox.messages(GROUP)) == 2
