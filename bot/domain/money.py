"""Money is integer 元 everywhere; people type and read 万元 / 亿元."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

WAN = 10_000
YI = 100_000_000
MAX_YUAN = 10**14  # 100 万亿元: above any project, and far inside SQLite's 64-bit integers

_UNITS = {"": WAN, "万": WAN, "万元": WAN, "亿": YI, "亿元": YI, "元": 1}
_PATTERN = re.compile(r"^([+-]?[0-9][0-9,]*(?:\.[0-9]+)?)(万元|亿元|万|亿|元)?$")


class MoneyError(ValueError):
    """`kind` says what is wrong: 'not_number', 'negative' or 'too_large'."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(f"{kind}: {text!r}")
        self.kind = kind
        self.text = text


def parse_wan(text: str | float | Decimal, default_unit: str = "万") -> int:
    """Parse an amount typed in 万元 (or with an explicit 万 / 亿 / 元 suffix) into 元."""
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        number, unit = Decimal(str(text)), default_unit
    else:
        # NFKC turns the full-width digits and commas a Chinese keyboard types into ASCII ones
        cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
        match = _PATTERN.match(cleaned)
        if not match:
            raise MoneyError("not_number", str(text))
        try:
            number = Decimal(match.group(1).replace(",", ""))
        except InvalidOperation:
            raise MoneyError("not_number", str(text)) from None
        unit = match.group(2) or default_unit
    if not number.is_finite():  # 1e309 from a spreadsheet arrives as inf
        raise MoneyError("not_number", str(text))
    if number < 0:
        raise MoneyError("negative", str(text))
    yuan = number * _UNITS[unit]
    if yuan > MAX_YUAN:
        raise MoneyError("too_large", str(text))
    return int(yuan.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def wan(yuan: int) -> str:
    """元 → '1,234.5' in 万元, trailing zeros trimmed."""
    value = (Decimal(yuan) / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def yi(yuan: int) -> str:
    """元 → '12.35' in 亿元."""
    value = (Decimal(yuan) / YI).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:,.2f}"
