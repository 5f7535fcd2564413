"""The order's PaymentIntent: made once per generation, and what its state means."""

from __future__ import annotations

from collections.abc import Sequence

import stripe
from flask import current_app

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.ledger import record_event
from configurator.modules.orders.locks import lock_order
from configurator.modules.orders.models import Order
from configurator.modules.orders.orders import can_pay, order_key, set_payment_status
from configurator.modules.orders.refunds import book_refunds
from configurator.modules.orders.status import (
    PaymentStatus,
)


def _intent_key(order: Order, generation: int) -> str:
    return f"{order_key(order)}-payment-intent" + (f"-{generation}" if generation else "")


def create_intent_for(order: Order, generation: int) -> stripe.PaymentIntent:
    """Ask Stripe for the order's intent of this generation, for its server-side amount.

    Changes nothing in the database, so it needs no lock: the key derived from the
    order and the generation makes a second request for it return the same intent.
    """
    return gateway.create_payment_intent(
        amount=order.total_amount,
        currency=order.currency,
        metadata={"order_id": str(order.id), "order_reference": order.reference},
        idempotency_key=_intent_key(order, generation),
    )


def record_new_intent(order: Order, intent: stripe.PaymentIntent, generation: int) -> bool:
    """Lock the order and make ``intent`` its own, unless it has one of this generation.

    Returns whether the order now pays through ``intent``: another request that
    recorded one first wins.
    """
    lock_order(order)
    if order.payment_intent_id is None and order.intent_generation == generation:
        order.payment_intent_id = intent.id
        db.session.flush()
    return order.payment_intent_id == intent.id


def ensure_payment_intent(order: Order) -> str:
    """The order's PaymentIntent id, created once for the order's server-side amount.

    Stripe is asked before the order is locked (see ``create_intent_for``).
    """
    if order.payment_intent_id:
        return order.payment_intent_id
    generation = order.intent_generation
    record_new_intent(order, create_intent_for(order, generation), generation)
    assert order.payment_intent_id is not None
    return order.payment_intent_id


def replace_payment_intent(order: Order, intent: stripe.PaymentIntent) -> stripe.PaymentIntent:
    """Cancel an intent that must take no more attempts and make the next generation.

    Returns the intent to go on with: the new one or, when the old one moved on before
    it could be cancelled (its 3-D Secure check was completed just then), the old one
    as it is now, so that it is never paid twice. The order is locked.
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
    fresh = create_intent_for(order, order.intent_generation + 1)
    order.intent_generation += 1
    order.payment_intent_id = fresh.id
    db.session.flush()
    return gateway.retrieve_payment_intent(fresh.id)


def renew_lost_intent(order: Order, lost_id: str) -> stripe.PaymentIntent | None:
    """Give the order a fresh intent in place of one Stripe no longer knows.

    Nothing can be charged through an intent Stripe has forgotten (its test data was
    reset, the keys changed accounts), so the order would otherwise be stuck. Only an
    order that may still be paid gets one: a paid or processing order keeps its intent,
    so that no order is charged twice. The fresh intent is made before the order is
    locked; under the lock the order is checked again, and another request that
    renewed it first wins. Returns the fresh intent, or None when it was not taken.
    """
    if order.payment_intent_id != lost_id or not can_pay(order):
        return None
    fresh = create_intent_for(order, order.intent_generation + 1)
    lock_order(order)
    if order.payment_intent_id != lost_id or not can_pay(order):
        return None
    current_app.logger.warning("order %s: Stripe no longer knows %s", order.id, lost_id)
    record_event(f"lost:{lost_id}", "intent_lost", order, lost_id, None, "a fresh intent was made")
    order.intent_generation += 1
    order.payment_intent_id = fresh.id
    db.session.flush()
    return fresh


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


def sync_with_intent(
    order: Order,
    intent: stripe.PaymentIntent,
    *,
    verified: bool,
    refunds: Sequence[stripe.Refund] = (),
) -> str:
    """Bring the order in line with the intent as Stripe reports it now.

    ``refunds`` are its charge's, read beforehand (``read_charge_refunds``): this
    runs under the order's lock and calls no one.
    """
    mismatch = intent_mismatch(order, intent)
    if mismatch is not None:
        current_app.logger.error("order %s: %s (%s)", order.id, mismatch, intent.id)
        return f"ignored: {mismatch}"
    new = intent_payment_status(intent, verified=verified)
    moved = set_payment_status(order, new, _intent_error(intent))
    refunded = book_refunds(order, refunds) if verified and refunds else False
    if moved or refunded:
        return f"{order.status.value}/{order.payment_status.value}"
    return f"unchanged: {order.payment_status.value}"
