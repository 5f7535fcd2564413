"""Money for people: integer minor units formatted per currency."""

from __future__ import annotations

# ISO 4217 minor-unit exponents that are not 2.
EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "TND": 3}
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥"}
MINUS = "\u2212"


def format_money(amount: int, currency: str) -> str:
    """``1290, "EUR"`` -> ``€12.90``; unknown currencies get their code: ``CHF 12.90``."""
    exponent = EXPONENTS.get(currency, 2)
    sign = MINUS if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**exponent)
    number = f"{whole:,}" + (f".{fraction:0{exponent}d}" if exponent else "")
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"
