"""What checkout needs from the cart, in one place: the shopper's lines, and emptying it.

Checkout reads the cart only through these functions and trusts nothing in it but
the identity of what was chosen: prices are recomputed from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configurator.modules.cart.models import CartLine
from configurator.modules.cart.services import lines_of, lock_cart, remove_lines, restore_line
from configurator.modules.orders.models import OrderLine


@dataclass(frozen=True)
class CartItem:
    line_id: int
    product_slug: str
    catalog_version_id: int
    choices: Any  # as stored; checkout validates it
    quantity: int


def _item(line: CartLine) -> CartItem:
    return CartItem(
        line_id=line.id,
        product_slug=line.product.slug,
        catalog_version_id=line.catalog_version_id,
        choices=line.choices,
        quantity=line.quantity,
    )


def cart_items(owner_token: str) -> list[CartItem]:
    return [_item(line) for line in lines_of(owner_token)]


def take_cart_items(owner_token: str) -> list[CartItem]:
    """The cart as stored, held for this transaction: no other checkout of it runs
    until this one commits or rolls back (see ``lock_cart``)."""
    return [_item(line) for line in lock_cart(owner_token)]


def remove_ordered(items: list[CartItem]) -> None:
    """Take these items out of the cart; lines added meanwhile stay."""
    remove_lines([item.line_id for item in items])


def put_back_in_cart(owner_token: str, lines: list[OrderLine]) -> None:
    """The lines of an order that will not be paid, back in its owner's cart: each as
    it was ordered, added to the same design if the cart has it again."""
    for line in lines:
        restore_line(
            owner_token,
            product_id=line.product_id,
            catalog_version_id=line.catalog_version_id,
            choices=line.choices,
            config_hash=line.config_hash,
            quantity=line.quantity,
        )
