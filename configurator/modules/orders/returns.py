"""An unpaid order back into the cart: Back from the payment page, a change of mind."""

from __future__ import annotations

from sqlalchemy import select

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.cart_source import put_back_in_cart
from configurator.modules.orders.ledger import already_recorded, record_event
from configurator.modules.orders.locks import lock_order
from configurator.modules.orders.models import Order
from configurator.modules.orders.orders import CheckoutError, can_pay, move_order
from configurator.modules.orders.reconcile import AWAITING_NEWS
from configurator.modules.orders.status import OrderStatus, PaymentStatus

# Orders shown with the cart as waiting for payment, newest first; older ones are on
# their own order pages still.
AWAITING_SHOWN = 5
RETURNED = "returned_to_cart"


def orders_awaiting_payment(owner_token: str) -> list[Order]:
    """The shopper's orders that are not paid yet (processing ones included): where the
    cart went when checkout turned it into an order."""
    query = (
        select(Order)
        .where(
            Order.owner_token == owner_token,
            Order.status == OrderStatus.PENDING_PAYMENT,
            Order.payment_status.in_(AWAITING_NEWS),
        )
        .order_by(Order.id.desc())
        .limit(AWAITING_SHOWN)
    )
    return list(db.session.execute(query).scalars())


def can_return_to_cart(order: Order) -> bool:
    """Only an order whose payment has not started (or failed) may go back to the cart:
    one paid or being paid keeps its lines, so that no line is both paid and in a cart."""
    return order.owner_token is not None and can_pay(order)


def _returned_reference(order: Order) -> str:
    return f"returned:{order.reference}"


def _check_returnable(order: Order) -> bool:
    """False when the order is back in the cart already (another tab did it); raises
    CheckoutError, saying why, when it may not go back."""
    if order.status == OrderStatus.CANCELLED and already_recorded(_returned_reference(order)):
        return False
    if can_return_to_cart(order):
        return True
    if order.payment_status == PaymentStatus.PROCESSING:
        raise CheckoutError(
            f"The payment of order {order.id} is being processed, so its items stay in the "
            "order. This page says how it went."
        )
    if order.status == OrderStatus.PENDING_PAYMENT:
        raise CheckoutError(f"Order {order.id} cannot go back to your cart.")
    raise CheckoutError(
        f"Order {order.id} is {order.status_label.lower()}, so its items cannot go back to "
        "your cart."
    )


def _void_intent(intent_id: str) -> None:
    """Cancel the intent at Stripe, so that nothing can be charged through it any more.

    Raises CheckoutError when Stripe says it was paid or is being paid (the money moved
    first), and the gateway's errors when Stripe cannot be reached.
    """
    try:
        gateway.cancel_payment_intent(intent_id)
    except gateway.IntentMissing:
        return  # Stripe no longer knows it: nothing can be charged through it
    except gateway.RequestRefused:
        intent = gateway.retrieve_payment_intent(intent_id)
        if intent.status != "canceled":
            raise CheckoutError(
                "Your payment for this order went through or is on its way, so its items "
                "stay in the order. This page says how it went."
            ) from None


def return_to_cart(order: Order) -> bool:
    """Put the lines of an order that was not paid back in its owner's cart, and cancel
    the order and its PaymentIntent (Back from the payment page, a change of mind).

    Stripe is asked first, with no database lock held: once the intent is cancelled,
    no tab can pay it. Then, with the order locked, it must still be unpaid and have
    that same intent (else a payment started meanwhile, and nothing is moved); the
    lines go back and the order is cancelled in the same transaction, so two tabs
    doing this at once put the lines back once. Returns False when another request
    had done it already. Raises CheckoutError when the order may not go back (paid,
    processing, a payment just started) and the gateway's errors when Stripe cannot
    be reached (nothing changes then).
    """
    if not _check_returnable(order):
        return False
    intent_id = order.payment_intent_id
    if intent_id is not None:
        _void_intent(intent_id)
    lock_order(order)
    if not _check_returnable(order):
        return False
    if order.payment_intent_id != intent_id:
        raise CheckoutError(
            f"A payment of order {order.id} was started just now, so its items stay in the "
            "order. Try again if you want them back in your cart."
        )
    assert order.owner_token is not None
    put_back_in_cart(order.owner_token, order.lines)
    move_order(order, OrderStatus.CANCELLED)
    record_event(
        _returned_reference(order),
        RETURNED,
        order,
        intent_id,
        order.total_amount,
        "lines back in the cart; order and intent cancelled",
    )
    return True
