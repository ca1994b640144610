"""The words of an import report, shared by the CLI (plain text) and the bot (HTML)."""

from __future__ import annotations

from messages import render, render_plain

MAX_LISTED = 20  # in a chat: the first ones, then how many more (the header gives the total)


def import_report(locale: str, report, *, plain: bool = False, cli: bool = False,
                  max_listed: int = MAX_LISTED) -> str:
    show = render_plain if plain else render
    lines = [show(locale, "import.applied" if report.applied else "import.rejected", r=report, cli=cli)]
    for error in report.errors[:max_listed]:
        problem = show(locale, f"import.problem.{error.kind}", value=error.value, other_row=error.other_row,
                       limit=error.limit, level=error.level)
        lines.append(show(locale, "import.cell", e=error, problem=problem))
    if len(report.errors) > max_listed:
        lines.append(show(locale, "import.more_errors", count=len(report.errors) - max_listed))
    return "\n".join(line for line in lines if line)


def sheet_error(locale: str, error, *, plain: bool = False) -> str:
    show = render_plain if plain else render
    defaults = {"sheet": None, "headers": "", "limit": 0, "row": None, "column": None}
    return show(locale, f"import.{error.kind}", **(defaults | error.details))
