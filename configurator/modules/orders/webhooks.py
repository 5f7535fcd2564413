"""Act once on a verified Stripe event: re-read its intent, sync the order, log it."""

from __future__ import annotations

import stripe
from sqlalchemy.exc import IntegrityError

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.intents import sync_with_intent
from configurator.modules.orders.ledger import already_recorded, record_event
from configurator.modules.orders.locks import begin_writing, lock_order
from configurator.modules.orders.models import Order
from configurator.modules.orders.orders import order_paid_through
from configurator.modules.orders.refunds import read_charge_refunds

# Events that say something about a PaymentIntent's state or its charge's refunds.
HANDLED_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.processing",
        "payment_intent.requires_action",
        "payment_intent.canceled",
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.updated",
        "refund.failed",
    }
)


def apply_event(event: gateway.WebhookEvent) -> str:
    """Act on a verified event once: re-read the intent, sync the order, log the event.

    Returns what was done. A repeat of a recorded event changes nothing ("duplicate").
    Raises GatewayUnavailable when the intent cannot be re-read (the caller answers
    with an error so Stripe delivers the event again later). Stripe is read before
    the order is locked; under the lock the order is read again, and the transition
    table ignores news older than what is stored. Like every service it only
    flushes: its work sits in a savepoint, so losing the race to record the event
    undoes just that work and the caller's transaction goes on.
    """
    if already_recorded(event.id):
        return "duplicate"
    intent_id = event.intent_id
    handled = event.type in HANDLED_EVENTS and intent_id is not None
    order = order_paid_through(intent_id) if handled and intent_id is not None else None
    intent: stripe.PaymentIntent | None = None
    refunds: list[stripe.Refund] = []
    if order is not None:
        assert intent_id is not None
        intent = gateway.retrieve_payment_intent(intent_id)
        refunds = read_charge_refunds(intent)
        if lock_order(order).payment_intent_id != intent_id:
            order = None  # it took another intent meanwhile
    if order is None:
        begin_writing()
    elif already_recorded(event.id):
        return "duplicate"  # handled by another worker while we waited for the order
    try:
        with db.session.begin_nested():
            outcome = _apply_to_order(event, order, handled, intent, refunds)
            record_event(event.id, event.type, order, intent_id, event.amount, outcome)
    except IntegrityError:
        # The same event, recorded at the same moment by another worker: theirs stands.
        return "duplicate"
    return outcome


def _apply_to_order(
    event: gateway.WebhookEvent,
    order: Order | None,
    handled: bool,
    intent: stripe.PaymentIntent | None,
    refunds: list[stripe.Refund],
) -> str:
    if not handled:
        return f"ignored: {event.type} is not handled"
    if order is None or intent is None:
        return "ignored: no order for this intent"
    return sync_with_intent(order, intent, verified=True, refunds=refunds)
