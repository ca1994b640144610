"""The one engine that runs every flow: prompt, parse, validate, store the draft, summarise, commit.

A flow's state lives in the `conversations` table, so a restart resumes at the same step with
every answer kept. Buttons carry a FlowButton (nonce, step, action, value); a button whose nonce or
step is not the person's current one is stale, and a value not among the step's choices is refused.
Each rendering of a summary has its own step reference (S1, S2, …), so a summary card older than
the newest is stale too: 提交 on it cannot store what that card never showed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from bot.domain.buttons import FlowButton, encode
from bot.domain.errors import Refused
from bot.domain.inputs import MAX_TEXT
from bot.flows.catalog import flow_named
from bot.flows.session import Session
from bot.flows.steps import Flow, InputError, NeedsConfirmation, Step
from bot.services.delivery import inline_keyboard
from storage import conversations

IDLE_LIMIT = timedelta(hours=24)
SUMMARY = "S"
MAX_PHOTOS = 9


def _data(nonce: str, step: str, action: str, value: str = "") -> str:
    return encode(FlowButton(nonce, step, action, value))


def field_label(s: Session, flow: Flow, step: Step) -> str:
    """What an answer is called in a summary, an edit button or a cancel notice."""
    return step.title or s.label(f"field.{flow.name}.{step.name}")


class Engine:
    """Runs one person's flow for one update; the caller holds the transaction."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # -- starting, resuming, ending -----------------------------------------------------------
    async def start(self, name: str, draft: dict | None = None, answers: dict | None = None) -> None:
        """`answers`: what a person already said (a one-line report), given to the steps as if typed or
        pressed, each checked as the step checks it; the flow asks only what is missing or wrong."""
        current = await conversations.get(self.s.tx, self.s.person.id)
        if current is not None:
            await self.s.say("flow.replaced", flow=self.s.label(f"flow.{current.flow}"))
        flow = flow_named(name, self.s.policy)
        self.s.draft = dict(draft or {}) | ({"_answers": answers} if answers else {})
        if flow.prefill:
            await flow.prefill(self.s)
        self._nonce = secrets.token_hex(3)
        await self._advance(flow, -1)

    async def load(self) -> tuple[Flow, str] | None:
        """The person's flow and current step, expiring it if idle too long (with a note)."""
        current = await conversations.get(self.s.tx, self.s.person.id)
        if current is None:
            return None
        if self.s.now - current.updated_at > IDLE_LIMIT:
            await conversations.clear(self.s.tx, self.s.person.id)
            await self.s.say("flow.expired", flow=self.s.label(f"flow.{current.flow}"),
                             started=current.updated_at, hours=int(IDLE_LIMIT.total_seconds() // 3600))
            return None
        self.s.draft = current.draft
        self._nonce = current.nonce
        return flow_named(current.flow, self.s.policy), current.step

    async def cancel(self) -> str | None:
        current = await conversations.get(self.s.tx, self.s.person.id)
        if current is None:
            return None
        await conversations.clear(self.s.tx, self.s.person.id)
        return current.flow

    async def _save(self, flow: Flow, step: str) -> None:
        await conversations.save(self.s.tx, self.s.person.id, flow.name, step, self._nonce,
                                 self.s.draft, self.s.now)

    # -- input ----------------------------------------------------------------------------------
    async def on_text(self, text: str) -> bool:
        """False if the person has no flow (the caller handles the text otherwise)."""
        loaded = await self.load()
        if loaded is None:
            return False
        flow, step_name = loaded
        if step_name == SUMMARY:
            await self.s.say("flow.use_buttons")
            return True
        step = flow.steps[flow.index[step_name]]
        if step.kind != "text" and not (step.kind == "choice" and step.parse):
            await self.s.say("flow.photos_hint" if step.kind == "photos" else "flow.use_buttons")
            return True
        if len(text) > MAX_TEXT:
            await self.s.say("flow.too_long", limit=MAX_TEXT, length=len(text))
            return True
        try:
            value = await step.parse(text, self.s) if step.parse else text.strip()
        except InputError as exc:
            await self.s.say(exc.key, **exc.values)
            await self._prompt(flow, step)
            return True
        except NeedsConfirmation as exc:
            await self._confirm(flow, step, exc)
            return True
        await self._accept(flow, step, value)
        return True

    async def on_photo(self, file_id: str) -> bool:
        loaded = await self.load()
        if loaded is None:
            return False
        flow, step_name = loaded
        step = flow.steps[flow.index[step_name]] if step_name != SUMMARY else None
        if step is None or step.kind != "photos":
            await self.s.say("flow.no_photo_here")
            return True
        photos = self.s.draft.setdefault(step.name, [])
        if len(photos) >= MAX_PHOTOS:
            await self.s.say("flow.photos_full", limit=MAX_PHOTOS)
            return True
        photos.append(file_id)
        await self._save(flow, step.name)
        index = str(flow.index[step.name])
        await self.s.say("flow.photo_received", count=len(photos), limit=MAX_PHOTOS,
                         keyboard=inline_keyboard([[(self.s.label("button.done"), _data(self._nonce, index, "d"))]]))
        return True

    async def on_button(self, pressed: FlowButton, message_id: int | None) -> str | None:
        """Returns a short answer for the button (None: no popup)."""
        step_ref, action, value = pressed.step, pressed.action, pressed.value
        loaded = await self.load()
        if loaded is None or pressed.nonce != self._nonce:
            return self.s.label("flow.stale_button")
        flow, step_name = loaded
        current_ref = self._summary_ref() if step_name == SUMMARY else str(flow.index[step_name])
        if step_ref != current_ref:
            return self.s.label("flow.stale_button")
        if step_name == SUMMARY:
            return await self._summary_button(flow, action, value)
        step = flow.steps[flow.index[step_name]]
        if action == "v" and step.kind == "choice":
            choices = await step.choices(self.s)
            chosen = next((c for c in choices if c.value == value), None)
            if chosen is None:
                return self.s.label("flow.not_allowed")
            if message_id:
                prompt = self.s.t(step.prompt, **self._prompt_values(step))
                await self.s.edit(message_id, self.s.t("flow.chosen", prompt=prompt, choice=chosen.label))
            await self._accept(flow, step, value)
            return None
        if action == "t" and step.kind == "multi":
            choices = await step.choices(self.s)
            if value not in {c.value for c in choices}:
                return self.s.label("flow.not_allowed")
            picked = self.s.draft.setdefault(step.name, [])
            picked.remove(value) if value in picked else picked.append(value)
            await self._save(flow, step.name)
            await self._prompt(flow, step)
            return None
        if action == "d" and step.kind in ("multi", "photos"):
            await self._accept(flow, step, self.s.draft.get(step.name, []))
            return None
        if action == "s" and step.optional:
            await self._accept(flow, step, [] if step.kind in ("multi", "photos") else None)
            return None
        if action == "l" and step.shortcut and (shortcut := await step.shortcut(self.s)) is not None:
            await self._accept(flow, step, shortcut.value)
            return None
        if action in ("y", "n") and "_pending" in self.s.draft:
            pending = self.s.draft.pop("_pending")
            if action == "y":
                await self._accept(flow, step, pending)
            else:
                await self._save(flow, step.name)
                await self._prompt(flow, step)
            return None
        return self.s.label("flow.stale_button")

    async def _summary_button(self, flow: Flow, action: str, value: str) -> str | None:
        if action == "ok":
            await self._commit(flow)
            return None
        if action == "x":
            await conversations.clear(self.s.tx, self.s.person.id)
            await self.s.say("flow.cancelled", flow=self.s.label(f"flow.{flow.name}"))
            return None
        if action == "e" and value.isdigit() and int(value) < len(flow.steps) and flow.steps[int(value)].editable:
            step = flow.steps[int(value)]
            self.s.draft["_editing"] = True
            await self._save(flow, step.name)
            await self._prompt(flow, step)
            return None
        return self.s.label("flow.stale_button")

    # -- moving on ------------------------------------------------------------------------------
    async def _accept(self, flow: Flow, step: Step, value: Any) -> None:
        if step.name in self.s.draft and self.s.draft[step.name] != value:
            for name in step.resets:  # e.g. another unit: the person chosen from the old one goes
                self.s.draft.pop(name, None)
        self.s.draft[step.name] = value
        if self.s.draft.pop("_editing", False) and flow.summary:
            again = None
            for later in flow.steps:  # the first answer the change voided that still has a question
                if later.name in step.resets and later.name not in self.s.draft \
                        and not (later.skip and await later.skip(self.s)):
                    again = later
                    break
            if again is None:
                await self._summarise(flow)
                return
            self.s.draft["_editing"] = True  # ask what was reset, then back to the summary
            await self._save(flow, again.name)
            await self._prompt(flow, again)
            return
        await self._advance(flow, flow.index[step.name])

    async def _advance(self, flow: Flow, after: int) -> None:
        answers = self.s.draft.get("_answers") or {}  # a one-line report's, kept until each step has its turn
        for step in flow.steps[after + 1:]:
            if step.skip and await step.skip(self.s):
                if step.default is not None:
                    self.s.draft[step.name] = await step.default(self.s)
                continue
            if step.name in answers and step.name not in self.s.draft:
                taken = await self._given(flow, step, answers[step.name])
                if taken:
                    continue
                if taken is None:  # waiting for a confirmation
                    return
            await self._save(flow, step.name)
            await self._prompt(flow, step)
            return
        if flow.summary:
            await self._summarise(flow)
        else:
            await self._commit(flow)

    async def _confirm(self, flow: Flow, step: Step, exc: NeedsConfirmation) -> None:
        """An unusual answer (a YTD below last month's): kept aside until the person confirms or retypes."""
        self.s.draft["_pending"] = exc.answer
        await self._save(flow, step.name)
        index = str(flow.index[step.name])
        await self.s.say(exc.key, inline_keyboard([[
            (self.s.label("button.confirm"), _data(self._nonce, index, "y")),
            (self.s.label("button.retype"), _data(self._nonce, index, "n"))]]), **exc.values)

    async def _given(self, flow: Flow, step: Step, answer: Any) -> bool | None:
        """An answer given before the question (a one-line report): True if taken; False if the step
        must ask (the error said); None if it asks to confirm an unusual value."""
        if answer is None and step.optional:  # said to be none: the step is skipped
            self.s.draft[step.name] = [] if step.kind in ("multi", "photos") else None
            return True
        if step.kind == "text":
            try:
                self.s.draft[step.name] = await step.parse(answer, self.s) if step.parse else answer.strip()
            except InputError as exc:
                await self.s.say(exc.key, **exc.values)
                return False
            except NeedsConfirmation as exc:
                await self._confirm(flow, step, exc)
                return None
            return True
        offered = {c.value for c in await step.choices(self.s)} if step.choices else set()
        if step.kind == "choice" and answer in offered:
            self.s.draft[step.name] = answer
            return True
        if step.kind in ("multi", "photos") and step.optional and all(a in offered for a in answer):
            self.s.draft[step.name] = list(answer)
            return True
        return False

    async def _commit(self, flow: Flow) -> None:
        """The flow ends before its commit runs, so the commit may name the next flow to start."""
        await conversations.clear(self.s.tx, self.s.person.id)
        try:
            then = await flow.commit(self.s)
        except Refused as exc:
            await self.s.say(exc.key, **exc.values)
            return
        queue = self.s.draft.get("_queue") or []  # the next lines of a several-line message, a card each
        if then is not None:
            await self.start(then.flow, then.draft)
        elif queue:
            name, draft, answers = queue[0]
            await self.start(name, {**draft, "_queue": queue[1:]}, answers)

    def _prompt_values(self, step: Step) -> dict:
        current = self.s.draft.get(step.name)
        return {"draft": self.s.draft, "limit": MAX_PHOTOS,
                "count": len(current) if isinstance(current, list) else 0, "title": step.title, **step.values}

    async def _prompt(self, flow: Flow, step: Step) -> None:
        index = str(flow.index[step.name])
        rows: list[list[tuple[str, str]]] = []
        if step.kind in ("choice", "multi"):
            choices = await step.choices(self.s)
            if not choices and not step.optional and not step.parse:
                await conversations.clear(self.s.tx, self.s.person.id)
                await self.s.say("flow.no_choices", flow=self.s.label(f"flow.{flow.name}"),
                                 field=field_label(self.s, flow, step))
                return
            picked = set(self.s.draft.get(step.name) or []) if step.kind == "multi" else set()
            current = await step.preselected(self.s) if step.preselected else None
            action = "v" if step.kind == "choice" else "t"
            for choice in choices:
                mark = "✅ " if choice.value in picked or choice.value == current else ""
                rows.append([(mark + choice.label, _data(self._nonce, index, action, choice.value))])
        extra = []
        if step.kind in ("multi", "photos"):
            extra.append((self.s.label("button.done"), _data(self._nonce, index, "d")))
        if step.shortcut and (shortcut := await step.shortcut(self.s)) is not None:
            extra.append((shortcut.label, _data(self._nonce, index, "l")))
        if step.optional:
            extra.append((self.s.label("button.skip"), _data(self._nonce, index, "s")))
        if extra:
            rows.append(extra)
        await self.s.say(step.prompt, inline_keyboard(rows) if rows else None, **self._prompt_values(step))

    def _summary_ref(self) -> str:
        return f"{SUMMARY}{self.s.draft.get('_summaries', 0)}"

    async def _summarise(self, flow: Flow) -> None:
        self.s.draft["_summaries"] = self.s.draft.get("_summaries", 0) + 1  # older cards go stale
        await self._save(flow, SUMMARY)
        lines = []
        for step in flow.steps:  # a step skipped for its obvious answer still shows that answer
            if step.name not in self.s.draft:
                continue
            value = self.s.draft[step.name]
            shown = await step.show(value, self.s) if step.show else (value or "—")
            lines.append((field_label(self.s, flow, step), shown))
        rows, ref = [], self._summary_ref()
        editable = [(i, s) for i, s in enumerate(flow.steps)
                    if s.editable and s.name in self.s.draft and not (s.skip and await s.skip(self.s))]
        for start in range(0, len(editable), 2):
            rows.append([(self.s.label("button.edit") + field_label(self.s, flow, s),
                          _data(self._nonce, ref, "e", str(i))) for i, s in editable[start:start + 2]])
        rows.append([(self.s.label("button.submit"), _data(self._nonce, ref, "ok")),
                     (self.s.label("button.cancel"), _data(self._nonce, ref, "x"))])
        await self.s.say("flow.summary", inline_keyboard(rows), title=self.s.label(f"flow.{flow.name}"),
                         lines=lines)
