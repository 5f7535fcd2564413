"""Money for people: integer minor units formatted per currency (Babel's CLDR data)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

LOCALE = "en"
MINUS = "\u2212"


def format_money(amount: int, currency: str) -> str:
    """``1290, "EUR"`` -> ``€12.90``; currencies without an English symbol get their
    code: ``CHF 12.34``."""
    exponent = get_currency_precision(currency)
    value = Decimal(abs(amount)).scaleb(-exponent)
    text = format_currency(value, currency, locale=LOCALE).replace("\xa0", " ")
    if text.startswith(currency) and not text.startswith(f"{currency} "):
        text = f"{currency} {text.removeprefix(currency)}"  # CLDR's currency spacing
    return f"{MINUS}{text}" if amount < 0 else text
