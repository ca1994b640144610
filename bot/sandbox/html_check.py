"""Telegram's HTML parse mode, strictly: what it rejects, we reject with its words."""

from __future__ import annotations

import html
import re

ALLOWED = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*(/?)>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


class ParseError(ValueError):
    pass


def visible_text(source: str) -> str:
    """The text a reader sees, or ParseError with Telegram's description of what is wrong."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            match = _TAG.match(source, i)
            if not match:
                raise ParseError(f"Can't parse entities: unexpected character '<' at byte offset {_byte(source, i)}")
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED:
                raise ParseError(f"Can't parse entities: unsupported start tag \"{name}\" "
                                 f"at byte offset {_byte(source, i)}")
            if closing:
                if not stack or stack[-1] != name:
                    expected = stack[-1] if stack else ""
                    raise ParseError(f"Can't parse entities: unmatched end tag at byte offset {_byte(source, i)}, "
                                     f"expected \"</{expected}>\", found \"</{name}>\"")
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
        elif ch == "&":
            match = _ENTITY.match(source, i)
            if not match:
                raise ParseError(f"Can't parse entities: unsupported entity at byte offset {_byte(source, i)}")
            out.append(html.unescape(match.group(0)))
            i = match.end()
        elif ch == ">":
            raise ParseError(f"Can't parse entities: unexpected character '>' at byte offset {_byte(source, i)}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ParseError(f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


def _byte(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))
