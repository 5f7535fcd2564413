"""Money for people: integer minor units formatted per currency (Babel's CLDR data)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.numbers import format_currency, get_currency_precision

LOCALE = "en"
MINUS = "\u2212"
# Babel takes ~50 µs per amount, several times per configure answer; the amounts a shop
# shows repeat (its prices and their sums), so their texts are kept.
FORMATTED_KEPT = 4096


@lru_cache(maxsize=FORMATTED_KEPT)
def format_money(amount: int, currency: str) -> str:
    """``1290, "EUR"`` -> ``€12.90``; currencies without an English symbol get their
    code: ``CHF 12.34``."""
    exponent = get_currency_precision(currency)
    value = Decimal(abs(amount)).scaleb(-exponent)
    text = format_currency(value, currency, locale=LOCALE).replace("\xa0", " ")
    if text.startswith(currency) and not text.startswith(f"{currency} "):
        text = f"{currency} {text.removeprefix(currency)}"  # CLDR's currency spacing
    return f"{MINUS}{text}" if amount < 0 else text


def with_formatted_price(price: Mapping[str, Any]) -> dict[str, Any]:
    """An answer's ``price`` with each amount also as text (``formatted``), so that the
    browser shows the server's wording instead of formatting money itself."""
    currency = str(price["currency"])
    return {
        **price,
        "formatted": format_money(int(price["amount"]), currency),
        "lines": [
            {**line, "formatted": format_money(int(line["amount"]), currency)}
            for line in price["lines"]
        ],
    }
