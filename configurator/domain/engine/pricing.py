"""Prices in integer minor units, with one line per contribution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.domain.engine.expr import Value, evaluate
from configurator.domain.engine.model import Catalog


def price_lines(catalog: Catalog, choices: Mapping[str, Value]) -> list[dict[str, Any]]:
    """Base price, then each chosen option with a price, then each price rule that holds."""
    lines: list[dict[str, Any]] = [{"label": catalog.name, "amount": catalog.base_price}]
    for attribute in catalog.attributes:
        value = choices.get(attribute.id)
        if value is None or attribute.kind not in ("single", "multi"):
            continue
        chosen = value if isinstance(value, frozenset) else {value}
        for option in attribute.options:
            if option.id in chosen and option.price:
                lines.append(
                    {"label": f"{attribute.label}: {option.label}", "amount": option.price,
                     "attribute": attribute.id, "option": option.id}
                )  # fmt: skip
    for rule in catalog.rules:
        if (
            rule.kind == "price"
            and rule.when is not None
            and rule.add
            and evaluate(rule.when, choices)
        ):
            label = rule.label or rule.message or rule.name
            lines.append({"label": label, "amount": rule.add, "rule": rule.name})
    return lines


def price_json(catalog: Catalog, choices: Mapping[str, Value]) -> dict[str, Any]:
    lines = price_lines(catalog, choices)
    return {
        "currency": catalog.currency,
        "amount": sum(line["amount"] for line in lines),
        "lines": lines,
    }
