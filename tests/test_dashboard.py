"""领导驾驶舱, its first part: the Mini App's signed sign-in checked as the Bot API documents, and the overview
answered only to a known person, with only the projects the permission table lets them see."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from bot.domain.webapp import InvalidInitData, sign, verify
from tests.helpers import ADMIN, HEAD, LEADER, LIAISON, OTHER, assigned_issue, local

TOKEN = "123456:TEST-token"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _signed(telegram_id: int, at: datetime = NOW, token: str = TOKEN) -> str:
    user = json.dumps({"id": telegram_id, "first_name": "周建国", "language_code": "zh-hans"}, ensure_ascii=False)
    return sign({"auth_date": str(int(at.timestamp())), "query_id": "AAH123", "user": user}, token)


def test_a_signed_sign_in_is_accepted_and_names_its_user():
    user = verify(_signed(LEADER), TOKEN, NOW + timedelta(minutes=3), DAY)
    assert (user.telegram_id, user.first_name) == (LEADER, "周建国")


@pytest.mark.parametrize("field", ["auth_date", "query_id", "user", "hash"])
def test_any_field_altered_is_refused(field):
    fields = dict(parse_qsl(_signed(LEADER)))
    fields[field] = {"auth_date": str(int(NOW.timestamp()) + 1), "query_id": "AAH124",
                     "user": fields["user"].replace(str(LEADER), str(ADMIN)), "hash": "0" * 64}[field]
    with pytest.raises(InvalidInitData):
        verify(urlencode(fields), TOKEN, NOW, DAY)


@pytest.mark.parametrize(("init_data", "now"), [
    (_signed(LEADER, NOW - DAY - timedelta(seconds=1)), NOW),  # stale
    (_signed(LEADER, NOW + timedelta(hours=1)), NOW),  # from the future
    (_signed(LEADER, token="654321:OTHER-bot"), NOW),  # another bot's
    (urlencode({"auth_date": "1", "user": "{}"}), NOW),  # unsigned
    (sign({"auth_date": str(int(NOW.timestamp()))}, TOKEN), NOW),  # signed, but no user
    ("%%%&&=", NOW),
])
def test_a_stale_foreign_unsigned_or_empty_sign_in_is_refused(init_data, now):
    with pytest.raises(InvalidInitData):
        verify(init_data, TOKEN, now, DAY)


@pytest.fixture
async def api(dashboard, settings, clock):
    yield dashboard.address + "api/", settings.token_value(), clock.now()


async def test_each_person_sees_their_own_scope_and_strangers_nothing(api, team):
    url, token, now = api
    async with aiohttp.ClientSession() as http:
        async def ask(header: str | None) -> tuple[int, dict, str | None]:
            async with http.get(url + "overview", headers={"Authorization": header} if header else {}) as answer:
                return answer.status, await answer.json(), answer.headers.get("Cache-Control")

        seen = {}
        for who in (LEADER, ADMIN, LIAISON, HEAD):
            status, body, cache = await ask(f"tma {_signed(who, now, token)}")
            assert status == 200 and cache == "no-store"
            seen[who] = body["projects"]
        assert seen == {LEADER: 3, ADMIN: 3, LIAISON: 2, HEAD: 2}  # 赵科长's unit leads two of the three
        status, body, _ = await ask(f"tma {_signed(LEADER, now, token)}")
        assert body["plan"] == 3 * 48_000_000 and body["problems"] == {"open": 0, "overdue": 0}
        for header in (None, f"tma {_signed(999001, now, token)}", f"tma {_signed(LEADER, now, 'x:y')}",
                       f"Bearer {_signed(LEADER, now, token)}"):
            status, body, cache = await ask(header)
            assert status == 401 and cache == "no-store" and "projects" not in body


async def test_the_project_list_filters_and_the_problems_keep_to_the_scope(api, team, db):
    url, token, now = api
    issue_id = await assigned_issue(db, local(2026, 11, 2, 10, 0))  # JC-2026-001's, overdue by now
    async with aiohttp.ClientSession() as http:
        async def get(path: str, who: int) -> object:
            async with http.get(url + path, headers={"Authorization": f"tma {_signed(who, now, token)}"}) as answer:
                assert answer.status == 200
                return await answer.json()

        async def codes(query: str, who: int) -> list[str]:
            return [p["code"] for p in (await get(query, who))["projects"]]

        assert await codes("projects", LIAISON) == ["JC-2026-001", "JC-2026-002"]
        assert await codes("projects?q=污水", LEADER) == ["JC-2026-002"]
        every = (await get("projects", LEADER))["projects"]
        reds = [p["code"] for p in every if p["flag"] == "red"]
        assert await codes("projects?flag=red", LEADER) == reds
        [problem] = await get("problems", LEADER)
        number = await db.read.scalar("SELECT number FROM issues WHERE id = ?", (issue_id,))
        assert (problem["number"], problem["project"], problem["overdue"]) == (number, "JC-2026-001", True)
        assert await get("problems", OTHER) == []  # 张伟 reports on JC-2026-003 only
        async with http.get(url + "problems") as answer:
            assert answer.status == 401
