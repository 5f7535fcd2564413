"""Price the cart from the current catalog and the engine, line by line.

Nothing in the cart but the identity of what was chosen is trusted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configurator.core.database import db
from configurator.domain.engine import ChoiceError, config_hash
from configurator.domain.engine.model import Catalog
from configurator.domain.engine.pricing import price_json
from configurator.domain.rendering import preview_key
from configurator.domain.reopen import value_label
from configurator.modules.cart.models import MAX_QUANTITY
from configurator.modules.catalog.engines import carry_over, engine_for
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.catalog.services import current_version
from configurator.modules.orders.cart_source import (
    CartItem,
    cart_items,
)
from configurator.modules.previews.services import register_drawable_preview, register_preview


@dataclass
class QuotedLine:
    """One cart line priced by the server, or the reason it cannot be bought."""

    item: CartItem
    product_name: str
    version: CatalogVersion | None = None
    canonical: dict[str, Any] = field(default_factory=dict)
    option_labels: list[dict[str, str]] = field(default_factory=list)
    price_lines: list[dict[str, Any]] = field(default_factory=list)
    currency: str = ""
    unit_amount: int = 0
    problem: str | None = None
    preview_name: str | None = None  # the content hash of its preview, when it has art
    preview_url: str | None = None

    @property
    def quantity(self) -> int:
        return self.item.quantity

    @property
    def line_amount(self) -> int:
        return self.unit_amount * self.quantity

    @property
    def config_hash(self) -> str:
        assert self.version is not None
        return config_hash(self.version.slug, self.version.version, self.canonical)


@dataclass
class Quote:
    lines: list[QuotedLine]
    problem: str | None = None  # about the cart as a whole

    @property
    def problems(self) -> list[str]:
        found = [f"{line.product_name}: {line.problem}" for line in self.lines if line.problem]
        return found + ([self.problem] if self.problem else [])

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not self.problems

    @property
    def currency(self) -> str:
        return self.lines[0].currency if self.lines else ""

    @property
    def total(self) -> int:
        return sum(line.line_amount for line in self.lines if line.problem is None)


def option_labels(catalog: Catalog, canonical: dict[str, Any]) -> list[dict[str, str]]:
    """What the shopper chose, in words, in the catalog's order: each value as the cart
    and the configurator show it (``value_label``), so a monogram reads “AB” on all."""
    return [
        {"attribute": attribute.label, "value": value_label(attribute, canonical[attribute.id])}
        for attribute in catalog.attributes
        if canonical.get(attribute.id) is not None
    ]


def quote_item(item: CartItem) -> QuotedLine:
    """Price one cart line from the current catalog, as if it had just been chosen."""
    version = current_version(item.product_slug)
    if version is None:
        return QuotedLine(item, item.product_slug, problem="This product is no longer sold.")
    line = QuotedLine(item, version.product.name, version=version)
    source = db.session.get(CatalogVersion, item.catalog_version_id)
    if source is None or source.product_id != version.product_id:
        line.problem = "This line does not match its product; please design it again."
        return line
    if not isinstance(item.quantity, int) or not 1 <= item.quantity <= MAX_QUANTITY:
        line.problem = f"The quantity must be between 1 and {MAX_QUANTITY}."
        return line
    if not isinstance(item.choices, dict):
        line.problem = "This design could not be read; please design it again."
        return line
    try:
        carried = carry_over(source, item.choices, version)
    except ChoiceError as error:
        line.problem = f"This design no longer fits the catalog: {error.message}"
        return line
    if not carried.valid:
        conflict = carried.conflict or {}
        reasons = [*carried.dropped, str(conflict.get("message") or "")]
        if not carried.complete and not conflict:
            catalog = engine_for(version).catalog
            missing = [
                a.label for a in catalog.attributes if a.required and a.id not in carried.choices
            ]
            if missing:
                reasons.append(f"Still to choose: {_in_words(missing)}.")
        line.problem = " ".join(reason for reason in reasons if reason)
        # what the shopper has (as it was put in the cart), beside what to fix
        line.option_labels = option_labels(engine_for(source).catalog, carried.original)
        line.preview_name = register_drawable_preview(source, carried.original)
        return line
    engine = engine_for(version)
    line.canonical = carried.choices
    price = price_json(engine.catalog, engine.parse(carried.choices))
    line.price_lines = list(price["lines"])
    line.currency = str(price["currency"]).upper()
    line.unit_amount = int(price["amount"])
    line.option_labels = option_labels(engine.catalog, line.canonical)
    line.preview_name = register_preview(version, line.canonical)
    if line.preview_name is not None:
        line.preview_url = f"/previews/{preview_key(line.preview_name, '300', 'webp')}"
    return line


def _in_words(labels: list[str]) -> str:
    """'Sole', 'Sole and Laces', 'Sole, Laces and Lining'."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def quote_cart(owner_token: str) -> Quote:
    return quote_items(cart_items(owner_token))


def quote_items(items: list[CartItem]) -> Quote:
    quote = Quote([quote_item(item) for item in items])
    currencies = {line.currency for line in quote.lines if line.problem is None}
    if len(currencies) > 1:
        quote.problem = (
            "Your cart mixes currencies ("
            + ", ".join(sorted(currencies))
            + "); order the items separately."
        )
    return quote
