"""What a button carries, as one typed codec: a small dataclass per kind of button, one encoder,
one strict decoder, and Telegram's 64-byte limit checked in one place.

The data is `<prefix>:<field>:<field>…`. Decoding refuses (None) anything that is not exactly one
of these shapes with every field in range — a forged or old button never reaches a service.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from bot.domain import inputs

MAX_BYTES = 64  # Telegram's limit for callback_data
_NONE = "-"


@dataclass(frozen=True)
class FlowButton:
    """A press inside a flow: its conversation (nonce), the step (or summary), what, with what value."""

    PREFIX: ClassVar[str] = "f"
    nonce: str
    step: str
    action: str
    value: str = ""


@dataclass(frozen=True)
class IssueButton:
    PREFIX: ClassVar[str] = "i"
    issue_id: int
    code: str  # the action's short name (services.issues.BUTTON_CODES)


@dataclass(frozen=True)
class PageButton:
    PREFIX: ClassVar[str] = "p"
    page: int


@dataclass(frozen=True)
class StartButton:
    """Start a flow from a reminder: 填报月报 (for a month, from a late notice), 周报."""

    PREFIX: ClassVar[str] = "go"
    flow: str
    month: str | None = None


@dataclass(frozen=True)
class ExportButton:
    PREFIX: ClassVar[str] = "x"
    kind: str
    month: str | None  # None for a ledger of no month (the issue ledger)


Button = FlowButton | IssueButton | PageButton | StartButton | ExportButton
_KINDS: dict[str, type] = {kind.PREFIX: kind for kind in (FlowButton, IssueButton, PageButton, StartButton,
                                                          ExportButton)}
_PARSERS = {"issue_id": inputs.row_id, "page": inputs.page, "month": inputs.month}


def encode(button: Button) -> str:
    parts = [button.PREFIX]
    for field in fields(button):
        value = getattr(button, field.name)
        parts.append(_NONE if value is None else str(value))
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Button | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    prefix, _, rest = data.partition(":")
    kind = _KINDS.get(prefix)
    if kind is None:
        return None
    names = [f.name for f in fields(kind)]
    parts = rest.split(":", len(names) - 1)  # the last field may hold colons (a flow's value)
    if len(parts) != len(names):
        return None
    values = {}
    for name, text in zip(names, parts, strict=True):
        if name == "month" and text == _NONE:
            values[name] = None
            continue
        parse = _PARSERS.get(name)
        value = parse(text) if parse else text
        if value is None or (parse is None and name != "value" and not text):
            return None
        values[name] = value
    return kind(**values)
