"""The sandbox refuses what Telegram refuses, so a green test means Telegram would accept it."""

from __future__ import annotations

import pytest

from bot.sandbox.html_check import ParseError, visible_text
from bot.sandbox.world import ApiError, Chat, User, World


@pytest.mark.parametrize("bad", ["a < b", "<b>x", "x</b>", "<script>x</script>", "AT&T", "<b><i>x</b></i>"])
def test_html_telegram_would_reject(bad):
    with pytest.raises(ParseError):
        visible_text(bad)


def test_html_telegram_accepts():
    assert visible_text('<b>粗</b> &lt;b&gt; &amp; <a href="https://x.y/?a=1&amp;b=2">链接</a>') == "粗 <b> & 链接"


def _world() -> World:
    world = World()
    world.users[1] = User(1, "甲")
    world.chats[1] = Chat(1, "private")
    return world


def test_limits_and_unknown_chats():
    world = _world()
    with pytest.raises(ApiError, match="too long"):
        world.send(1, text="字" * 4097, parse_mode="HTML", markup=None)
    world.send(1, text="&amp;" * 4096, parse_mode="HTML", markup=None)  # counted after entities
    with pytest.raises(ApiError, match="BUTTON_DATA_INVALID"):
        world.send(1, text="x", parse_mode=None,
                   markup={"inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]})
    with pytest.raises(ApiError, match="chat not found"):
        world.send(2, text="x", parse_mode=None, markup=None)
    world.users[1].blocked_bot = True
    with pytest.raises(ApiError) as caught:
        world.send(1, text="x", parse_mode=None, markup=None)
    assert caught.value.code == 403


def test_an_edit_that_changes_nothing_is_refused_like_telegram_does():
    world = _world()
    sent = world.send(1, text="x", parse_mode=None, markup=None)
    with pytest.raises(ApiError, match="not modified"):
        world.edit(1, sent["message_id"], text="x", parse_mode=None, markup=None, markup_only=False)


async def test_injected_faults_reach_the_client(sandbox):
    import httpx

    from bot.sandbox.world import ApiError as Err

    sandbox.faults.planned = [Err(429, "Too Many Requests: retry after 3", 3)]
    sandbox.world.chats[1] = Chat(1, "private")
    sandbox.world.users[1] = User(1, "甲")
    async with httpx.AsyncClient() as client:
        url = f"{sandbox.base_url}{sandbox.token}/sendMessage"
        first = (await client.post(url, data={"chat_id": "1", "text": "hi"})).json()
        second = (await client.post(url, data={"chat_id": "1", "text": "hi"})).json()
        wrong = await client.post(f"{sandbox.base_url}1:wrong/getMe")
    assert first == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
                     "parameters": {"retry_after": 3}}
    assert second["ok"] and second["result"]["text"] == "hi"
    assert wrong.status_code == 401
