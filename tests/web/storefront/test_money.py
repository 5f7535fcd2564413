"""Prices in minor units, formatted per currency."""

from __future__ import annotations

import pytest

from configurator.domain.money import format_money, with_formatted_price
from configurator.web.storefront.services import number_ranges


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (9900, "EUR", "€99.00"),
        (5, "EUR", "€0.05"),
        (-1500, "EUR", "\u2212€15.00"),
        (123456789, "GBP", "£1,234,567.89"),
        (1200, "JPY", "¥1,200"),
        (1234, "CHF", "CHF 12.34"),
        (1234, "KWD", "KWD 1.234"),
    ],
)
def test_format_money(amount: int, currency: str, text: str) -> None:
    assert format_money(amount, currency) == text


def test_number_ranges_join_runs() -> None:
    assert number_ranges([36, 37, 38, 41, 43, 44]) == "36–38, 41, 43–44"
    assert number_ranges([]) == "none"


def test_the_configure_answer_carries_its_prices_as_text() -> None:
    price = {"currency": "EUR", "amount": -1500, "lines": [{"label": "Base", "amount": 9900}]}
    shown = with_formatted_price(price)
    assert shown["formatted"] == "\u2212€15.00" and shown["amount"] == -1500
    assert shown["lines"] == [{"label": "Base", "amount": 9900, "formatted": "€99.00"}]
