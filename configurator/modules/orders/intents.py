"""The order's PaymentIntent: made once per generation, and what its state means."""

from __future__ import annotations

import stripe
from flask import current_app

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.ledger import record_event
from configurator.modules.orders.locks import lock_order
from configurator.modules.orders.models import Order
from configurator.modules.orders.orders import can_pay, order_key, set_payment_status
from configurator.modules.orders.refunds import sync_refunds
from configurator.modules.orders.status import (
    PaymentStatus,
)


def ensure_payment_intent(order: Order) -> str:
    """The order's PaymentIntent id, created once for the order's server-side amount."""
    if order.payment_intent_id:
        return order.payment_intent_id
    made_meanwhile = lock_order(order).payment_intent_id  # by another request
    if made_meanwhile:
        return made_meanwhile
    intent = gateway.create_payment_intent(
        amount=order.total_amount,
        currency=order.currency,
        metadata={"order_id": str(order.id), "order_reference": order.reference},
        idempotency_key=f"{order_key(order)}-payment-intent"
        + (f"-{order.intent_generation}" if order.intent_generation else ""),
    )
    order.payment_intent_id = intent.id
    db.session.flush()
    return intent.id


def replace_payment_intent(order: Order, intent: stripe.PaymentIntent) -> stripe.PaymentIntent:
    """Cancel an intent that must take no more attempts and make the next generation.

    Returns the intent to go on with: the new one or, when the old one moved on before
    it could be cancelled (its 3-D Secure check was completed just then), the old one
    as it is now, so that it is never paid twice.
    """
    if intent.status != "canceled":
        try:
            gateway.cancel_payment_intent(intent.id)
        except gateway.RequestRefused:
            now = gateway.retrieve_payment_intent(intent.id)
            if now.status != "canceled":
                current_app.logger.warning(
                    "order %s: %s could not be cancelled (%s)", order.id, intent.id, now.status
                )
                return now
    return gateway.retrieve_payment_intent(_next_intent(order))


def _next_intent(order: Order) -> str:
    """Make the order's next generation of intent (the order is locked)."""
    order.intent_generation += 1
    order.payment_intent_id = None
    return ensure_payment_intent(order)


def renew_lost_intent(order: Order, lost_id: str) -> None:
    """Give the order a fresh intent in place of one Stripe no longer knows.

    Nothing can be charged through an intent Stripe has forgotten (its test data was
    reset, the keys changed accounts), so the order would otherwise be stuck. Only an
    order that may still be paid gets one: a paid or processing order keeps its intent,
    so that no order is charged twice. Another request that renewed it first wins.
    """
    lock_order(order)
    if order.payment_intent_id != lost_id or not can_pay(order):
        return
    current_app.logger.warning("order %s: Stripe no longer knows %s", order.id, lost_id)
    record_event(f"lost:{lost_id}", "intent_lost", order, lost_id, None, "a fresh intent was made")
    _next_intent(order)


def client_secret(order: Order) -> str:
    intent = gateway.retrieve_payment_intent(ensure_payment_intent(order))
    return str(intent.client_secret)


def intent_payment_status(intent: stripe.PaymentIntent, *, verified: bool) -> PaymentStatus:
    status = intent.status
    if status == "succeeded":
        # Only a verified event may say "paid"; anything else may say "processing".
        return PaymentStatus.PAID if verified else PaymentStatus.PROCESSING
    if status in ("processing", "requires_capture"):
        return PaymentStatus.PROCESSING
    if status == "requires_action":
        return PaymentStatus.REQUIRES_ACTION
    if status == "canceled":
        return PaymentStatus.FAILED
    return PaymentStatus.FAILED if intent.last_payment_error else PaymentStatus.UNPAID


def _intent_error(intent: stripe.PaymentIntent) -> str | None:
    error = intent.last_payment_error
    if not error:
        return None
    message = getattr(error, "message", None) or "The payment did not go through."
    return str(message)[:500]


def intent_mismatch(order: Order, intent: stripe.PaymentIntent) -> str | None:
    metadata = intent.metadata
    order_id = metadata["order_id"] if metadata and "order_id" in metadata else None
    if order_id != str(order.id):
        return "intent belongs to another order"
    if intent.amount != order.total_amount or str(intent.currency).upper() != order.currency:
        return f"intent is for {intent.amount} {intent.currency}, order is {order.total_amount}"
    return None


def sync_with_intent(order: Order, intent: stripe.PaymentIntent, *, verified: bool) -> str:
    """Bring the order in line with the intent as Stripe reports it now."""
    mismatch = intent_mismatch(order, intent)
    if mismatch is not None:
        current_app.logger.error("order %s: %s (%s)", order.id, mismatch, intent.id)
        return f"ignored: {mismatch}"
    new = intent_payment_status(intent, verified=verified)
    moved = set_payment_status(order, new, _intent_error(intent))
    charge = intent.latest_charge
    refunded = False
    if verified and isinstance(charge, stripe.Charge) and int(charge.amount_refunded or 0) > 0:
        refunded = sync_refunds(order, intent.id)
    if moved or refunded:
        return f"{order.status.value}/{order.payment_status.value}"
    return f"unchanged: {order.payment_status.value}"
