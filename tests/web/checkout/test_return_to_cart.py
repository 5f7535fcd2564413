"""An order waiting for payment, shown with the cart: pay it, or put its items back in
the cart (the order and its PaymentIntent cancelled). A paid order, or one being paid,
never goes back."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
import stripe
from flask import Flask
from flask.testing import FlaskClient

from configurator.core.database import db
from configurator.modules.cart.models import CartLine
from configurator.modules.orders.models import Order, PaymentEvent
from configurator.modules.orders.status import OrderStatus, PaymentStatus
from tests.live_server import GunicornFactory, concurrently, csrf_token_of
from tests.web.checkout.conftest import (
    CARD_OK,
    SHOPPER,
    Shopper,
    StripeBackend,
    csrf_token,
    ledger,
    with_stripe_down,
)
from tests.web.checkout.test_concurrent_checkout import ROUNDS, Tab, count, fill_cart, ring_shop

BLACK_GLOW = {"colour": "black", "print": "glow"}
WHITE_POCKET = {"colour": "white", "extras": ["pocket"]}
RETURN_BUTTON = "Return these items to my cart"


def cart_of(app: Flask) -> list[tuple[dict[str, Any], int]]:
    """(choices, quantity) of the shopper's cart lines, oldest first."""
    with app.app_context():
        lines = db.session.execute(
            db.select(CartLine).where(CartLine.owner_token == SHOPPER).order_by(CartLine.id)
        ).scalars()
        return [(line.choices, line.quantity) for line in lines]


def return_form(client: FlaskClient, token: str, page: str = "/cart") -> tuple[str, str]:
    """The return button's form on ``page``: its action and the page's CSRF token."""
    html = client.get(page).text
    action = f"/orders/{token}/return-to-cart"
    assert f'action="{action}"' in html, html
    return action, csrf_token(html)


def set_order(app: Flask, **values: object) -> None:
    with app.app_context():
        order = db.session.execute(db.select(Order)).scalar_one()
        for name, value in values.items():
            setattr(order, name, value)
        db.session.commit()


def intent_status(client: stripe.StripeClient, order: Order) -> str:
    return str(client.v1.payment_intents.retrieve(order.payment_intent_id or "").status)


def ordered_then_back(shopper: Shopper) -> str:
    """Two designs to checkout, on to the payment page (its intent made), then Back."""
    shopper.add_to_cart(BLACK_GLOW, quantity=2)
    shopper.add_to_cart(WHITE_POCKET)
    token = shopper.checkout()
    shopper.start(token)
    assert cart_of(shopper.app) == []
    return token


def test_the_cart_and_the_empty_checkout_show_the_order_waiting_for_payment(
    shopper: Shopper,
) -> None:
    token = ordered_then_back(shopper)
    order = shopper.order()
    for path in ("/cart", "/checkout"):
        page = shopper.client.get(path).text
        waiting = page.split("data-awaiting-payment", 1)[1].split("</section>", 1)[0]
        assert f"Order {order.id}" in waiting, path
        assert "€79.00" in waiting  # 2 × 28.00 + 23.00
        assert f'href="/orders/{token}/pay"' in waiting, path
        assert RETURN_BUTTON in waiting, path


def test_returning_puts_the_lines_back_and_cancels_the_order_and_its_intent(
    shopper: Shopper, stripe_client: stripe.StripeClient
) -> None:
    token = ordered_then_back(shopper)
    action, csrf = return_form(shopper.client, token)
    answer = shopper.client.post(action, data={"csrf_token": csrf})
    assert answer.status_code == 303 and answer.headers["Location"] == "/cart"
    assert cart_of(shopper.app) == [(BLACK_GLOW, 2), (WHITE_POCKET, 1)]
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.CANCELLED, PaymentStatus.UNPAID)
    assert intent_status(stripe_client, order) == "canceled"
    assert [event.type for event in ledger(shopper.app)] == ["returned_to_cart"]
    cart = shopper.client.get("/cart").text
    assert f"The items of order {order.id} are back in your cart" in cart
    assert RETURN_BUTTON not in cart
    assert "Cancelled" in shopper.client.get(f"/orders/{token}").text
    # The old payment page can no longer charge anything.
    assert shopper.client.get(f"/orders/{token}/pay").status_code == 302


def test_returning_again_changes_nothing(shopper: Shopper) -> None:
    token = ordered_then_back(shopper)
    action, csrf = return_form(shopper.client, token)
    assert shopper.client.post(action, data={"csrf_token": csrf}).status_code == 303
    again = shopper.client.post(action, data={"csrf_token": csrf}, follow_redirects=True)
    assert "already back in your cart" in again.text
    assert cart_of(shopper.app) == [(BLACK_GLOW, 2), (WHITE_POCKET, 1)]


def test_a_design_added_again_meanwhile_gets_the_quantity_added(shopper: Shopper) -> None:
    token = ordered_then_back(shopper)
    shopper.add_to_cart(BLACK_GLOW)
    action, csrf = return_form(shopper.client, token)
    assert shopper.client.post(action, data={"csrf_token": csrf}).status_code == 303
    assert cart_of(shopper.app) == [(BLACK_GLOW, 3), (WHITE_POCKET, 1)]


def test_a_paid_order_never_goes_back_to_the_cart(shopper: Shopper) -> None:
    token = ordered_then_back(shopper)
    action, csrf = return_form(shopper.client, token)
    assert shopper.pay(CARD_OK)["status"] in ("processing", "paid")
    answer = shopper.client.post(action, data={"csrf_token": csrf}, follow_redirects=True)
    assert "stay in the order" in answer.text
    assert answer.request.path == f"/orders/{token}"
    assert cart_of(shopper.app) == []
    assert shopper.order().status != OrderStatus.CANCELLED
    assert RETURN_BUTTON not in shopper.client.get("/cart").text


def test_a_payment_stripe_took_before_we_heard_of_it_keeps_the_order(
    shopper: Shopper, stripe_client: stripe.StripeClient
) -> None:
    """The browser paid at Stripe directly (the Payment Element) and no news has come
    yet: the order still says unpaid, but Stripe refuses to cancel a paid intent."""
    token = ordered_then_back(shopper)
    action, csrf = return_form(shopper.client, token)
    shopper.pay(CARD_OK)
    set_order(shopper.app, payment_status=PaymentStatus.UNPAID)  # no news yet
    assert intent_status(stripe_client, shopper.order()) == "succeeded"
    answer = shopper.client.post(action, data={"csrf_token": csrf}, follow_redirects=True)
    assert "went through or is on its way" in answer.text
    assert cart_of(shopper.app) == []
    order = shopper.order()
    assert order.status == OrderStatus.PAID  # the order page it lands on asked Stripe
    assert "returned_to_cart" not in [event.type for event in ledger(shopper.app)]


def test_only_the_orders_shopper_can_return_it(shopper: Shopper) -> None:
    token = ordered_then_back(shopper)
    stranger = shopper.app.test_client()
    action, _ = return_form(shopper.client, token)
    answer = stranger.post(action, data={"csrf_token": csrf_token(stranger.get("/cart").text)})
    assert answer.status_code == 404
    assert shopper.order().status == OrderStatus.PENDING_PAYMENT


def test_with_stripe_unreachable_nothing_moves(
    shopper: Shopper, make_app: Callable[..., Flask], stripe_api: StripeBackend
) -> None:
    token = ordered_then_back(shopper)
    down = with_stripe_down(make_app, stripe_api).test_client()
    with down.session_transaction() as session:
        session["shopper"] = SHOPPER
    action, csrf = return_form(down, token)
    answer = down.post(action, data={"csrf_token": csrf}, follow_redirects=True)
    assert f"still in order {shopper.order().id}" in answer.text
    assert cart_of(shopper.app) == []
    assert shopper.order().status == OrderStatus.PENDING_PAYMENT
    assert re.search(RETURN_BUTTON, answer.text)


# -- at gunicorn with several workers, on SQLite and PostgreSQL --------------------------

RETURNS = 6


def returned_at_once(tab: Tab, token: str, csrf: str) -> list[requests.Response]:
    """RETURNS posts of the order's return button, all at once."""
    path = f"/orders/{token}/return-to-cart"
    return concurrently(RETURNS, lambda _: tab.post(path, {"csrf_token": csrf}))


def test_tabs_returning_one_order_at_once_put_its_lines_back_once(
    gunicorn_shop: GunicornFactory, stripe_api: StripeBackend, stripe_client: stripe.StripeClient
) -> None:
    """Each round: the ring to checkout and its payment page, the ring added again
    meanwhile, then RETURNS tabs sending the return button at once: the cart holds one
    ring line with both quantities, and the order was cancelled once."""
    shop, design_id = ring_shop(gunicorn_shop, stripe_api)
    tab = Tab(shop, requests.cookies.RequestsCookieJar())
    for round_ in range(ROUNDS):
        fill_cart(tab, design_id)
        place = tab.post("/checkout", tab.checkout_form()).headers["Location"]
        assert tab.get(place).status_code == 200  # the payment page: its intent is made
        fill_cart(tab, design_id)
        token = place.split("/")[2]
        answers = returned_at_once(tab, token, csrf_token_of(tab.get("/cart").text))
        assert [(answer.status_code, answer.headers.get("Location")) for answer in answers] == [
            (303, "/cart")
        ] * RETURNS, f"round {round_}"
        with shop.app.app_context():
            order = db.session.execute(db.select(Order).order_by(Order.id.desc())).scalar()
            assert order is not None and order.status == OrderStatus.CANCELLED
            (ordered,) = order.lines
            lines = db.session.execute(db.select(CartLine)).scalars().all()
            assert [line.quantity for line in lines] == [ordered.quantity + 1], f"round {round_}"
            returns = db.session.execute(
                db.select(db.func.count()).where(PaymentEvent.type == "returned_to_cart")
            ).scalar_one()
            assert returns == round_ + 1
            assert intent_status(stripe_client, order) == "canceled"
    assert count(shop.app, Order) == ROUNDS
    assert shop.errors_logged() == []
