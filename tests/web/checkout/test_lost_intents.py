"""An intent Stripe no longer knows (localstripe's DELETE /_config/data forgets them all,
as a reset of Stripe test data or a change of account would): a way on, never a
second charge."""

from __future__ import annotations

import requests
import stripe

from configurator.modules.orders.status import OrderStatus, PaymentStatus
from tests.web.checkout.conftest import CARD_OK, Shopper, charges_of, ledger

BLACK_GLOW = {"colour": "black", "print": "glow"}


def forget_everything(localstripe: str) -> None:
    requests.delete(f"{localstripe}/_config/data", timeout=5).raise_for_status()


def test_a_pay_page_whose_intent_was_forgotten_makes_a_fresh_one_and_pays_once(
    shopper: Shopper, localstripe: str, stripe_client: stripe.StripeClient
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    shopper.open_payment(token)
    lost = shopper.order().payment_intent_id
    forget_everything(localstripe)

    for _ in range(2):  # renewed once, then the fresh one is used
        page = shopper.client.get(f"/orders/{token}/pay")
        assert page.status_code == 200, page.text
    order = shopper.order()
    assert order.intent_generation == 1
    assert order.payment_intent_id not in (None, lost)
    assert [(row.reference, row.type) for row in ledger(shopper.app)] == [
        (f"lost:{lost}", "intent_lost")
    ]
    fresh = stripe_client.v1.payment_intents.retrieve(order.payment_intent_id or "")
    assert (fresh.amount, fresh.metadata["order_id"]) == (2800, str(order.id))

    shopper.start(token)
    assert shopper.pay(CARD_OK)["status"] == "processing"
    assert "Paid — thank you!" in shopper.client.get(f"/orders/{token}").text
    charges = charges_of(shopper.stripe, stripe_client, [fresh.id])
    assert [(charge.status, charge.payment_intent) for charge in charges] == [
        ("succeeded", fresh.id)
    ]


def test_a_confirm_on_a_forgotten_intent_says_reload_and_the_reloaded_page_pays(
    shopper: Shopper, localstripe: str
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    forget_everything(localstripe)
    answer = shopper.client.post(
        f"/orders/{shopper.token}/confirm",
        json={"payment_method": shopper.payment_method(CARD_OK)},
        headers={"X-CSRFToken": shopper.open_payment_csrf},
    )
    assert answer.status_code == 409
    error = answer.json["error"]  # type: ignore[index]
    assert error["action"] == "reload" and "nothing was charged" in error["message"]

    shopper.start(shopper.token)  # the reload
    assert shopper.pay(CARD_OK)["status"] == "processing"
    assert "Paid — thank you!" in shopper.client.get(f"/orders/{shopper.token}").text


def test_an_order_already_charged_keeps_its_intent_when_it_is_forgotten(
    shopper: Shopper, localstripe: str, stripe_client: stripe.StripeClient
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    assert shopper.pay(CARD_OK)["status"] == "processing"  # charged; no webhook yet
    charged = shopper.order().payment_intent_id
    forget_everything(localstripe)

    pay_page = shopper.client.get(f"/orders/{shopper.token}/pay")
    assert pay_page.status_code == 302  # not payable: to the order page
    page = shopper.client.get(f"/orders/{shopper.token}")
    assert page.status_code == 200
    assert "no longer knows this payment" in page.text
    assert "othing was charged" not in page.text
    order = shopper.order()
    assert (order.payment_intent_id, order.intent_generation) == (charged, 0)
    assert order.payment_status == PaymentStatus.PROCESSING
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert list(stripe_client.v1.payment_intents.list().data) == []  # no new intent

    reconcile = shopper.app.test_cli_runner().invoke(
        args=["orders", "reconcile", "--older-than", "0"]
    )
    assert reconcile.exit_code == 0, reconcile.output  # Stripe answered
    assert reconcile.output.startswith(
        f"order {order.id} ({charged}): not checked: Stripe no longer knows this intent"
    )
    assert shopper.order().payment_intent_id == charged
