"""Ask Stripe about orders still waiting for news: what catches a lost webhook."""

from __future__ import annotations

from datetime import datetime

import stripe
from sqlalchemy import select

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.intents import (
    intent_mismatch,
    intent_payment_status,
    sync_with_intent,
)
from configurator.modules.orders.ledger import already_recorded, record_event
from configurator.modules.orders.locks import lock_order
from configurator.modules.orders.models import Order
from configurator.modules.orders.refunds import read_charge_refunds
from configurator.modules.orders.status import (
    OrderStatus,
    PaymentStatus,
)

AWAITING_NEWS = (
    PaymentStatus.UNPAID,
    PaymentStatus.REQUIRES_ACTION,
    PaymentStatus.PROCESSING,
    PaymentStatus.FAILED,
)


def _awaits_news(order: Order) -> bool:
    return order.payment_intent_id is not None and order.payment_status in AWAITING_NEWS


def _news_in(order: Order, intent: stripe.PaymentIntent) -> bool:
    """Whether applying the intent would change the order (or be refused)."""
    return (
        intent_mismatch(order, intent) is not None
        or intent_payment_status(intent, verified=True) != order.payment_status
    )


def reconcile_payment(order: Order) -> str:
    """Apply what Stripe says of the order's intent now, as a verified event would.

    The app asks Stripe itself, with its secret key, so the answer is as good as the
    re-read behind a signed event: an intent found succeeded makes the order paid.
    This is what catches an event that never arrived (the app was down, Stripe gave
    up); the order page and ``orders reconcile`` both call it. Returns what was done
    (see ``reconcile_with_intent``); raises the gateway's errors (``IntentMissing``
    when Stripe no longer knows the intent).
    """
    if not _awaits_news(order):
        return f"unchanged: {order.payment_status.value}"
    assert order.payment_intent_id is not None
    return reconcile_with_intent(order, gateway.retrieve_payment_intent(order.payment_intent_id))


def reconcile_with_intent(order: Order, intent: stripe.PaymentIntent) -> str:
    """Apply the order's intent, just read from Stripe, if it is news.

    Every call to Stripe comes before the order is locked: a worker waiting for the
    lock is never kept waiting on Stripe. Under the lock the order is read again and
    only news is applied, so that what the webhook stored meanwhile wins (a paid
    order, or one that moved to another intent, is left alone) and the webhook, the
    page and the command leave one transition between them. The first time the
    order takes an intent state this way, the ledger gets
    ``reconcile:<intent id>:<status>``.
    """
    if not _awaits_news(order) or not _news_in(order, intent):
        return f"unchanged: {order.payment_status.value}"
    refunds = read_charge_refunds(intent)
    lock_order(order)
    if not _awaits_news(order) or order.payment_intent_id != intent.id:
        return f"unchanged: {order.payment_status.value}"  # settled since it was read
    outcome = sync_with_intent(order, intent, verified=True, refunds=refunds)
    reference = f"reconcile:{intent.id}:{intent.status}"
    if not outcome.startswith("unchanged") and not already_recorded(reference):
        record_event(reference, "reconcile", order, intent.id, intent.amount, outcome)
    return outcome


def orders_to_reconcile(last_changed_before: datetime) -> list[int]:
    """Ids of the orders still waiting to hear how their payment went, unchanged since."""
    query = (
        select(Order.id)
        .where(
            Order.status == OrderStatus.PENDING_PAYMENT,
            Order.payment_intent_id.is_not(None),
            Order.payment_status.in_(AWAITING_NEWS),
            Order.updated_at < last_changed_before,
        )
        .order_by(Order.id)
    )
    return list(db.session.execute(query).scalars())
