"""Requests that touch the same order at the same time: the stored state always wins.

Every read-modify-write of an order's statuses locks its row first and re-reads it
(SELECT ... FOR UPDATE on PostgreSQL, the database write lock on SQLite), so a request
that loaded the order earlier cannot write its older view over a newer one.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.models import PaymentEvent
from configurator.modules.orders.services import apply_event, order_from_token, reconcile_payment
from configurator.modules.orders.status import OrderStatus, PaymentStatus
from tests.web.checkout.conftest import (
    CARD_3DS,
    Shopper,
    post_event,
    signature_header,
    stripe_events,
)

BLACK_GLOW = {"colour": "black", "print": "glow"}


def authenticated_but_not_yet_paid(shopper: Shopper) -> dict[str, Any]:
    """An order whose 3-D Secure check just succeeded; returns the succeeded event."""
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    answer = shopper.pay(CARD_3DS)
    assert answer["status"] == "requires_action"
    shopper.authenticate(answer["client_secret"], success=True)
    assert shopper.order().payment_status == PaymentStatus.REQUIRES_ACTION
    (event,) = stripe_events(shopper.stripe, "payment_intent.succeeded")
    return event


def test_an_order_page_that_read_the_order_before_the_webhook_cannot_undo_paid(
    shopper: Shopper, localstripe: str
) -> None:
    event = authenticated_but_not_yet_paid(shopper)
    with shopper.app.app_context():
        page_view = order_from_token(shopper.token)  # the order page has read the order...
        assert page_view is not None
        assert page_view.payment_status == PaymentStatus.REQUIRES_ACTION
        with shopper.app.app_context():  # ...the webhook commits meanwhile, in its own...
            webhook = post_event(shopper.client, event)  # ...session and transaction...
            assert webhook.json["outcome"] == "paid/paid"
        reconcile_payment(page_view)  # ...then the page applies what the intent says.
        db.session.commit()
        assert page_view.payment_status == PaymentStatus.PAID
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.PAID)
    refund = shopper.app.test_cli_runner().invoke(args=["orders", "refund", str(order.id)])
    assert refund.exit_code == 0, refund.output


def test_an_order_page_waits_for_the_webhook_in_progress_and_shows_paid(
    shopper: Shopper, localstripe: str
) -> None:
    """Two connections: the webhook's transaction holds the order; the page waits."""
    event = authenticated_but_not_yet_paid(shopper)
    payload = json.dumps(event).encode()
    answers: dict[str, Any] = {}

    def open_order_page() -> None:
        answers["page"] = shopper.client.get(f"/orders/{shopper.token}")

    page = threading.Thread(target=open_order_page)
    with shopper.app.app_context():
        verified = gateway.verified_event(payload, signature_header(payload))
        assert apply_event(verified) == "paid/paid"  # flushed, not committed yet
        page.start()
        page.join(timeout=1.5)
        assert page.is_alive(), "the order page did not wait for the webhook's lock"
        db.session.commit()
    page.join(timeout=30)
    assert not page.is_alive()
    assert answers["page"].status_code == 200
    assert "Paid — thank you!" in answers["page"].text
    assert 'http-equiv="refresh"' not in answers["page"].text
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.PAID)


def test_losing_the_race_to_record_an_event_leaves_the_callers_transaction_alone(
    shopper: Shopper,
) -> None:
    """Two workers get the same event: the second's insert fails on the unique
    constraint (PostgreSQL) or it finds the first's row (SQLite); either way it answers
    "duplicate" and only its own work for the event is undone (a savepoint), not what
    its transaction did before."""
    event = {
        "id": "evt_delivered_twice",
        "object": "event",
        "type": "customer.created",
        "data": {"object": {"object": "customer", "id": "cus_1"}},
    }
    payload = json.dumps(event).encode()
    answers: dict[str, Any] = {}

    def second_worker() -> None:
        with shopper.app.app_context():
            # Whatever the request did first, in the same transaction.
            db.session.add(
                PaymentEvent(provider="test", reference="earlier-work", type="test", outcome="")
            )
            db.session.flush()
            verified = gateway.verified_event(payload, signature_header(payload))
            answers["outcome"] = apply_event(verified)
            db.session.commit()

    second = threading.Thread(target=second_worker)
    with shopper.app.app_context():
        verified = gateway.verified_event(payload, signature_header(payload))
        assert apply_event(verified).startswith("ignored:")  # recorded, not committed
        second.start()
        second.join(timeout=1.5)
        assert second.is_alive(), "the second worker did not wait for the first"
        db.session.commit()
    second.join(timeout=30)
    assert answers["outcome"] == "duplicate"
    with shopper.app.app_context():
        references = db.session.execute(db.select(PaymentEvent.reference)).scalars().all()
    assert sorted(references) == ["earlier-work", "evt_delivered_twice"]
