"""The 快讯's chart on a phone: every bar keeps its height whether one unit or forty are ranked, so the
picture grows with the units rather than one unit becoming a block (docs/charts/ holds both drawn)."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image

from bot.domain.bulletin_figures import UnitRank
from bot.formats.chart import completion_chart
from bot.services import bulletins
from tests.helpers import POLICY, TZ


def _ranking(n: int) -> list[UnitRank]:
    return [UnitRank(rank=i + 1, unit=f"单位{i}", projects=2, plan=100_000_000, ytd=(95 - 2 * i) * 1_000_000,
                     rate=95 - 2 * i) for i in range(n)]


async def test_one_unit_and_forty_units_draw_bars_of_the_same_height(db, team):
    data = await bulletins.gather(db.read, "2026-10", None, POLICY, TZ)
    sizes = {}
    for n in (1, 40):
        png = completion_chart(replace(data, ranking=_ranking(n)), POLICY.flags, "t", "x", "序时进度",
                               {"green": "a", "yellow": "b", "red": "c"})
        sizes[n] = Image.open(io.BytesIO(png)).size
    assert sizes[1] == (880, round(3.2 * 110))  # the smallest picture: one bar, the key and the axis
    assert sizes[40][1] == round((0.42 * 40 + 2.0) * 110)  # 0.42 inch a bar
