"""Ten thousand random updates to the real Application: texts of any Unicode and length, commands
with junk arguments, callback data of random characters and of other people's objects, documents
of random bytes named .xlsx, edited messages, stickers, strangers and groups. Nothing may raise:
every update is handled without the apology path, every reply passes the sandbox's Telegram-like
parser, and the database stays sound."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.updates import chat_of
from storage import inbox
from tests.helpers import ADMIN, HEAD, LEADER, LIAISON, OTHER, WORKER

PEOPLE = [LIAISON, OTHER, HEAD, ADMIN, LEADER, WORKER, 990_001, 990_002]  # two strangers
GROUP = -7001
COMMANDS = ["/start", "/help", "/report", "/weekly", "/raise", "/cancel", "/todo", "/projects", "/project",
            "/history", "/issue", "/issues", "/away", "/back", "/invite", "/template", "/export", "/bind",
            "/unbind", "/subscriptions", "/nonsense"]
LABELS = ["填报月报", "周报", "反映问题", "待办", "问题", "我的项目", "帮助", "跳过", "完成", "✅ 提交", "修改"]
ids = itertools.count(5_000_000)
messages = itertools.count(1)

junk = st.text(max_size=60)
def _long_text(chance) -> str:
    """4,000–5,000 characters from all of Unicode but surrogates (drawn from a seed, not from
    hypothesis's buffer, which a list of such texts would overflow)."""
    size = chance.randint(4000, 5000)
    return "".join(chr(c) for c in (chance.randint(1, 0x2FFFF) for _ in range(size)) if not 0xD800 <= c <= 0xDFFF)


any_text = st.one_of(st.text(max_size=300), st.randoms(use_true_random=False).map(_long_text),
                     st.sampled_from(["<a href=\"x\">", "&", "</b>", "\u202e\u200b", "Q-2026-0001", "JC-2026-001",
                                      "1,200", "-5", "1e309", "2026-13-45"]))
text = st.one_of(any_text, st.sampled_from(LABELS),
                 st.builds(lambda c, a: f"{c} {a}".strip(), st.sampled_from(COMMANDS), junk))
callback = st.one_of(st.text(max_size=64), st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
                     st.builds(lambda i, c: f"i:{i}:{c}", st.integers(-2, 50), st.sampled_from("akpsSrcfuiex?")),
                     st.builds(lambda n, s, a, v: f"f:{n}:{s}:{a}:{v}", st.text("0123456789abcdef", max_size=12),
                               st.sampled_from(["ytd", "stage", "category", "project", "x"]),
                               st.sampled_from(["pick", "skip", "done", "submit", "edit", "??"]), junk),
                     st.builds(lambda k, m: f"x:{k}:{m}", st.sampled_from(["progress", "issues", "bulletin", "?"]),
                               st.sampled_from(["2026-10", "2026-13", "-", ""])),
                     st.builds(lambda a: f"go:{a}", junk), st.builds(lambda a: f"b:{a}", junk))
who = {"person": st.sampled_from(PEOPLE), "in_group": st.sampled_from([False, False, False, False, True])}
update = st.one_of(  # each kind draws only what it needs: generation stays cheap next to handling
    st.fixed_dictionaries({"kind": st.just("text"), "text": text, **who}),
    st.fixed_dictionaries({"kind": st.just("callback"), "data": callback, **who}),
    st.fixed_dictionaries({"kind": st.just("document"), "file": st.binary(max_size=500),
                           "name": st.sampled_from(["项目.xlsx", "x.csv", "a.xlsx", "noext", "表.xls"]), **who}),
    st.fixed_dictionaries({"kind": st.just("edited"), "text": text, **who}),
    st.fixed_dictionaries({"kind": st.just("sticker"), **who}),
)


def _payload(sandbox, u: dict) -> dict:
    user = {"id": u["person"], "is_bot": False, "first_name": f"u{u['person']}", "language_code": "zh-hans"}
    chat = ({"id": GROUP, "type": "supergroup", "title": "群"} if u["in_group"]
            else {"id": u["person"], "type": "private", "first_name": user["first_name"]})
    message = {"message_id": next(messages), "date": int(time.time()), "chat": chat, "from": user}
    if u["kind"] == "callback":
        shown = {"message_id": next(messages), "date": int(time.time()), "chat": chat, "text": "…",
                 "from": {"id": sandbox.world.bot_id, "is_bot": True, "first_name": "LiaisonBot"}}
        return {"callback_query": {"id": str(next(ids)), "from": user, "chat_instance": "1", "data": u["data"],
                                   "message": shown}}
    if u["kind"] == "document":
        stored = sandbox.world.store_file(u["file"], u["name"])
        message["document"] = {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                               "file_name": u["name"], "file_size": len(u["file"])}
        return {"message": message}
    if u["kind"] == "sticker":
        message["sticker"] = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
                              "is_video": False, "type": "regular"}
        return {"message": message}
    message["text"] = u["text"]
    if u["text"].startswith("/"):
        command = u["text"].split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
    return {"edited_message" if u["kind"] == "edited" else "message": message}


@pytest.mark.timeout(600)
@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(updates=st.lists(update, min_size=10, max_size=10))
async def test_ten_thousand_random_updates(sandbox, bot, team, db, updates):
    """1,000 batches of 10 against one bot and one database, so state carries over between them."""
    sandbox.group(GROUP, "群")
    rows = []
    for u in updates:
        update_id = next(ids)
        raw = {"update_id": update_id, **_payload(sandbox, u)}
        rows.append((update_id, json.dumps(raw, ensure_ascii=False), chat_of(raw)))
    async with db.transaction() as tx:
        await inbox.store(tx, rows, bot.clock.now())
    while await bot.runner.handle_pending():  # the runner's own loop may take some of them too: once each
        pass
    failed = await db.read.all("SELECT update_id, error FROM inbox WHERE error IS NOT NULL LIMIT 3")
    assert failed == []  # no update went down the apology path
    refused = await db.read.all("SELECT chat_id, method, error FROM outbox WHERE failed_at IS NOT NULL"
                                " AND error LIKE '%parse%' LIMIT 3")
    assert refused == []  # Telegram's parser took every message
    if db.dialect == "sqlite":  # the file's pages are whole (PostgreSQL checks its own)
        assert await db.read.scalar("PRAGMA quick_check") == "ok"
