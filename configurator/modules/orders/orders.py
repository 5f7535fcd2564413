"""Orders made from the cart: create, find, link to, and move their statuses."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy import select

from configurator.core.database import db
from configurator.modules.orders.cart_source import (
    remove_ordered,
    take_cart_items,
)
from configurator.modules.orders.models import Order, OrderLine
from configurator.modules.orders.quote import quote_items
from configurator.modules.orders.status import (
    OrderStatus,
    PaymentStatus,
    TransitionError,
    can_move_order,
    can_move_payment,
)

LINK_SALT = "atelier-order-link"


class CheckoutError(Exception):
    """Something the shopper or merchant is told, in words they can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Contact:
    email: str
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str


def create_order(owner_token: str, contact: Contact, checkout_key: str) -> Order:
    """Snapshot the re-priced cart into an order awaiting payment; empties the cart.

    One cart gives one order, whatever arrives at once: checkouts of one shopper's
    cart take turns (``take_cart_items``), and each reads the cart only once it has
    its turn. ``checkout_key`` names the form sent: sent again (a double click, a
    reload, Back), it returns the order it made, even though the cart is empty now.

    Raises CheckoutError when the cart is empty or a line cannot be bought as it is.
    """
    items = take_cart_items(owner_token)
    made = order_for_checkout(owner_token, checkout_key)
    if made is not None:
        return made
    quote = quote_items(items)
    if not quote.lines:
        raise CheckoutError("Your cart is empty.")
    if not quote.ok:
        raise CheckoutError(" ".join(quote.problems))
    order = Order(
        owner_token=owner_token,
        checkout_key=checkout_key,
        email=contact.email,
        shipping_name=contact.name,
        shipping_line1=contact.line1,
        shipping_line2=contact.line2 or None,
        shipping_city=contact.city,
        shipping_postal_code=contact.postal_code,
        shipping_country=contact.country,
        currency=quote.currency,
        total_amount=quote.total,
        amount_refunded=0,
        status=OrderStatus.PENDING_PAYMENT,
        payment_status=PaymentStatus.UNPAID,
        intent_generation=0,
    )
    for position, line in enumerate(quote.lines):
        assert line.version is not None
        order.lines.append(
            OrderLine(
                position=position,
                product_id=line.version.product_id,
                product_slug=line.version.slug,
                product_name=line.product_name,
                catalog_version_id=line.version.id,
                catalog_version=line.version.version,
                choices=line.canonical,
                option_labels=line.option_labels,
                price_lines=line.price_lines,
                config_hash=line.config_hash,
                # Products without art keep the configuration hash in its place.
                preview_hash=line.preview_name or line.config_hash,
                unit_amount=line.unit_amount,
                quantity=line.quantity,
                line_amount=line.line_amount,
            )
        )
    db.session.add(order)
    db.session.flush()
    remove_ordered(items)
    return order


def order_for_checkout(owner_token: str, checkout_key: str) -> Order | None:
    """The order this shopper's checkout form (named by its key) already made, if any."""
    return db.session.execute(
        select(Order).where(Order.owner_token == owner_token, Order.checkout_key == checkout_key)
    ).scalar_one_or_none()


def order_paid_through(intent_id: str) -> Order | None:
    """The order whose current PaymentIntent this is, as read (not locked)."""
    return db.session.execute(
        select(Order).where(Order.payment_intent_id == intent_id)
    ).scalar_one_or_none()


def get_order(order_id: int) -> Order | None:
    return db.session.get(Order, order_id)


def list_orders(status: OrderStatus | None = None) -> list[Order]:
    query = select(Order).order_by(Order.id)
    if status is not None:
        query = query.where(Order.status == status)
    return list(db.session.execute(query).scalars())


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def order_token(order: Order) -> str:
    """The private link's token: the random reference, signed with the app's key."""
    return _signer().sign(order.reference).decode()


def order_from_token(token: str) -> Order | None:
    try:
        reference = _signer().unsign(token).decode()
    except BadSignature:
        return None
    return db.session.execute(
        select(Order).where(Order.reference == reference)
    ).scalar_one_or_none()


def move_order(order: Order, new: OrderStatus) -> None:
    if order.status == new:
        return
    if not can_move_order(order.status, new):
        raise TransitionError(f"order {order.id}: {order.status.value} -> {new.value}")
    order.status = new


def order_key(order: Order) -> str:
    return f"atelier-order-{order.reference}"


def set_payment_status(order: Order, new: PaymentStatus, error: str | None = None) -> bool:
    """Move the payment status if the table allows it; late or repeated news is ignored."""
    if order.payment_status == new:
        if new == PaymentStatus.FAILED and error:
            order.payment_error = error
        return False
    if not can_move_payment(order.payment_status, new):
        return False
    order.payment_status = new
    order.payment_error = error if new == PaymentStatus.FAILED else None
    if new == PaymentStatus.PAID and can_move_order(order.status, OrderStatus.PAID):
        move_order(order, OrderStatus.PAID)
    return True


def apply_refunded_total(order: Order, refunded: int) -> bool:
    """Record that ``refunded`` minor units have been given back in all."""
    if refunded <= order.amount_refunded:
        return False
    order.amount_refunded = min(refunded, order.total_amount)
    if order.amount_refunded >= order.total_amount:
        set_payment_status(order, PaymentStatus.REFUNDED)
        if can_move_order(order.status, OrderStatus.REFUNDED):
            move_order(order, OrderStatus.REFUNDED)
    else:
        set_payment_status(order, PaymentStatus.PARTIALLY_REFUNDED)
    return True


def can_pay(order: Order) -> bool:
    return order.status == OrderStatus.PENDING_PAYMENT and order.payment_status in (
        PaymentStatus.UNPAID,
        PaymentStatus.FAILED,
        PaymentStatus.REQUIRES_ACTION,
    )
