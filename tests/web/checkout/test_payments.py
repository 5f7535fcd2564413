"""Paying for orders through Stripe's API: success, decline, 3-D Secure, webhooks, refunds."""

from __future__ import annotations

import requests
import stripe
from flask import Flask

from configurator.modules.orders.status import OrderStatus, PaymentStatus
from tests.web.checkout.conftest import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    WEBHOOK_PATH,
    Shopper,
    charges_of,
    deliver_events,
    intents_of,
    ledger,
    post_event,
    stripe_events,
)

BLACK_GLOW = {"colour": "black", "print": "glow"}  # 2000 + 200 + 500 + 100 (rule) = 2800


def paid_order(shopper: Shopper, quantity: int = 1) -> None:
    shopper.add_to_cart(BLACK_GLOW, quantity=quantity)
    shopper.start(shopper.checkout())
    assert shopper.pay(CARD_OK)["status"] == "processing"
    deliver_events(shopper.client, shopper.stripe)


def test_card_payment_is_paid_by_the_verified_webhook(
    shopper: Shopper, stripe_client: stripe.StripeClient
) -> None:
    """The confirm's answer (which the browser passes on) does not make the order paid;
    the webhook does, after reading the intent. (The order page's own read of the
    intent does too: tests/web/checkout/test_reconcile.py.)"""
    shopper.add_to_cart(BLACK_GLOW, quantity=2)
    shopper.start(shopper.checkout())

    answer = shopper.pay(CARD_OK)
    assert answer["status"] == "processing"
    order = shopper.order()
    assert order.payment_status == PaymentStatus.PROCESSING
    assert order.status == OrderStatus.PENDING_PAYMENT

    intent = stripe_client.v1.payment_intents.retrieve(order.payment_intent_id or "")
    assert intent.amount == 5600 and intent.currency == "eur"
    assert intent.metadata["order_id"] == str(order.id)

    deliver_events(shopper.client, shopper.stripe)
    order = shopper.order()
    assert order.status == OrderStatus.PAID
    assert order.payment_status == PaymentStatus.PAID
    assert [event.type for event in order.events] == ["payment_intent.succeeded"]
    page = shopper.client.get(f"/orders/{shopper.token}")
    assert "Paid — thank you!" in page.text
    assert "Glow in the dark" in page.text  # the snapshot of what was bought


def test_order_snapshots_what_was_bought(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW, quantity=2)
    shopper.start(shopper.checkout())
    order = shopper.order()
    assert order.total_amount == 5600 and order.currency == "EUR"
    (line,) = order.lines
    assert (line.product_slug, line.catalog_version, line.quantity) == ("tee", 1, 2)
    assert line.choices == {"colour": "black", "print": "glow"}
    assert {"attribute": "Print", "value": "Glow in the dark"} in line.option_labels
    assert [price["amount"] for price in line.price_lines] == [2000, 200, 500, 100]
    assert (line.unit_amount, line.line_amount) == (2800, 5600)
    assert len(line.preview_hash) == 64
    # The cart was emptied into the order.
    assert "Your cart is empty" in shopper.client.get("/checkout").text


def test_declined_card_fails_honestly_and_a_retry_pays_once(
    shopper: Shopper, stripe_client: stripe.StripeClient
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())

    answer = shopper.pay(CARD_DECLINED)
    assert answer["status"] == "failed"
    assert "declined" in answer["message"]
    deliver_events(shopper.client, shopper.stripe)  # payment_intent.payment_failed
    order = shopper.order()
    assert order.payment_status == PaymentStatus.FAILED
    assert order.status == OrderStatus.PENDING_PAYMENT
    page = shopper.client.get(f"/orders/{shopper.token}")
    assert "Payment failed" in page.text and "Try again" in page.text

    shopper.open_payment(shopper.token)
    assert shopper.pay(CARD_OK)["status"] == "processing"
    deliver_events(shopper.client, shopper.stripe)
    order = shopper.order()
    assert order.payment_status == PaymentStatus.PAID
    # Charged once. (localstripe cannot confirm an intent again after a decline, so
    # there the retry got a new intent and the declined one was cancelled.)
    intents = {intent.id: intent.status for intent in intents_of(stripe_client, order)}
    charges = charges_of(shopper.stripe, stripe_client, list(intents))
    assert sorted(charge.status for charge in charges) == ["failed", "succeeded"]
    expected = ["canceled", "succeeded"] if shopper.stripe.is_local else ["succeeded"]
    assert sorted(intents.values()) == expected
    assert intents[order.payment_intent_id or ""] == "succeeded"


def test_three_d_secure_completed(shopper: Shopper, localstripe: str) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    answer = shopper.pay(CARD_3DS)
    assert answer["status"] == "requires_action"
    assert answer["client_secret"].startswith(shopper.order().payment_intent_id)
    assert shopper.order().payment_status == PaymentStatus.REQUIRES_ACTION

    shopper.authenticate(answer["client_secret"], success=True)
    page = shopper.client.get(f"/orders/{shopper.token}")  # it reads the intent: succeeded
    assert "Paid — thank you!" in page.text
    deliver_events(shopper.client, shopper.stripe)
    assert shopper.order().payment_status == PaymentStatus.PAID


def test_three_d_secure_failed_offers_a_retry(shopper: Shopper, localstripe: str) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    answer = shopper.pay(CARD_3DS)
    shopper.authenticate(answer["client_secret"], success=False)

    page = shopper.client.get(f"/orders/{shopper.token}")
    assert "Payment failed" in page.text and "failed authentication" in page.text
    assert 'id="retry-payment"' in page.text
    order = shopper.order()
    assert order.payment_status == PaymentStatus.FAILED
    assert order.status == OrderStatus.PENDING_PAYMENT

    shopper.open_payment(shopper.token)
    assert shopper.pay(CARD_OK)["status"] == "processing"
    deliver_events(shopper.client, shopper.stripe)
    assert shopper.order().status == OrderStatus.PAID


def test_webhook_with_a_bad_signature_is_refused(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    shopper.pay(CARD_OK)
    (event,) = stripe_events(shopper.stripe, "payment_intent.succeeded")

    assert post_event(shopper.client, event, secret="whsec_wrong").status_code == 400
    unsigned = shopper.client.post(WEBHOOK_PATH, json=event)
    assert unsigned.status_code == 400
    # A valid signature over a different body does not verify either.
    from tests.web.checkout.conftest import signature_header

    forged = shopper.client.post(
        WEBHOOK_PATH,
        data=b'{"id": "evt_forged"}',
        headers={"Stripe-Signature": signature_header(b'{"id": "evt_other"}')},
    )
    assert forged.status_code == 400
    assert ledger(shopper.app) == []
    assert shopper.order().payment_status == PaymentStatus.PROCESSING


def test_the_same_event_five_times_changes_the_order_once(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    shopper.pay(CARD_OK)
    (event,) = stripe_events(shopper.stripe, "payment_intent.succeeded")

    outcomes = []
    for _ in range(5):
        response = post_event(shopper.client, event)
        assert response.status_code == 200
        outcomes.append(response.json["outcome"])  # type: ignore[index]
    assert outcomes == ["paid/paid"] + ["duplicate"] * 4
    assert [row.reference for row in ledger(shopper.app)] == [event["id"]]
    assert shopper.order().status == OrderStatus.PAID


def test_events_out_of_order_end_in_one_paid_order(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    shopper.pay(CARD_DECLINED)
    shopper.open_payment(shopper.token)
    shopper.pay(CARD_OK)
    (failed,) = stripe_events(shopper.stripe, "payment_intent.payment_failed")
    (succeeded,) = stripe_events(shopper.stripe, "payment_intent.succeeded")

    # The success arrives first, then the older failure, then both again.
    for event in (succeeded, failed, succeeded, failed):
        assert post_event(shopper.client, event).status_code == 200
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.PAID)
    assert order.payment_error is None
    assert sorted(row.reference for row in ledger(shopper.app)) == sorted(
        [failed["id"], succeeded["id"]]
    )


def test_a_stale_failure_event_rereads_the_intent_instead_of_trusting_the_payload(
    shopper: Shopper,
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    shopper.pay(CARD_OK)
    (succeeded,) = stripe_events(shopper.stripe, "payment_intent.succeeded")
    # A failure event (never sent by Stripe for this intent) with a new id: the order
    # follows the intent as Stripe reports it now, which succeeded.
    fake_failure = {**succeeded, "id": "evt_made_up", "type": "payment_intent.payment_failed"}
    assert post_event(shopper.client, fake_failure).status_code == 200
    order = shopper.order()
    assert order.payment_status == PaymentStatus.PAID


def test_refunds_partial_then_full_through_the_cli(
    shopper: Shopper, app: Flask, stripe_client: stripe.StripeClient
) -> None:
    paid_order(shopper)
    order_id = shopper.order().id
    runner = app.test_cli_runner()

    partial = runner.invoke(args=["orders", "refund", str(order_id), "--amount", "500"])
    assert partial.exit_code == 0, partial.output
    assert "Refunded €5.00" in partial.output
    order = shopper.order()
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert order.status == OrderStatus.PAID
    assert order.amount_refunded == 500

    too_much = runner.invoke(args=["orders", "refund", str(order_id), "--amount", "2301"])
    assert too_much.exit_code == 1
    assert "between 1 and 2300" in too_much.output

    rest = runner.invoke(args=["orders", "refund", str(order_id)])
    assert rest.exit_code == 0, rest.output
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.REFUNDED, PaymentStatus.REFUNDED)
    assert order.amount_refunded == 2800
    refunds = stripe_client.v1.refunds.list(
        params={"payment_intent": order.payment_intent_id or ""}
    ).data
    assert sorted(refund.amount for refund in refunds) == [500, 2300]

    again = runner.invoke(args=["orders", "refund", str(order_id)])
    assert again.exit_code == 1 and "cannot be refunded" in again.output
    listing = runner.invoke(args=["orders", "list"])
    assert "refunded" in listing.output and "ada@example.com" in listing.output
    page = shopper.client.get(f"/orders/{shopper.token}")
    assert "Refunded" in page.text


def test_unpaid_orders_cannot_be_refunded(shopper: Shopper, app: Flask) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    result = app.test_cli_runner().invoke(args=["orders", "refund", str(shopper.order().id)])
    assert result.exit_code == 1
    assert "cannot be refunded: payment is unpaid" in result.output
    missing = app.test_cli_runner().invoke(args=["orders", "refund", "999"])
    assert missing.exit_code == 1 and "no order 999" in missing.output


def test_an_order_paid_twice_in_a_row_is_charged_once(
    shopper: Shopper, stripe_client: stripe.StripeClient
) -> None:
    """A second click (or a replayed request) after success never confirms again."""
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    first = shopper.payment_method(CARD_OK)
    second = shopper.payment_method(CARD_OK)
    assert shopper.confirm(first)["status"] == "processing"
    # Setting up a card again is refused, and confirming again confirms nothing.
    again = shopper.client.post(
        f"/orders/{shopper.token}/setup-intent",
        json={},
        headers={"X-CSRFToken": shopper.open_payment_csrf},
    )
    assert again.status_code == 409
    assert shopper.confirm(first)["status"] == "processing"
    assert shopper.confirm(second)["status"] == "processing"
    deliver_events(shopper.client, shopper.stripe)
    assert shopper.confirm(second)["status"] == "paid"
    charges = charges_of(shopper.stripe, stripe_client, [shopper.order().payment_intent_id or ""])
    succeeded = [charge for charge in charges if charge.status == "succeeded"]
    assert len(succeeded) == 1


def test_orders_list(shopper: Shopper, app: Flask) -> None:
    runner = app.test_cli_runner()
    assert "No orders." in runner.invoke(args=["orders", "list"]).output
    paid_order(shopper)
    listing = runner.invoke(args=["orders", "list", "--status", "paid"])
    assert listing.exit_code == 0
    assert "€28.00" in listing.output and "paid" in listing.output
    assert "No orders." in runner.invoke(args=["orders", "list", "--status", "shipped"]).output


def test_a_new_card_after_an_abandoned_three_d_secure_check_is_the_card_charged(
    shopper: Shopper, localstripe: str, stripe_client: stripe.StripeClient
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    abandoned = shopper.pay(CARD_3DS)
    assert abandoned["status"] == "requires_action"
    first_intent = shopper.order().payment_intent_id or ""

    # The shopper closes the 3-D Secure window, comes back to /pay and uses another card.
    shopper.open_payment(shopper.token)
    card = shopper.payment_method(CARD_OK)
    answer = shopper.confirm(card)
    assert answer["status"] == "processing"
    assert answer["client_secret"] is None  # no 3-D Secure check to reopen
    order = shopper.order()
    assert order.payment_intent_id != first_intent
    assert stripe_client.v1.payment_intents.retrieve(first_intent).status == "canceled"
    paying = stripe_client.v1.payment_intents.retrieve(order.payment_intent_id or "")
    assert (paying.payment_method, paying.amount) == (card, 2800)

    # The old check can no longer charge anything.
    old = requests.post(
        f"{localstripe}/v1/payment_intents/{first_intent}/_authenticate",
        params={"success": "true"},
        json={"key": shopper.stripe.publishable_key, "client_secret": abandoned["client_secret"]},
        timeout=10,
    )
    assert old.status_code == 400
    deliver_events(shopper.client, shopper.stripe)
    assert shopper.order().payment_status == PaymentStatus.PAID
    charges = charges_of(shopper.stripe, stripe_client, [first_intent, paying.id])
    assert [(charge.status, charge.payment_intent) for charge in charges] == [
        ("succeeded", paying.id)
    ]


def test_the_same_three_d_secure_attempt_sent_twice_keeps_its_check(
    shopper: Shopper, localstripe: str
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    card = shopper.payment_method(CARD_3DS)
    first = shopper.confirm(card)
    again = shopper.confirm(card)  # a replayed request, a double click
    assert first["status"] == again["status"] == "requires_action"
    assert first["client_secret"] == again["client_secret"]
    shopper.authenticate(again["client_secret"], success=True)
    deliver_events(shopper.client, shopper.stripe)
    assert shopper.order().payment_status == PaymentStatus.PAID


def test_an_intent_that_does_not_match_its_order_is_never_confirmed(
    shopper: Shopper, app: Flask, stripe_client: stripe.StripeClient
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    intent_id = shopper.order().payment_intent_id or ""
    # Someone changed the amount at Stripe (the dashboard, a leaked key, a bug).
    stripe_client.v1.payment_intents.update(intent_id, params={"amount": 100})

    answer = shopper.pay(CARD_OK)
    assert charges_of(shopper.stripe, stripe_client, [intent_id]) == []
    assert answer["action"] == "stop"
    assert "Nothing was charged" in answer["message"] and "contact us" in answer["message"]
    assert answer["status"] == "unpaid"
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status != "succeeded"
    order = shopper.order()
    assert (order.status, order.payment_status) == (
        OrderStatus.PENDING_PAYMENT,
        PaymentStatus.UNPAID,
    )
    # The merchant finds it in the ledger (and the error log).
    (trace,) = ledger(app)
    assert (trace.type, trace.order_id, trace.amount) == ("confirm_refused", order.id, 100)
    assert "intent is for 100" in trace.outcome
