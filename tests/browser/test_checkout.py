"""Chromium designs a ring (metal, stone, setting, engraving), pays with 4242 4242 4242
4242, and sees the order paid with what was chosen and its preview; a stale payment
page offers a reload.

Everything is real: the app over HTTP, localstripe with its fake Stripe.js and card
element, and the payment_intent.succeeded webhook that localstripe signs and posts
to the app on its own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, BrowserType, Locator, Page, expect
from werkzeug.serving import make_server

from configurator.core.database import db
from configurator.modules.cart.models import CartLine
from configurator.modules.catalog.services import import_catalog
from configurator.modules.orders import gateway
from configurator.modules.orders.models import Order
from configurator.modules.orders.services import order_token
from configurator.web.checkout import views as checkout_views
from configurator.web.checkout.views import WEBHOOK_PATH
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import CspWatch
from tests.conftest import AppFactory
from tests.web.checkout.conftest import (
    LOCALSTRIPE_ONLY,
    STRIPE_TEST_MODE,
    WEBHOOK_SECRET,
    start_localstripe,
    stripe_config,
)

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


def settled(page: Page, action: Any) -> None:
    """Run ``action`` (which changes a choice) and wait until its answer is drawn."""
    with page.expect_response(lambda response: response.url.endswith("/configure")):
        action()
    page.wait_for_function(
        "() => !document.getElementById('configurator').hasAttribute('aria-busy')"
    )


def attribute(page: Page, attribute_id: str) -> Locator:
    """The attribute's box, on its step (opened first)."""
    box = page.locator(f"[data-attribute={attribute_id}]")
    step = box.evaluate("element => element.closest('[data-step]').id")
    page.locator(f"#tab-{step}").click()
    expect(box).to_be_visible()
    return box


def choose(page: Page, attribute_id: str, option_id: str) -> None:
    option = attribute(page, attribute_id).locator(f'[data-option="{option_id}"]')
    settled(page, option.click)


def ring_in_cart(page: Page, url: str) -> None:
    """The ring as the product page first shows it, added to the cart."""
    page.goto(f"{url}/p/ring")
    expect(page.locator("html")).to_have_attribute("data-configurator", "ready")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))


def fill_in_address(page: Page, *, send: bool = True) -> None:
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address", exact=True).fill("12 St James's Square")
    page.get_by_label("Postal code").fill("SW1Y 4JH")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country").select_option("GB")
    if send:
        page.get_by_role("button", name="Continue to payment").click()


def fill_in_card(page: Page, number: str) -> None:
    card = page.locator("#payment-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("42424")


CHOSEN = ("Platinum", "Blue sapphire", "Halo", "Ada & Charles")


def test_design_a_ring_and_pay_for_it(page: Page, shop: tuple[Flask, str]) -> None:
    _, url = shop
    page.goto(f"{url}/p/ring")
    expect(page.locator("html")).to_have_attribute("data-configurator", "ready")
    choose(page, "metal", "platinum")
    choose(page, "gem", "sapphire")
    choose(page, "setting", "halo")
    engraving = attribute(page, "engraving").locator("input")
    settled(page, lambda: engraving.fill("Ada & Charles"))
    expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{url}/cart")
    page.get_by_role("link", name="Checkout").click()

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    summary = page.locator("#summary")
    expect(summary).to_contain_text("Custom Ring")
    for text in CHOSEN:
        expect(summary).to_contain_text(text)
    fill_in_address(page)

    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    fill_in_card(page, "4242424242424242")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()

    # The confirmation page is honest until the signed webhook arrives (about 1 s).
    expect(page).to_have_url(re.compile(r"/orders/[^/]+$"), timeout=15_000)
    expect(page.locator("#payment-state")).to_have_attribute(
        "data-payment-status", "paid", timeout=20_000
    )
    expect(page.get_by_role("heading", name="Paid — thank you!")).to_be_visible()
    ordered = page.locator(".summary-line")
    expect(ordered).to_have_count(1)
    expect(ordered).to_contain_text("Custom Ring")
    for text in CHOSEN:
        expect(ordered).to_contain_text(text)
    thumbnail = ordered.get_by_role("img", name="Preview of your Custom Ring")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("image => image.complete && image.naturalWidth > 0")


def test_a_stale_payment_page_offers_a_reload(page: Page, shop: tuple[Flask, str]) -> None:
    """Its CSRF token no longer fits the session: the shopper is told to reload, and can."""
    _, url = shop
    ring_in_cart(page, url)
    page.goto(f"{url}/checkout")
    fill_in_address(page)
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    page.locator("#payment-form").evaluate("form => { form.dataset.csrfToken = 'stale'; }")
    fill_in_card(page, "4242424242424242")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()

    message = page.locator("#payment-message")
    expect(message).to_contain_text("Reload the page and try again.")
    expect(message).not_to_contain_text("You can try again")
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_be_disabled()
    page.get_by_role("button", name="Reload the page").click()
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_be_enabled()
    expect(message).to_be_empty()


def test_axe_finds_no_serious_violations_from_checkout_to_order(
    page: Page, shop: tuple[Flask, str]
) -> None:
    _, url = shop
    ring_in_cart(page, url)
    assert serious_violations(page) == [], "cart"
    page.goto(f"{url}/checkout")
    expect(page.locator("[data-shipping]")).to_have_text(re.compile(r"Shipping\s*Free"))
    assert serious_violations(page) == [], "checkout"
    page.get_by_role("button", name="Continue to payment").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Please enter your email address."))
    assert serious_violations(page) == [], "checkout with errors"
    fill_in_address(page)
    expect(page.get_by_role("heading", name="Payment", exact=True)).to_be_visible()
    assert serious_violations(page) == [], "payment"
    fill_in_card(page, "4242424242424242")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.locator("#payment-state")).to_have_attribute(
        "data-payment-status", "paid", timeout=20_000
    )
    assert serious_violations(page) == [], "order"


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (gateway.UNREACHABLE_NOTHING_CHARGED, gateway.UNREACHABLE_NOTHING_CHARGED),
        ("Your card was declined", "Your card was declined. You can try again."),
        ("Your card was declined.", "Your card was declined. You can try again."),
    ],
)
def test_a_failed_attempt_says_try_again_once(
    page: Page, shop: tuple[Flask, str], message: str, shown: str
) -> None:
    _, url = shop
    ring_in_cart(page, url)
    page.goto(f"{url}/checkout")
    fill_in_address(page)
    expect(page.get_by_role("heading", name="Payment", exact=True)).to_be_visible()
    page.route(
        "**/setup-intent",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            json={"error": {"code": "payment_provider_unavailable", "message": message}},
        ),
    )
    fill_in_card(page, "4242424242424242")
    pay = page.get_by_role("button", name=re.compile(r"^Pay "))
    pay.click()
    note = page.locator("#payment-message")
    expect(note).to_have_text(shown)
    assert note.inner_text().lower().count("try again") == 1
    expect(pay).to_be_enabled()


def test_on_a_phone_a_form_sent_back_shows_its_problems_first(
    page: Page, shop: tuple[Flask, str]
) -> None:
    _, url = shop
    page.set_viewport_size({"width": 390, "height": 844})
    ring_in_cart(page, url)
    page.goto(f"{url}/checkout")
    page.get_by_role("button", name="Continue to payment").click()
    problems = page.locator(".form-problems")
    expect(problems).to_contain_text("Please check these")
    expect(problems).to_be_focused()
    box = problems.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + 40 <= 844, box
    # the order summary follows the form on one column
    summary = page.locator(".order-summary").bounding_box()
    assert summary is not None and summary["y"] > box["y"]


# -- the checkout form sent twice ----------------------------------------------------

PAY_PAGE = re.compile(r"/orders/([^/]+)/pay$")
CONTINUE = "Continue to payment"


class HeldCheckouts:
    """Checkout's ``create_order`` held until the test lets it go: the browser's first
    submit is still unanswered while the test clicks again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.arrived = threading.Event()
        self.released = threading.Event()
        make = checkout_views.create_order

        def held(*args: Any) -> Order:
            self.arrived.set()
            assert self.released.wait(timeout=60), "the test never let the checkout go"
            return make(*args)

        monkeypatch.setattr(checkout_views, "create_order", held)

    def wait_for_the_first(self) -> None:
        assert self.arrived.wait(timeout=30), "the checkout form did not arrive"


@pytest.fixture
def held_checkouts(monkeypatch: pytest.MonkeyPatch) -> HeldCheckouts:
    return HeldCheckouts(monkeypatch)


def checkout_posts(page: Page) -> list[str]:
    """The POSTs of the checkout form the page sends from now on."""
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.url)
            if request.method == "POST" and request.url.endswith("/checkout")
            else None
        ),
    )
    return sent


def the_one_order(app: Flask) -> tuple[int, str]:
    """(how many orders there are, the private token of the newest)."""
    with app.app_context():
        orders = db.session.execute(db.select(Order).order_by(Order.id)).scalars().all()
        assert orders, "no order was made"
        return len(orders), order_token(orders[-1])


def continue_button(page: Page) -> Locator:
    return page.get_by_role("button", name=CONTINUE)


# Each submit of the checkout form, as the page saw it once its handlers had run: sent or
# held back, and what the button and the status said. (Heard from the console: while the
# first submit is held, Playwright's locators and evaluate wait for its navigation.)
REPORT_SUBMITS = """
document.addEventListener("submit", (event) => {
  if (!event.target.matches("[data-checkout-form]")) return;
  setTimeout(() => {
    const button = document.querySelector("[data-checkout-submit]");
    const status = document.querySelector("[data-checkout-status]");
    console.log(`checkout submit: ${event.defaultPrevented ? "held back" : "sent"}, `
      + `aria-disabled=${button.getAttribute("aria-disabled")}, status=${status.textContent}`);
  });
}, true);
"""
SENT = "checkout submit: sent, aria-disabled=true, status=Placing your order…"
HELD_BACK = "checkout submit: held back, aria-disabled=true, status=Placing your order…"


def submits_reported(page: Page) -> list[str]:
    page.add_init_script(REPORT_SUBMITS)
    heard: list[str] = []
    page.on(
        "console",
        lambda message: (
            heard.append(message.text) if message.text.startswith("checkout submit:") else None
        ),
    )
    return heard


def press_enter_twice(page: Page) -> None:
    page.get_by_label("City").focus()
    for _ in range(2):
        page.keyboard.press("Enter")


# Sent without waiting for the navigation each click starts (the first is held).
SEND_AGAIN = {
    "double click": (2, lambda page: continue_button(page).dblclick(no_wait_after=True)),
    "triple click": (
        3,
        lambda page: continue_button(page).click(click_count=3, no_wait_after=True),
    ),
    "Enter twice": (2, press_enter_twice),
}


@pytest.mark.parametrize(("submits", "send"), SEND_AGAIN.values(), ids=SEND_AGAIN.keys())
def test_a_checkout_form_sent_again_at_once_is_sent_once_and_makes_one_order(
    page: Page, shop: tuple[Flask, str], held_checkouts: HeldCheckouts, submits: int, send: Any
) -> None:
    app, url = shop
    heard = submits_reported(page)
    ring_in_cart(page, url)
    page.goto(f"{url}/checkout")
    fill_in_address(page, send=False)
    posts = checkout_posts(page)
    send(page)
    held_checkouts.wait_for_the_first()
    held_checkouts.released.set()
    expect(page).to_have_url(PAY_PAGE)
    expect(page.get_by_role("heading", name="Payment", exact=True)).to_be_visible()
    orders, token = the_one_order(app)
    assert orders == 1
    found = PAY_PAGE.search(page.url)
    assert found and found.group(1) == token
    assert posts == [f"{url}/checkout"]
    assert heard == [SENT] + [HELD_BACK] * (submits - 1)


def test_without_javascript_a_double_click_still_makes_one_order(
    browser: Browser, shop: tuple[Flask, str]
) -> None:
    """Chromium may send the form again (it did twice in two here, once its first
    answer had come); the form's checkout key finds the order the first made."""
    app, url = shop
    page = browser.new_context(java_script_enabled=False).new_page()
    ring_in_cart_without_javascript(page, app, url)
    page.goto(f"{url}/checkout")
    fill_in_address(page, send=False)
    posts = checkout_posts(page)
    continue_button(page).dblclick(no_wait_after=True)
    expect(page).to_have_url(PAY_PAGE)
    orders, token = the_one_order(app)
    assert orders == 1
    found = PAY_PAGE.search(page.url)
    assert found and found.group(1) == token
    assert posts


def ring_in_cart_without_javascript(page: Page, app: Flask, url: str) -> None:
    """The ring as first shown, added to the cart through its page's own form."""
    page.goto(f"{url}/p/ring")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(CartLine.id))).scalar_one() == 1


@pytest.fixture
def with_bfcache(
    browser_type: BrowserType,
    browser_type_launch_args: dict[str, Any],
    csp_violations: CspWatch,
) -> Iterator[BrowserContext]:
    """A context of a Chromium that keeps pages left in its back/forward cache, as
    browsers do (Playwright's own ``browser`` has the cache switched off)."""
    launched = browser_type.launch(
        **browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"]
    )
    try:
        yield csp_violations.watch(launched.new_context())
    finally:
        launched.close()


def test_back_from_payment_gives_the_form_back_and_sending_it_again_finds_the_order(
    with_bfcache: BrowserContext, shop: tuple[Flask, str]
) -> None:
    app, url = shop
    page = with_bfcache.new_page()
    ring_in_cart(page, url)
    page.goto(f"{url}/checkout")
    fill_in_address(page, send=False)
    page.evaluate("() => { window.leftAt = 'checkout'; }")
    continue_button(page).click()
    expect(page).to_have_url(PAY_PAGE)
    pay_url = page.url
    page.go_back(wait_until="commit")
    expect(page).to_have_url(f"{url}/checkout")
    assert page.evaluate("() => window.leftAt") == "checkout", "not from the bfcache"
    expect(continue_button(page)).not_to_have_attribute("aria-disabled", "true")
    expect(page.get_by_role("status")).to_have_text("")
    continue_button(page).click()
    expect(page).to_have_url(pay_url)
    assert the_one_order(app)[0] == 1

    # The cart shows the order waiting for payment, and can take its items back.
    page.goto(f"{url}/cart")
    give_back = page.get_by_role("button", name=re.compile(r"^Return these items to my cart"))
    expect(page.get_by_role("link", name=re.compile(r"^Pay for order"))).to_have_attribute(
        "href", re.compile(PAY_PAGE.pattern)
    )
    assert serious_violations(page) == [], "cart with an order waiting for payment"
    give_back.click()
    expect(page.get_by_text(re.compile(r"are back in your cart"))).to_be_visible()
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(give_back).to_have_count(0)
    with app.app_context():
        assert db.session.execute(db.select(Order.status)).scalar_one() == "cancelled"
