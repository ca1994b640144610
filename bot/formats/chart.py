"""The bulletin's chart: completion rate by lead unit against 序时进度, labels in Chinese.

matplotlib with the Noto Sans CJK SC font that mplfonts ships, so a fresh machine draws Chinese
rather than empty boxes. Called in a thread (it is CPU work). matplotlib (and numpy under it, some 60 MB)
is loaded with the first chart, not with the bot: a county's small server carries it only once it draws.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bot.domain.bulletin_figures import BulletinData
from bot.domain.flags import behind_colour
from bot.domain.periods import completion_exact, time_share_exact
from bot.domain.policy import FlagPolicy

# neutral shades by distance from 序时进度: a unit's bar must not read as a 红牌 for the unit
COLOURS = {"green": "#1f4e79", "yellow": "#5b9bd5", "red": "#bdd7ee"}


if TYPE_CHECKING:
    from matplotlib.figure import Figure


@cache
def _drawing() -> SimpleNamespace:
    """matplotlib's parts, and the Chinese font's family name, loaded once on the first chart."""
    import matplotlib
    matplotlib.use("Agg")
    import mplfonts
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(path))
    return SimpleNamespace(Figure=Figure, Line2D=Line2D, Patch=Patch,
                           family=font_manager.FontProperties(fname=str(path)).get_name())


def _margins(figure: Figure, labels: list[str]) -> None:
    """Room for the longest unit name on the left, the title above, the key and the axis label below:
    what tight_layout would find, without measuring every text (a third of the drawing time)."""
    width, height = figure.get_size_inches()
    em = 10 / 72  # inches per character at the 10 pt tick labels; Latin letters are about half
    longest = max((sum(1 if ord(c) > 0x2E80 else 0.55 for c in label) for label in labels), default=4)
    figure.subplots_adjust(left=min(0.5, (0.3 + longest * em) / width), right=0.95,
                           top=1 - 0.45 / height, bottom=1.05 / height)


def completion_chart(data: BulletinData, flags: FlagPolicy, title: str, axis: str, plan_label: str,
                     bands: dict[str, str]) -> bytes:
    """Bars best at the top, each labelled with its rate and shaded by how far it is behind 序时进度 (`bands`
    names each shade);
    the 序时进度 line; a key of the colours and the line under the plot, clear of the bars. One unit or
    forty, each bar keeps about the same height."""
    units = [u for u in data.ranking if u.rate is not None][::-1]  # best at the top
    mpl = _drawing()
    figure = mpl.Figure(figsize=(8, max(3.2, 0.42 * len(units) + 2.0)), dpi=110)
    ax = figure.subplots()
    family = mpl.family
    share = time_share_exact(data.month, flags.plan_curve)
    colours = [COLOURS[behind_colour(share - completion_exact(u.ytd, u.plan), flags)] for u in units]
    bars = ax.barh([u.unit for u in units], [u.rate for u in units], color=colours, height=0.62)
    ax.bar_label(bars, labels=[f"{u.rate:.1f}%" for u in units], padding=3, fontsize=9)
    pad = max(0, 3 - len(units)) / 2  # one unit is a bar in the middle, not a block
    ax.set_ylim(-0.75 - pad, len(units) - 0.25 + pad)
    ax.set_xlim(0, max([100.0, data.time_share, *(u.rate for u in units)]) * 1.12)
    ax.axvline(data.time_share, color="#555555", linestyle="--", zorder=0)
    ax.set_title(title, fontfamily=family)
    ax.set_xlabel(axis, fontfamily=family)
    for label in ax.get_yticklabels():
        label.set_fontfamily(family)
    key = [mpl.Patch(color=COLOURS[c], label=bands[c]) for c in ("green", "yellow", "red")]
    key.append(mpl.Line2D([], [], color="#555555", linestyle="--", label=f"{plan_label} {data.time_share:.1f}%"))
    figure.legend(handles=key, prop={"family": family, "size": 9}, loc="lower center", ncol=4, frameon=False,
                  bbox_to_anchor=(0.5, 0.0))
    _margins(figure, [u.unit for u in units])
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
