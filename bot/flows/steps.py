"""What a flow is made of: steps (field, prompt, parser, choices, …), the flow that lists them and
commits them, and the answers a parser may give instead of a value. Declarations only: the engine
runs them, the catalogue lists them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.flows.session import Session


class InputError(Exception):
    """The answer is not acceptable; `key` is the message that says why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class NeedsConfirmation(Exception):
    """The answer is unusual (a YTD below last month's): ask before taking it."""

    def __init__(self, key: str, answer: Any, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.answer = answer
        self.values = values


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Shortcut:
    """A one-tap answer offered with a step: "same as last month", "the default deadline"."""

    value: Any
    label: str


Parser = Callable[[str, Session], Awaitable[Any]]
Chooser = Callable[[Session], Awaitable[list[Choice]]]


@dataclass(frozen=True)
class Step:
    name: str
    kind: Literal["text", "choice", "multi", "photos"]
    prompt: str
    parse: Parser | None = None
    choices: Chooser | None = None
    optional: bool = False
    shortcut: Callable[[Session], Awaitable[Shortcut | None]] | None = None
    skip: Callable[[Session], Awaitable[bool]] | None = None
    default: Callable[[Session], Awaitable[Any]] | None = None  # the answer when the step is skipped
    show: Callable[[Any, Session], Awaitable[str]] | None = None
    preselected: Callable[[Session], Awaitable[str | None]] | None = None
    editable: bool = True
    resets: tuple[str, ...] = ()  # later steps whose answers no longer hold when this one changes
    title: str | None = None  # the field's name where the policy gives it (else the catalog's field.FLOW.STEP)
    values: dict = field(default_factory=dict)  # more values for its prompt


@dataclass(frozen=True)
class Flow:
    name: str
    steps: list[Step]
    commit: Callable[[Session], Awaitable[Then | None]]
    summary: bool = True
    prefill: Callable[[Session], Awaitable[None]] | None = None
    index: dict[str, int] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.index.update({s.name: i for i, s in enumerate(self.steps)})


@dataclass(frozen=True)
class Then:
    """What a commit may return: start this flow next, with this draft (周报 → 反映问题)."""

    flow: str
    draft: dict
