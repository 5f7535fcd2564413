"""The payment event ledger: one row per thing Stripe told us, and what it did.

Its (provider, reference) uniqueness is the backstop that makes each event count once."""

from __future__ import annotations

import stripe
from sqlalchemy import select

from configurator.core.database import db
from configurator.modules.orders.models import Order, PaymentEvent

PROVIDER = "stripe"


def record_refund(order: Order, refund: stripe.Refund) -> PaymentEvent:
    """The ledger's row for one refund of the order (written once per refund id)."""
    recorded = db.session.execute(
        select(PaymentEvent).where(
            PaymentEvent.provider == PROVIDER, PaymentEvent.reference == refund.id
        )
    ).scalar_one_or_none()
    if recorded is not None:
        return recorded
    event = PaymentEvent(
        provider=PROVIDER,
        reference=refund.id,
        type="refund",
        order=order,
        payment_intent_id=order.payment_intent_id,
        amount=int(refund.amount),
        outcome=f"refund {refund.status}",
    )
    db.session.add(event)
    db.session.flush()
    return event


def already_recorded(reference: str) -> bool:
    query = select(PaymentEvent.id).where(
        PaymentEvent.provider == PROVIDER, PaymentEvent.reference == reference
    )
    return db.session.execute(query).first() is not None


def record_event(
    reference: str,
    kind: str,
    order: Order | None,
    intent_id: str | None,
    amount: int | None,
    outcome: str,
) -> None:
    """The ledger's row for something Stripe told us and what handling it did."""
    db.session.add(
        PaymentEvent(
            provider=PROVIDER,
            reference=reference,
            type=kind,
            order=order,
            payment_intent_id=intent_id,
            amount=amount,
            outcome=outcome[:200],
        )
    )
    db.session.flush()
