"""Stripe or the network failing: every message claims only what is known.

The faults are real: a loopback proxy in front of the Stripe API forwards a request
and then loses its answer, or Stripe refuses a request it cannot act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
import stripe
from flask import Flask
from flask.testing import FlaskClient

from configurator.modules.orders.status import OrderStatus, PaymentStatus
from tests.web.checkout.conftest import (
    CARD_OK,
    FaultyStripe,
    Shopper,
    charges_of,
    csrf_token,
    deliver_events,
    post_event,
    stripe_config,
)

BLACK_GLOW = {"colour": "black", "print": "glow"}
CONFIRM = re.compile(r"^POST /v1/payment_intents/[^/]+/confirm$")


def through(make_app: Callable[..., Flask], proxy: FaultyStripe, shopper: Shopper) -> Flask:
    """The same shop (database, keys) with its Stripe requests going through the proxy."""
    config = stripe_config(proxy.url, shopper.stripe.secret_key, shopper.stripe.publishable_key)
    return make_app(**config)


def open_payment(client: FlaskClient, token: str) -> str:
    page = client.get(f"/orders/{token}/pay")
    assert page.status_code == 200, page.text
    return csrf_token(page.text)


def succeeded_charges(shopper: Shopper, client: stripe.StripeClient) -> list[stripe.Charge]:
    intent = shopper.order().payment_intent_id or ""
    return [c for c in charges_of(shopper.stripe, client, [intent]) if c.status == "succeeded"]


def test_a_confirm_whose_answer_is_lost_does_not_claim_nothing_was_charged(
    make_app: Callable[..., Flask],
    shopper: Shopper,
    faulty_stripe: FaultyStripe,
    stripe_client: stripe.StripeClient,
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    card = shopper.payment_method(CARD_OK)
    flaky = through(make_app, faulty_stripe, shopper).test_client()
    csrf = open_payment(flaky, shopper.token)

    # The confirm reaches Stripe, which charges; then the network goes.
    faulty_stripe.lose_answers = CONFIRM
    faulty_stripe.then_unreachable = True
    answer = flaky.post(
        f"/orders/{shopper.token}/confirm",
        json={"payment_method": card},
        headers={"X-CSRFToken": csrf},
    )
    assert len(faulty_stripe.lost) == 1 and faulty_stripe.lost[0].startswith("POST")
    assert answer.status_code == 503
    error = answer.json["error"]  # type: ignore[index]
    assert (error["code"], error["action"]) == ("outcome_unknown", "order")
    assert "cannot tell yet whether your payment went through" in error["message"]
    assert "othing was charged" not in error["message"]
    order_page = flaky.get(f"/orders/{shopper.token}")
    assert "could not reach our payment provider just now" in order_page.text
    assert "othing was charged" not in order_page.text

    # The webhook settles it; paying again charges nothing more.
    faulty_stripe.heal()
    deliver_events(shopper.client, shopper.stripe)
    assert shopper.order().payment_status == PaymentStatus.PAID
    again = shopper.confirm(card)
    assert again["status"] == "paid"
    assert len(succeeded_charges(shopper, stripe_client)) == 1


def test_a_confirm_whose_answer_is_lost_reports_what_the_intent_says(
    make_app: Callable[..., Flask],
    shopper: Shopper,
    faulty_stripe: FaultyStripe,
    stripe_client: stripe.StripeClient,
) -> None:
    """Stripe is still there to ask: the re-read intent is the answer."""
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    card = shopper.payment_method(CARD_OK)
    flaky = through(make_app, faulty_stripe, shopper).test_client()
    csrf = open_payment(flaky, shopper.token)

    faulty_stripe.lose_answers = CONFIRM
    answer = flaky.post(
        f"/orders/{shopper.token}/confirm",
        json={"payment_method": card},
        headers={"X-CSRFToken": csrf},
    )
    assert faulty_stripe.lost, "the proxy lost no answer"
    assert answer.status_code == 200, answer.text
    assert answer.json["status"] == "processing"  # type: ignore[index]
    assert shopper.order().payment_status == PaymentStatus.PROCESSING
    assert len(succeeded_charges(shopper, stripe_client)) == 1


def test_a_payment_method_stripe_does_not_know_asks_to_start_again(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    response = shopper.client.post(
        f"/orders/{shopper.token}/confirm",
        json={"payment_method": "pm_unknown0000000000"},
        headers={"X-CSRFToken": shopper.open_payment_csrf},
    )
    assert response.status_code == 409
    error = response.json["error"]  # type: ignore[index]
    assert (error["code"], error["action"]) == ("payment_refused", "reload")
    assert "nothing was charged" in error["message"] and "reload" in error["message"]
    assert "could not reach" not in error["message"]
    assert shopper.order().payment_status == PaymentStatus.UNPAID


def paid(shopper: Shopper) -> int:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    assert shopper.pay(CARD_OK)["status"] == "processing"
    deliver_events(shopper.client, shopper.stripe)
    order = shopper.order()
    assert order.status == OrderStatus.PAID
    return order.id


def test_a_refund_whose_answer_is_lost_says_it_may_have_happened_and_is_made_once(
    make_app: Callable[..., Flask],
    shopper: Shopper,
    faulty_stripe: FaultyStripe,
    stripe_client: stripe.StripeClient,
) -> None:
    order_id = paid(shopper)
    flaky = through(make_app, faulty_stripe, shopper)
    faulty_stripe.lose_answers = re.compile(r"^POST /v1/refunds$")
    faulty_stripe.then_unreachable = True
    result = flaky.test_cli_runner().invoke(args=["orders", "refund", str(order_id)])
    assert result.exit_code == 1
    assert f"not known whether the refund of order {order_id} was made" in result.output
    assert "Run the same command again" in result.output
    assert "othing was charged" not in result.output
    assert shopper.order().amount_refunded == 0

    # The same command again is recognised as the same refund: refunded once.
    faulty_stripe.heal()
    again = flaky.test_cli_runner().invoke(args=["orders", "refund", str(order_id)])
    assert again.exit_code == 0, again.output
    assert "Refunded €28.00" in again.output and "earlier attempt" in again.output
    intent = shopper.order().payment_intent_id or ""
    refunds = stripe_client.v1.refunds.list(params={"payment_intent": intent}).data
    assert [refund.amount for refund in refunds] == [2800]
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.REFUNDED, PaymentStatus.REFUNDED)


def test_a_refund_stripe_refuses_says_why(shopper: Shopper, app: Flask, localstripe: str) -> None:
    order_id = paid(shopper)
    # Stripe no longer knows the payment (localstripe forgets everything).
    requests.delete(f"{localstripe}/_config/data", timeout=5).raise_for_status()
    result = app.test_cli_runner().invoke(args=["orders", "refund", str(order_id)])
    assert result.exit_code == 1, result.output
    assert f"Stripe refused the refund of order {order_id}" in result.output
    assert "Not Found" in result.output  # Stripe's own words (localstripe's here)
    assert "Nothing was refunded." in result.output
    assert shopper.order().payment_status == PaymentStatus.PAID


REFUNDS = re.compile(r"^(POST|GET) /v1/refunds$")  # making one, and listing them


def as_stripe_reports(status: str, **fields: object) -> Callable[[dict[str, Any]], Any]:
    """Refunds (one, or a list of them) as Stripe would answer in that status."""

    def edit(answer: dict[str, Any]) -> dict[str, Any]:
        if answer.get("object") == "list":
            return {**answer, "data": [edit(refund) for refund in answer["data"]]}
        return {**answer, "status": status, **fields}

    return edit


def test_a_pending_refund_counts_only_once_stripe_says_it_succeeded(
    make_app: Callable[..., Flask],
    shopper: Shopper,
    faulty_stripe: FaultyStripe,
    stripe_client: stripe.StripeClient,
) -> None:
    order_id = paid(shopper)
    flaky = through(make_app, faulty_stripe, shopper)
    faulty_stripe.edit_answers = (REFUNDS, as_stripe_reports("pending"))
    result = flaky.test_cli_runner().invoke(
        args=["orders", "refund", str(order_id), "--amount", "500"]
    )
    assert result.exit_code == 0, result.output
    assert "reports it pending" in result.output and "Refunded" not in result.output
    order = shopper.order()
    assert (order.amount_refunded, order.payment_status) == (0, PaymentStatus.PAID)
    (row,) = [event for event in order.events if event.type == "refund"]
    assert (row.amount, row.outcome) == (500, "refund pending")
    # Nor can the pending 5.00 be refunded a second time meanwhile.
    too_much = flaky.test_cli_runner().invoke(
        args=["orders", "refund", str(order_id), "--amount", "2301"]
    )
    assert too_much.exit_code == 1 and "between 1 and 2300" in too_much.output
    assert shopper.order().amount_refunded == 0

    # Stripe's news that it succeeded (signed, as the webhook brings it).
    (refund,) = stripe_client.v1.refunds.list(
        params={"payment_intent": order.payment_intent_id or ""}
    ).data
    news = {
        "id": "evt_refund_succeeded",
        "object": "event",
        "type": "refund.updated",
        "data": {"object": refund.to_dict()},
    }
    answer = post_event(shopper.client, news)
    assert answer.status_code == 200, answer.text
    assert answer.json["outcome"] == "paid/partially_refunded"  # type: ignore[index]
    order = shopper.order()
    assert (order.amount_refunded, order.payment_status) == (500, PaymentStatus.PARTIALLY_REFUNDED)


def test_a_refund_stripe_reports_failed_is_not_counted(
    make_app: Callable[..., Flask], shopper: Shopper, faulty_stripe: FaultyStripe
) -> None:
    order_id = paid(shopper)
    flaky = through(make_app, faulty_stripe, shopper)
    failed = as_stripe_reports("failed", failure_reason="expired_or_canceled_card")
    faulty_stripe.edit_answers = (REFUNDS, failed)
    result = flaky.test_cli_runner().invoke(args=["orders", "refund", str(order_id)])
    assert result.exit_code == 1
    assert "it is failed (expired_or_canceled_card). Nothing was refunded" in result.output
    order = shopper.order()
    assert (order.amount_refunded, order.payment_status) == (0, PaymentStatus.PAID)
    assert [(e.type, e.outcome) for e in order.events if e.type == "refund"] == [
        ("refund", "refund failed")
    ]
