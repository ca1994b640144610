"""The bulletin's chart: completion rate by lead unit against 序时进度, labels in Chinese.

matplotlib with the Noto Sans CJK SC font that mplfonts ships, so a fresh machine draws Chinese
rather than empty boxes. Called in a thread (it is CPU work).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import mplfonts
from matplotlib import font_manager
from matplotlib.figure import Figure

from bot.domain.bulletin_figures import BulletinData
from bot.domain.flags import behind_colour
from bot.domain.periods import completion_exact, time_share_exact
from bot.domain.policy import FlagPolicy

COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}


@cache
def _font() -> str:
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _margins(figure: Figure, labels: list[str]) -> None:
    """Room for the longest unit name on the left, the title above, the axis label below: what
    tight_layout would find, without measuring every text (a third of the drawing time)."""
    width, height = figure.get_size_inches()
    em = 10 / 72  # inches per character at the 10 pt tick labels; Latin letters are about half
    longest = max((sum(1 if ord(c) > 0x2E80 else 0.55 for c in label) for label in labels), default=4)
    figure.subplots_adjust(left=min(0.5, (0.3 + longest * em) / width), right=0.97,
                           top=1 - 0.45 / height, bottom=0.6 / height)


def completion_chart(data: BulletinData, flags: FlagPolicy, title: str, axis: str, plan_label: str) -> bytes:
    units = [u for u in data.ranking if u.rate is not None][::-1]  # best at the top
    figure = Figure(figsize=(8, max(3.0, 0.45 * len(units) + 1.6)), dpi=110)
    ax = figure.subplots()
    family = _font()
    colours = []
    share = time_share_exact(data.month, flags.plan_curve)
    for unit in units:
        colours.append(COLOURS[behind_colour(share - completion_exact(unit.ytd, unit.plan), flags)])
    ax.barh([u.unit for u in units], [u.rate for u in units], color=colours)
    ax.axvline(data.time_share, color="#555555", linestyle="--", label=f"{plan_label} {data.time_share:.1f}%")
    ax.set_title(title, fontfamily=family)
    ax.set_xlabel(axis, fontfamily=family)
    for label in ax.get_yticklabels():
        label.set_fontfamily(family)
    ax.legend(prop={"family": family})
    _margins(figure, [u.unit for u in units])
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
