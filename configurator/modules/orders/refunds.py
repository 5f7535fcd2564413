"""Refunds through Stripe, booked in the ledger; only succeeded ones count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import stripe
from sqlalchemy import func, select

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.ledger import record_refund
from configurator.modules.orders.locks import lock_order
from configurator.modules.orders.models import Order, PaymentEvent
from configurator.modules.orders.orders import CheckoutError, apply_refunded_total, order_key
from configurator.modules.orders.status import (
    PaymentStatus,
)

REFUND_UNDER_WAY = ("pending", "requires_action")


def apply_refunds(order: Order, refunds: Sequence[stripe.Refund]) -> bool:
    """Count what Stripe has given back: only succeeded refunds count. Pending ones
    count once Stripe says they succeeded; failed or cancelled ones never do."""
    succeeded = sum(int(refund.amount) for refund in refunds if refund.status == "succeeded")
    return apply_refunded_total(order, succeeded)


def _refunds_under_way(refunds: list[stripe.Refund]) -> int:
    return sum(int(refund.amount) for refund in refunds if refund.status in REFUND_UNDER_WAY)


def read_charge_refunds(intent: stripe.PaymentIntent) -> list[stripe.Refund]:
    """The refunds of the intent's charge, read from Stripe when it has any (no lock)."""
    charge = intent.latest_charge
    if isinstance(charge, stripe.Charge) and int(charge.amount_refunded or 0) > 0:
        return gateway.list_refunds(intent.id)
    return []


def book_refunds(order: Order, refunds: Sequence[stripe.Refund]) -> bool:
    """Book the refunds Stripe reported that the ledger lacks, count the succeeded."""
    for refund in refunds:
        record_refund(order, refund)
    return apply_refunds(order, refunds)


@dataclass(frozen=True)
class RefundOutcome:
    """What Stripe did with a refund: ``status`` is Stripe's (succeeded, pending,
    requires_action, failed, canceled); ``earlier`` when the same refund had already
    been made by an attempt whose answer was lost."""

    event: PaymentEvent
    status: str
    amount: int
    failure_reason: str | None = None
    earlier: bool = False

    @property
    def reference(self) -> str:
        return self.event.reference


def _refund_key(refund: stripe.Refund) -> str | None:
    metadata = refund.metadata
    key = gateway.REFUND_KEY_METADATA
    return str(metadata[key]) if metadata and key in metadata else None


def _refund_outcome(order: Order, refund: stripe.Refund, *, earlier: bool) -> RefundOutcome:
    reason = getattr(refund, "failure_reason", None)
    return RefundOutcome(
        event=record_refund(order, refund),
        status=str(refund.status),
        amount=int(refund.amount),
        failure_reason=str(reason) if reason else None,
        earlier=earlier,
    )


def refund_order(order: Order, amount: int | None = None) -> RefundOutcome:
    """Refund ``amount`` minor units (default: all that is left) through Stripe.

    What Stripe already holds is read first: refunds made elsewhere are booked, and a
    refund made by an earlier attempt of this same command (same key; its answer was
    lost) is reported instead of being made again. The key also goes to Stripe as the
    idempotency key. Only succeeded refunds count as refunded; pending ones are
    booked and count when Stripe confirms them. Raises CheckoutError or gateway errors.
    """
    lock_order(order)
    if order.payment_status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
        raise CheckoutError(
            f"Order {order.id} cannot be refunded: payment is {order.payment_status.value}."
        )
    intent_id = order.payment_intent_id
    assert intent_id is not None
    booked = db.session.execute(
        select(func.count(PaymentEvent.id)).where(
            PaymentEvent.order_id == order.id, PaymentEvent.type == "refund"
        )
    ).scalar_one()
    key = f"{order_key(order)}-refund-{booked}-{amount if amount is not None else 'rest'}"
    refunds = gateway.list_refunds(intent_id)
    book_refunds(order, refunds)
    for refund in refunds:
        if _refund_key(refund) == key:
            return _refund_outcome(order, refund, earlier=True)
    remaining = order.refundable_amount - _refunds_under_way(refunds)
    if remaining <= 0:
        raise CheckoutError(
            f"Order {order.id} has nothing left to refund: Stripe shows all of it refunded "
            "or on its way back."
        )
    amount = remaining if amount is None else amount
    if not 0 < amount <= remaining:
        raise CheckoutError(
            f"Order {order.id}: a refund must be between 1 and {remaining} (minor units)."
        )
    refund = gateway.create_refund(intent_id, amount, idempotency_key=key)
    apply_refunds(order, [*(known for known in refunds if known.id != refund.id), refund])
    return _refund_outcome(order, refund, earlier=False)
