"""The checkout page, server-side prices, tampering, private links, Stripe failing."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import stripe
from flask import Flask
from flask.testing import FlaskClient

from configurator.core.database import db
from configurator.modules.cart.models import CartLine
from configurator.modules.catalog.services import import_catalog
from configurator.modules.orders import gateway, quote
from configurator.modules.orders.cart_source import CartItem
from configurator.modules.orders.models import Order
from configurator.modules.orders.status import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    can_move_order,
    can_move_payment,
)
from tests.web.checkout.conftest import (
    CARD_OK,
    CONTACT,
    SHOPPER,
    WEBHOOK_PATH,
    Shopper,
    charges_of,
    csrf_token,
    deliver_events,
    publish_tee,
    stripe_config,
)

BLACK_GLOW = {"colour": "black", "print": "glow"}
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def set_cart_line(app: Flask, **values: object) -> None:
    """Change the stored cart line behind the cart's back (as a tampering client might)."""
    with app.app_context():
        line = db.session.execute(db.select(CartLine)).scalar_one()
        for name, value in values.items():
            setattr(line, name, value)
        db.session.commit()


def intent_amount(stripe_client: stripe.StripeClient, order: Order) -> tuple[int, str]:
    intent = stripe_client.v1.payment_intents.retrieve(order.payment_intent_id or "")
    return intent.amount, intent.currency


# -- the page ------------------------------------------------------------------------


def test_checkout_page_shows_lines_and_price_lines(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW, quantity=3)
    page = shopper.client.get("/checkout")
    assert page.status_code == 200
    summary = page.text
    for text in ("Custom Tee", "× 3", "Glow in the dark", "€2.00", "€5.00", "€84.00"):
        assert text in summary
    assert 'name="csrf_token"' in summary


def test_empty_cart(shopper: Shopper) -> None:
    page = shopper.client.get("/checkout")
    assert "Your cart is empty" in page.text and "<form" not in page.text.split("</header>")[1]


def test_the_form_is_validated_on_the_server(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = csrf_token(shopper.client.get("/checkout").text)
    bad = {
        **CONTACT,
        "email": "not-an-email",
        "postal_code": "<script>",
        "country": "XX",
        "name": "",
        "csrf_token": token,
    }
    response = shopper.client.post("/checkout", data=bad)
    assert response.status_code == 422
    assert "Please enter a valid email address." in response.text
    assert "Not a valid choice" in response.text
    assert 'aria-invalid="true"' in response.text
    with shopper.app.app_context():
        assert db.session.execute(db.select(Order)).first() is None


def test_checkout_needs_a_csrf_token(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    response = shopper.client.post("/checkout", data=CONTACT)
    assert response.status_code == 400
    with shopper.app.app_context():
        assert db.session.execute(db.select(Order)).first() is None


def test_payment_endpoints_need_a_csrf_token(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    shopper.open_payment(token)
    response = shopper.client.post(f"/orders/{token}/confirm", json={"payment_method": "pm_x"})
    assert response.status_code == 400
    assert shopper.client.post(f"/orders/{token}/setup-intent", json={}).status_code == 400


def test_a_payment_method_id_with_a_trailing_newline_is_refused(shopper: Shopper) -> None:
    """The id's guard matches the whole id: "pm_…\\n" is not sent on to Stripe."""
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    csrf = shopper.open_payment(token)
    response = shopper.client.post(
        f"/orders/{token}/confirm",
        json={"payment_method": "pm_card_visa\n"},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 400
    assert "could not be read" in response.get_json()["error"]["message"]


# -- prices come from the server ------------------------------------------------------


def test_tampered_form_fields_do_not_change_what_stripe_is_asked_for(
    shopper: Shopper, stripe_client: stripe.StripeClient
) -> None:
    shopper.add_to_cart(BLACK_GLOW, quantity=2)
    token = csrf_token(shopper.client.get("/checkout").text)
    tampered = {
        **CONTACT,
        "csrf_token": token,
        "amount": "1",
        "price": "1",
        "total": "1",
        "currency": "usd",
        "quantity": "1",
        "choices": '{"colour": "white"}',
    }
    response = shopper.client.post("/checkout", data=tampered)
    assert response.status_code == 303
    shopper.start(response.headers["Location"].split("/")[2])
    order = shopper.order()
    assert (order.total_amount, order.currency) == (5600, "EUR")
    assert intent_amount(stripe_client, order) == (5600, "eur")

    # The payment request cannot carry an amount either.
    answer = shopper.pay(CARD_OK, amount=1, currency="usd", quantity=1)
    assert answer["status"] == "processing"
    assert intent_amount(stripe_client, shopper.order()) == (5600, "eur")
    (charge,) = charges_of(shopper.stripe, stripe_client, [shopper.order().payment_intent_id or ""])
    assert (charge.amount, charge.currency) == (5600, "eur")


def test_a_price_change_after_the_cart_is_charged_at_the_new_price(
    shopper: Shopper, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    publish_tee(shopper.app, tmp_path, base_price=2500)  # version 2: base price up by 5.00
    assert "€33.00" in shopper.client.get("/checkout").text
    shopper.start(shopper.checkout())
    order = shopper.order()
    assert order.total_amount == 3300
    assert order.lines[0].catalog_version == 2
    assert intent_amount(stripe_client, order) == (3300, "eur")


def test_a_currency_change_is_what_stripe_is_asked_for(
    shopper: Shopper, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    publish_tee(shopper.app, tmp_path, currency="GBP")
    shopper.start(shopper.checkout())
    assert intent_amount(stripe_client, shopper.order()) == (2800, "gbp")


@pytest.mark.parametrize("quantity", [0, -3, 21, 1000])
def test_a_tampered_quantity_is_refused(
    shopper: Shopper, monkeypatch: pytest.MonkeyPatch, quantity: int
) -> None:
    """The database keeps quantities in 1..20; past that guard, checkout refuses them too."""
    shopper.add_to_cart(BLACK_GLOW)
    read = quote.cart_items

    def tampered(owner_token: str) -> list[CartItem]:
        return [replace(item, quantity=quantity) for item in read(owner_token)]

    monkeypatch.setattr(quote, "cart_items", tampered)
    page = shopper.client.get("/checkout")
    assert "The quantity must be between 1 and 20." in page.text
    assert "Continue to payment" not in page.text


def test_a_tampered_configuration_stops_checkout_with_the_reason_and_a_repair_link(
    shopper: Shopper,
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    # White with a glow print breaks the catalog's rule.
    set_cart_line(shopper.app, choices={"colour": "white", "print": "glow"})
    page = shopper.client.get("/checkout")
    assert "Cannot be ordered as it is" in page.text
    assert "Glow prints only show on a black tee." in page.text
    assert 'href="/cart"' in page.text
    assert "Continue to payment" not in page.text

    token = csrf_token(page.text)
    response = shopper.client.post("/checkout", data={**CONTACT, "csrf_token": token})
    assert response.status_code == 422
    with shopper.app.app_context():
        assert db.session.execute(db.select(Order)).first() is None


@pytest.mark.parametrize(
    "choices, reason",
    [
        ({"colour": "purple"}, "no longer fits the catalog"),
        (["colour", "black"], "could not be read"),
        ({"print": "plain"}, "Still to choose: Colour."),
    ],
)
def test_unusable_cart_lines_are_explained(shopper: Shopper, choices: object, reason: str) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    set_cart_line(shopper.app, choices=choices)
    page = shopper.client.get("/checkout")
    assert reason in page.text
    assert "Continue to payment" not in page.text


def test_a_line_missing_a_choice_shows_what_the_shopper_has(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    set_cart_line(shopper.app, choices={"print": "glow"})
    page = shopper.client.get("/checkout")
    assert "Still to choose: Colour." in page.text
    assert "Glow in the dark" in page.text  # the choice the line has, beside the problem


# -- links, statuses, failures ----------------------------------------------------------


def test_the_order_link_is_signed(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    assert shopper.client.get(f"/orders/{token}").status_code == 200
    reference, signature = token.rsplit(".", 1)
    assert shopper.client.get(f"/orders/{reference}.{signature[::-1]}").status_code == 404
    assert shopper.client.get(f"/orders/{reference}").status_code == 404
    assert shopper.client.get(f"/orders/{shopper.order().id}").status_code == 404
    # Another browser with the link sees the order (the link is the key).
    with shopper.app.test_client() as stranger:
        assert "Order " in stranger.get(f"/orders/{token}").text


def test_transition_tables() -> None:
    assert set(ORDER_TRANSITIONS) == set(OrderStatus)
    assert set(PAYMENT_TRANSITIONS) == set(PaymentStatus)
    assert can_move_order(OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
    assert not can_move_order(OrderStatus.PENDING_PAYMENT, OrderStatus.SHIPPED)
    assert not can_move_order(OrderStatus.REFUNDED, OrderStatus.PAID)
    assert can_move_payment(PaymentStatus.FAILED, PaymentStatus.PAID)
    assert not can_move_payment(PaymentStatus.PAID, PaymentStatus.FAILED)
    assert not can_move_payment(PaymentStatus.PAID, PaymentStatus.PROCESSING)
    assert not ORDER_TRANSITIONS[OrderStatus.REFUNDED]
    assert not PAYMENT_TRANSITIONS[PaymentStatus.REFUNDED]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_stripe_unreachable_gives_a_clear_message_and_a_retry(
    make_app: Callable[..., Flask], shopper: Shopper
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    down = make_app(**stripe_config(f"http://127.0.0.1:{free_port()}"))
    client: FlaskClient = down.test_client()
    page = client.get(f"/orders/{token}/pay")
    assert page.status_code == 503
    assert "could not reach our payment provider" in page.text
    assert "Nothing was charged" in page.text and "Try again" in page.text
    order_page = client.get(f"/orders/{token}")
    assert order_page.status_code == 200 and "Awaiting payment" in order_page.text

    # Back up: the same order pays normally, once.
    shopper.start(token)
    assert shopper.pay(CARD_OK)["status"] == "processing"
    deliver_events(shopper.client, shopper.stripe)
    assert shopper.order().status == OrderStatus.PAID


def test_the_intent_is_created_once_per_order_with_a_stable_key(
    shopper: Shopper, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys: list[str] = []
    create = gateway.create_payment_intent

    def spy(**kwargs: object) -> stripe.PaymentIntent:
        keys.append(str(kwargs["idempotency_key"]))
        return create(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gateway, "create_payment_intent", spy)
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    for _ in range(3):
        shopper.open_payment(token)
    order = shopper.order()
    assert keys == [f"atelier-order-{order.reference}-payment-intent"]
    assert re.fullmatch(r"pi_\w+", order.payment_intent_id or "")


def test_payments_not_configured(make_app: Callable[..., Flask], client: FlaskClient) -> None:
    app = make_app(STRIPE_SECRET_KEY=None, STRIPE_PUBLISHABLE_KEY=None)
    with app.app_context():
        db.create_all()
    with app.test_client() as bare:
        with bare.session_transaction() as session:
            session["shopper"] = SHOPPER
        page = bare.get("/checkout")
        assert page.status_code == 200
        webhook = bare.post(WEBHOOK_PATH, data=b"{}", headers={"Stripe-Signature": "t=1"})
        assert webhook.status_code in (400, 503)


RING = {
    "metal": "platinum",
    "gem": "sapphire",
    "cut": "oval",
    "carat": "ct_075",
    "setting": "halo",
    "band_width": "w3",
    "band_finish": "polished",
    "ring_size": 54,
    "engraving": "Ada & Charles",
}


def test_the_order_page_shows_each_lines_preview_as_checkout_did(shopper: Shopper) -> None:
    with shopper.app.app_context():
        import_catalog(PROJECT_ROOT / "catalog" / "jewellery")
        db.session.commit()
    shopper.add_to_cart(RING, slug="ring")
    shopper.add_to_cart(BLACK_GLOW)  # a product without art: no picture, no broken image
    checkout_page = shopper.client.get("/checkout").text
    token = shopper.checkout()
    ring, tee = shopper.order().lines
    assert ring.preview_hash != ring.config_hash and tee.preview_hash == tee.config_hash
    thumbnail = f"/previews/{ring.preview_hash}.300.webp"
    assert thumbnail in checkout_page

    page = shopper.client.get(f"/orders/{token}").text
    assert thumbnail in page and f"/previews/{ring.preview_hash}.300.jpeg" in page
    assert 'alt="Preview of your Custom Ring"' in page
    assert "/previews/" + tee.preview_hash not in page
    image = shopper.client.get(thumbnail)
    assert image.status_code == 200 and image.mimetype == "image/webp"
