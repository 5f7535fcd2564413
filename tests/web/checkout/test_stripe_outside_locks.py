"""No call to Stripe while the app holds a database write lock.

A request that waits on Stripe with an order's row (PostgreSQL) or the whole database
(SQLite) locked keeps every other writer of that order waiting as long: the webhook,
the order page, another worker. The gateway's real HTTP client is watched
(``stripe_calls``): at each request to localstripe, a second connection tries to
write (SQLite) or the session's own locks are listed (PostgreSQL).

The card-element confirm (``pay_with_payment_method``) and ``orders refund`` still
call Stripe under the order's lock, which serialises two charges or refunds of one
order; they are left out here on purpose.
"""

from __future__ import annotations

import requests

from configurator.modules.orders.status import OrderStatus, PaymentStatus
from tests.web.checkout.conftest import CARD_OK, Shopper, StripeCall, deliver_events, ledger

BLACK_GLOW = {"colour": "black", "print": "glow"}


def held(calls: list[StripeCall]) -> list[StripeCall]:
    return [call for call in calls if call.locks]


def test_the_pay_page_makes_and_renews_the_intent_holding_no_lock(
    shopper: Shopper, localstripe: str, stripe_calls: list[StripeCall]
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    shopper.open_payment(token)  # makes the intent
    shopper.open_payment(token)  # reads it again
    lost = shopper.order().payment_intent_id
    requests.delete(f"{localstripe}/_config/data", timeout=5).raise_for_status()
    shopper.open_payment(token)  # Stripe forgot it: a fresh one

    order = shopper.order()
    assert order.intent_generation == 1
    assert order.payment_intent_id not in (None, lost)
    assert [row.reference for row in ledger(shopper.app)] == [f"lost:{lost}"]
    made = [call for call in stripe_calls if call.path == "/v1/payment_intents"]
    assert len(made) == 2, stripe_calls
    assert held(stripe_calls) == []


def test_the_order_page_reads_the_payment_holding_no_lock(
    shopper: Shopper, localstripe: str, stripe_calls: list[StripeCall]
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    assert shopper.pay(CARD_OK)["status"] == "processing"  # under the lock, see above
    stripe_calls.clear()

    page = shopper.client.get(f"/orders/{shopper.token}")

    assert "Paid — thank you!" in page.text
    assert [call.path for call in stripe_calls][:1] == [
        f"/v1/payment_intents/{shopper.order().payment_intent_id}"
    ]
    assert held(stripe_calls) == []
    again = shopper.client.get(f"/orders/{shopper.token}")  # a paid order asks no more
    assert "Paid — thank you!" in again.text
    assert held(stripe_calls) == []


def test_a_webhook_reads_the_intent_holding_no_lock(
    shopper: Shopper, localstripe: str, stripe_calls: list[StripeCall]
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    assert shopper.pay(CARD_OK)["status"] == "processing"
    stripe_calls.clear()

    answers = deliver_events(shopper.client, shopper.stripe)

    assert "paid/paid" in [answer["outcome"] for answer in answers]
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.PAID)
    assert stripe_calls, "the webhook re-reads the intent from Stripe"
    assert held(stripe_calls) == []
