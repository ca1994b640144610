"""Both locales say the same things, and user values can never inject markup."""

from __future__ import annotations

import pytest

import messages
from bot.domain.money import MoneyError, parse_wan, wan, yi
from bot.services.delivery import split_text, visible_length


def test_both_locales_have_the_same_keys():
    assert set(messages.catalog("zh")) == set(messages.catalog("en"))


def test_user_text_is_escaped_in_html_and_kept_in_plain():
    class P:
        name = "<b>&"
        unit_name = None

    assert "&lt;b&gt;&amp;" in messages.render("zh", "start.other_account", person=P())
    assert "<b>&" in messages.render_plain("zh", "invite.created_plain", person=P(), role="x", days=7, link="l")


def test_long_texts_split_on_lines_into_as_few_messages_as_fit():
    lines = [f"第 {n} 行 " + "字" * 90 for n in range(200)]
    parts = split_text("\n".join(lines))
    assert all(visible_length(p) <= 4096 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)  # nothing lost, nothing cut
    for part, following in zip(parts, parts[1:], strict=False):  # as few as fit: no two neighbours would merge
        assert visible_length(part) + 1 + visible_length(following.split("\n")[0]) > 4096


def test_a_single_huge_line_is_split_between_words():
    parts = split_text(" ".join(["词"] * 5000))
    assert all(visible_length(p) <= 4096 for p in parts) and len(parts) == 3


@pytest.mark.parametrize(("text", "yuan"), [("1200", 12_000_000), ("1,200.5", 12_005_000),
                                              ("1200万", 12_000_000), ("1.2亿", 120_000_000),
                                              ("0", 0), ("１２００", 12_000_000), ("约1200", None)])
def test_money_input(text, yuan):
    if yuan is None:
        with pytest.raises(MoneyError):
            parse_wan(text)
    else:
        assert parse_wan(text) == yuan


def test_money_rejects_negatives_and_words():
    with pytest.raises(MoneyError) as caught:
        parse_wan("-5")
    assert caught.value.kind == "negative"
    with pytest.raises(MoneyError) as caught:
        parse_wan("十二")
    assert caught.value.kind == "not_number"
    assert (wan(12_005_000), yi(1_234_567_890)) == ("1,200.5", "12.35")


def test_every_message_key_named_in_the_code_exists():
    """A key written in the code but missing from the catalog would fail only when a person hits it."""
    import re
    from pathlib import Path

    root = Path(__file__).parents[1]
    sections = sorted({key.split(".")[0] for key in messages.catalog("zh")})
    literal = re.compile(r"""["']((?:{})\.[a-z_]+(?:\.[a-z_]+)*)["']""".format("|".join(sections)))
    found = set()
    for path in [*root.glob("bot/**/*.py"), *root.glob("handlers/*.py")]:
        found.update(literal.findall(path.read_text(encoding="utf-8")))
    found = {key for key in found if key.rsplit(".", 1)[1] not in {"txt", "png", "xlsx", "csv", "db"}}  # file names
    assert len(found) > 80
    assert sorted(key for key in found if key not in messages.catalog("zh")) == []
