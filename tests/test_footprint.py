"""What the bot carries before it does anything: the drawing and workbook libraries (matplotlib with numpy,
openpyxl, XlsxWriter — some 60 MB of a small server's memory) come with the first chart, sheet or ledger,
and aiohttp's web server with the dashboard or the webhook, when configured; not at start. (aiohttp's
client is the bot's way to the Bot API, so it comes at start.)"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "numpy", "openpyxl", "xlsxwriter", "aiohttp.web")


def test_starting_the_bot_loads_no_drawing_workbook_or_web_server_library():
    probe = f"import sys, bot.cli.main, bot.cli.commands; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == []


def test_the_first_chart_loads_them():
    probe = ("import sys; from bot.formats.chart import _drawing; _drawing(); "
             f"print(' '.join(m for m in {HEAVY[:2]!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == ["matplotlib", "numpy"]
