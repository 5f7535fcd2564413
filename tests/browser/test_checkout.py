"""Chromium designs a ring, pays with 4242 4242 4242 4242, and sees the order paid.

Everything is real: the app over HTTP, localstripe with its fake Stripe.js and card
element, and the payment_intent.succeeded webhook that localstripe signs and posts
to the app on its own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from configurator.checkout.views import WEBHOOK_PATH
from configurator.extensions import db
from configurator.products.services import import_catalog

from ..checkout.conftest import (
    LOCALSTRIPE_ONLY,
    STRIPE_TEST_MODE,
    WEBHOOK_SECRET,
    start_localstripe,
    stripe_config,
)
from ..conftest import AppFactory

pytestmark = pytest.mark.browser

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def localstripe_url(tmp_path: Path) -> Iterator[str]:
    """Its own localstripe, which signs and posts the webhook to the app by itself."""
    if STRIPE_TEST_MODE:
        pytest.skip(LOCALSTRIPE_ONLY)
    process, url = start_localstripe(tmp_path)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def shop(tmp_path: Path, localstripe_url: str) -> Iterator[tuple[Flask, str]]:
    factory = AppFactory(f"sqlite:///{tmp_path / 'shop.db'}", tmp_path / "shop-instance")
    app = factory(**stripe_config(localstripe_url))
    with app.app_context():
        db.create_all()
        import_catalog(PROJECT_ROOT / "catalog" / "jewellery")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    requests.post(
        f"{localstripe_url}/_config/webhooks/atelier",
        data={"url": f"{url}{WEBHOOK_PATH}", "secret": WEBHOOK_SECRET},
        timeout=5,
    ).raise_for_status()
    try:
        yield app, url
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        factory.close()


def test_design_a_ring_and_pay_for_it(page: Page, shop: tuple[Flask, str]) -> None:
    _, url = shop
    page.goto(f"{url}/p/ring")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{url}/cart")
    page.get_by_role("link", name="Checkout").click()

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("Custom Ring")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address", exact=True).fill("12 St James's Square")
    page.get_by_label("Postal code").fill("SW1Y 4JH")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Continue to payment").click()

    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    card = page.locator("#payment-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("42424")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()

    # The confirmation page is honest until the signed webhook arrives (about 1 s).
    expect(page).to_have_url(re.compile(r"/orders/[^/]+$"), timeout=15_000)
    expect(page.locator("#payment-state")).to_have_attribute(
        "data-payment-status", "paid", timeout=20_000
    )
    expect(page.get_by_role("heading", name="Paid — thank you!")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Custom Ring")
