"""What checkout needs from the cart, in one place: the shopper's lines, and emptying it.

Checkout reads the cart only through these functions and trusts nothing in it but
the identity of what was chosen: prices are recomputed from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..cart.services import lines_of, remove_line


@dataclass(frozen=True)
class CartItem:
    line_id: int
    product_slug: str
    catalog_version_id: int
    choices: Any  # as stored; checkout validates it
    quantity: int


def cart_items(owner_token: str) -> list[CartItem]:
    return [
        CartItem(
            line_id=line.id,
            product_slug=line.product.slug,
            catalog_version_id=line.catalog_version_id,
            choices=line.choices,
            quantity=line.quantity,
        )
        for line in lines_of(owner_token)
    ]


def empty_cart(owner_token: str) -> None:
    for line in lines_of(owner_token):
        remove_line(line)
