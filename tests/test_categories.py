"""Problem categories in two levels (003: 8 大类、45 小项): asked when a category has items, shown and
counted by them; a policy that names a category twice, or routes one it does not have, is refused."""

from __future__ import annotations

import pytest

from bot.domain.errors import ConfigError
from bot.domain.policy import load_policy
from bot.domain.settings import Settings
from bot.services import bulletins
from storage import issues
from tests.helpers import LIAISON, TZ

POLICY_TEXT = '''issue_categories = ["用地", {name = "资金", items = ["专项债", "中央预算内", "银行贷款"]}, "其他"]
'''


@pytest.fixture
def settings(sandbox, tmp_path) -> Settings:  # the conversation runs on a county's two-level list
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY_TEXT, encoding="utf-8")
    return Settings(_env_file=None, token=sandbox.token, api_base_url=sandbox.base_url,
                    api_file_url=sandbox.file_url, db=tmp_path / "bot.db", admin_ids=frozenset({5001}),
                    policy=policy)


async def _raise(liaison, category: str, item: str | None) -> str:
    await liaison.ask("/raise")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    assert liaison.last().button_labels[:3] == ["用地", "资金", "其他"]
    await liaison.tap(category)
    if item is not None:
        assert "具体是哪一项" in liaison.last().text
        assert liaison.last().button_labels[:3] == ["专项债", "中央预算内", "银行贷款"]
        await liaison.tap(item)
    await liaison.ask("资金未拨付到位")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    await liaison.tap("跳过")
    summary = liaison.last().text
    await liaison.tap("✅ 提交")
    return summary


async def test_a_category_with_items_asks_the_item_and_shows_it(sandbox, bot, team, db):
    liaison = sandbox.user(LIAISON, "李娜")
    summary = await _raise(liaison, "资金", "专项债")
    assert "问题小项" in summary and "专项债" in summary
    assert "Q-2026-0001｜资金·专项债｜" in liaison.last().text
    stored = await issues.by_number(db.read, "Q-2026-0001")
    assert (stored.category, stored.category_item) == ("资金", "专项债")
    await _raise(liaison, "用地", None)  # no items: not asked
    assert (await issues.by_number(db.read, "Q-2026-0002")).category_item is None


async def test_changing_the_category_asks_the_item_again_only_where_there_are_items(sandbox, bot, team, db):
    liaison = sandbox.user(LIAISON, "李娜")
    await liaison.ask("/raise")
    await liaison.tap("JC-2026-001 JC-2026-001 产业园道路")
    await liaison.tap("资金")
    await liaison.tap("银行贷款")
    await liaison.ask("贷款未放款")
    for _ in range(3):
        await liaison.tap("跳过")
    await liaison.tap("修改问题类别")
    await liaison.tap("其他")  # no items: straight back to the summary, the old item gone
    summary = liaison.last().text
    assert "请核对反映问题内容" in summary and "银行贷款" not in summary
    await liaison.tap("修改问题类别")
    await liaison.tap("资金")
    assert "具体是哪一项" in liaison.last().text
    await liaison.tap("中央预算内")
    await liaison.tap("✅ 提交")
    stored = await issues.by_number(db.read, "Q-2026-0001")
    assert (stored.category, stored.category_item) == ("资金", "中央预算内")


async def test_the_quarterly_analysis_counts_a_categorys_items(sandbox, bot, team, db):
    liaison = sandbox.user(LIAISON, "李娜")
    for item in ("专项债", "专项债", "银行贷款"):
        await _raise(liaison, "资金", item)
    async with db.transaction() as tx:  # raised in the fourth quarter of 2026
        await tx.execute("UPDATE issues SET created_at = '2026-11-20T02:00:00Z'")
    data = await bulletins.gather_quarter(db.read, "2026-Q4", None, bot.policy, TZ)
    text = bulletins.render_quarter(data, bot.policy, None, "全县").text
    assert "资金：本季新反映 3 个" in text and "（新反映中 专项债 2 个、银行贷款 1 个）" in text


@pytest.mark.parametrize(("text", "words"), [
    ('issue_categories = ["资金", {name = "资金", items = ["专项债"]}]\n', "names a category twice"),
    ('[[issue_levels]]\nname = "单位"\nholders = "unit"\n[[issue_levels]]\nname = "领导"\nholders = "leaders"\n'
     'by_category = { "税收" = ["张副县长"] }\n', "by_category names no category"),
])
def test_a_policy_with_an_unknown_or_doubled_category_is_refused(tmp_path, text, words):
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_policy(path)
    assert words in str(refused.value)
