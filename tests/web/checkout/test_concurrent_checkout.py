"""One cart gives one order, whatever arrives at once: the same form sent many times
(an impatient shopper, a double click) or two forms from two tabs, at gunicorn with
several workers, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import requests
from flask import Flask
from sqlalchemy import func, select

from configurator.core.database import db
from configurator.modules.cart.models import CartLine
from configurator.modules.catalog.engines import engine_for
from configurator.modules.catalog.services import current_version
from configurator.modules.designs.services import save_design
from configurator.modules.orders.models import Order
from tests.live_server import GunicornFactory, LiveShop, concurrently, csrf_token_of
from tests.web.checkout.conftest import CONTACT, PROJECT_ROOT, StripeBackend

SUBMITS = 8
ROUNDS = 5  # races are probabilistic: each round is a fresh cart and a fresh race
TIMEOUT = 120  # seconds; generous for a busy machine
CHECKOUT_KEY = re.compile(r'name="checkout_key" type="hidden" value="([^"]+)"')
PAY_PAGE = re.compile(r"/orders/[^/]+/pay")
EMPTY = "Your cart is empty."


class Tab:
    """A shopper's browser tab: the session's cookies, the pages it opened."""

    def __init__(self, shop: LiveShop, cookies: requests.cookies.RequestsCookieJar) -> None:
        self.shop = shop
        self.cookies = cookies

    def get(self, path: str) -> requests.Response:
        answer = requests.get(f"{self.shop.url}{path}", cookies=self.cookies, timeout=TIMEOUT)
        self.cookies.update(answer.cookies)
        return answer

    def post(self, path: str, data: dict[str, str]) -> requests.Response:
        return requests.post(
            f"{self.shop.url}{path}",
            data=data,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def checkout_form(self) -> dict[str, str]:
        """The checkout form as this tab shows it, filled in."""
        page = self.get("/checkout").text
        key = CHECKOUT_KEY.search(page)
        assert key, "no checkout key in the form"
        return {**CONTACT, "csrf_token": csrf_token_of(page), "checkout_key": key.group(1)}


def ring_shop(gunicorn_shop: GunicornFactory, stripe_api: StripeBackend) -> tuple[LiveShop, str]:
    shop = gunicorn_shop(
        catalogs=[PROJECT_ROOT / "catalog" / "jewellery"], settings=stripe_api.config()
    )
    with shop.app.app_context():
        version = current_version("ring")
        assert version is not None
        design = save_design(version, engine_for(version).default_choices())
        db.session.commit()
        return shop, design.id


def fill_cart(tab: Tab, design_id: str) -> None:
    token = csrf_token_of(tab.get("/checkout").text)  # also makes the session a shopper's
    added = tab.post("/cart/add", {"design_id": design_id, "csrf_token": token})
    assert added.status_code == 303 and added.headers["Location"] == "/cart", added.text
    tab.cookies.update(added.cookies)


def count(app: Flask, model: type[Order] | type[CartLine]) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


def checkout_rounds(
    gunicorn_shop: GunicornFactory, stripe_api: StripeBackend, tabs: int
) -> Iterator[tuple[LiveShop, Tab, list[dict[str, str]]]]:
    """ROUNDS times: the ring in one shopper's cart, and a checkout form opened in each
    of ``tabs`` tabs of their browser."""
    shop, design_id = ring_shop(gunicorn_shop, stripe_api)
    tab = Tab(shop, requests.cookies.RequestsCookieJar())
    for _ in range(ROUNDS):
        fill_cart(tab, design_id)
        yield shop, tab, [Tab(shop, tab.cookies.copy()).checkout_form() for _ in range(tabs)]


def send_at_once(tab: Tab, forms: list[dict[str, str]]) -> list[requests.Response]:
    """SUBMITS posts of the checkout forms (taken in turn), all at once."""
    return concurrently(SUBMITS, lambda index: tab.post("/checkout", forms[index % len(forms)]))


def test_the_same_form_sent_at_once_makes_one_order_and_every_answer_leads_to_it(
    gunicorn_shop: GunicornFactory, stripe_api: StripeBackend
) -> None:
    for round_, (shop, tab, forms) in enumerate(checkout_rounds(gunicorn_shop, stripe_api, 1)):
        answers = send_at_once(tab, forms)
        statuses = [answer.status_code for answer in answers]
        assert statuses == [303] * SUBMITS, f"round {round_}: {statuses}"
        places = {answer.headers["Location"] for answer in answers}
        assert len(places) == 1, f"round {round_}: {places}"
        assert count(shop.app, Order) == round_ + 1, f"round {round_}"
        assert count(shop.app, CartLine) == 0
        (place,) = places
        assert PAY_PAGE.fullmatch(place), place
    pay = tab.get(place)
    assert pay.status_code == 200, pay.text[:500]
    assert shop.errors_logged() == []


def test_two_tabs_sending_their_forms_at_once_make_one_order(
    gunicorn_shop: GunicornFactory, stripe_api: StripeBackend
) -> None:
    for round_, (shop, tab, forms) in enumerate(checkout_rounds(gunicorn_shop, stripe_api, 2)):
        assert forms[0]["checkout_key"] != forms[1]["checkout_key"]
        answers = send_at_once(tab, forms)
        assert count(shop.app, Order) == round_ + 1, f"round {round_}"
        places = {answer.headers["Location"] for answer in answers if answer.status_code == 303}
        assert len(places) == 1, f"round {round_}: {places}"
        others = [answer for answer in answers if answer.status_code != 303]
        assert all(answer.status_code == 422 and EMPTY in answer.text for answer in others)
    assert shop.errors_logged() == []
