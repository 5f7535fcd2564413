"""Back and Forward in Chromium: the configurator shows exactly what "Add to cart" sends.

A page can come back from the browser's back/forward cache (scripts, answer and all, as
they were when the shopper left) or be loaded again and have its form filled in by the
browser; either way the price and options on screen must be those of the choices the
form will post, and the cart line must cost the price that was shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, BrowserType, Page, expect

from configurator.core.database import db
from configurator.domain.engine import catalog_to_document, load_catalog, parse_catalog
from configurator.modules.cart.models import CartLine
from configurator.modules.catalog.services import publish_catalog
from tests.browser.conftest import SEED_DIR, publish_seed

pytestmark = pytest.mark.browser

DEFAULT_PRICE = "€99.00"
CHOSEN_PRICE = "€147.00"  # high-top (+15) in patent (+18), and the pair costs 15 more

# The configurator's choices as the form holds them now: what "Add to cart" posts.
FORM_CHOICES = """() => {
    const choices = {};
    for (const [name, value] of new FormData(document.getElementById('configurator'))) {
        if (!name.startsWith('c-') || value === '') continue;
        (choices[name.slice(2)] ??= []).push(String(value));
    }
    return choices;
}"""

MARK_THE_PAGE = "() => { window.leftAt = Date.now(); }"
PAGE_IS_THE_ONE_LEFT = "() => window.leftAt !== undefined"


@pytest.fixture
def shop_url(live_app: Flask, live_server: str) -> str:
    publish_seed(live_app, "shoes")
    return live_server


@pytest.fixture(scope="module")
def with_bfcache(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    """A Chromium that keeps pages left in its back/forward cache, as browsers do.

    Playwright switches the cache off by default: its ``browser`` loads a page again on
    Back (and a browser may then fill its form in again from the history entry).
    """
    launched = browser_type.launch(
        **browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"]
    )
    yield launched
    launched.close()


@pytest.fixture
def open_page(browser: Browser, with_bfcache: Browser) -> Iterator[Callable[..., Page]]:
    """Opens a page in a new context of Chromium, with its back/forward cache or without."""
    contexts: list[BrowserContext] = []

    def opened(cache: str = "reload", **options: Any) -> Page:
        chromium = with_bfcache if cache == "bfcache" else browser
        contexts.append(chromium.new_context(**options))
        return contexts[-1].new_page()

    yield opened
    for context in contexts:
        context.close()


def ready(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("data-configurator", "ready")
    page.wait_for_function(
        "() => !document.getElementById('configurator').hasAttribute('aria-busy')"
    )


def shown(page: Page) -> tuple[str, dict[str, list[str]]]:
    """The total on screen and the choices the form would send."""
    return page.locator("[data-price-total]").inner_text(), page.evaluate(FORM_CHOICES)


def choose_an_expensive_design(page: Page) -> None:
    for attribute, option in (("silhouette", "high"), ("upper_material", "patent")):
        box = page.locator(f"[data-attribute={attribute}]")
        step = box.evaluate("element => element.closest('[data-step]').id")
        page.locator(f"#tab-{step}").click()
        with page.expect_response(lambda response: response.url.endswith("/configure")):
            box.locator(f"label[data-option={option}]").click()
        ready(page)
    expect(page.locator("[data-price-total]")).to_have_text(CHOSEN_PRICE)


def as_form_values(choices: dict[str, Any]) -> dict[str, list[str]]:
    return {
        attribute: [str(v) for v in value] if isinstance(value, list) else [str(value)]
        for attribute, value in choices.items()
        if value not in (None, "", [])
    }


def lines_by_id(app: Flask) -> dict[int, tuple[int, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.scalars(db.select(CartLine)).all()
        result = {line.id: (line.quantity, dict(line.choices)) for line in rows}
        db.session.remove()
        return result


def add_to_cart_and_compare(page: Page, app: Flask, price: str, form: dict[str, Any]) -> None:
    """Add to cart; the line that took it holds the form's choices at the price shown."""
    before = lines_by_id(app)
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    after = lines_by_id(app)
    (line_id,) = [
        id_ for id_, (quantity, _) in after.items() if quantity > before.get(id_, (0, {}))[0]
    ]
    quantity, choices = after[line_id]
    assert as_form_values(choices) == form
    line = page.locator(f"#line-{line_id}")
    if quantity == 1:
        expect(line.locator(".cart-line__total")).to_have_text(price)
    else:
        expect(line.locator(".cart-line__unit")).to_have_text(f"{price} each")


def design_and_leave(page: Page, shop_url: str, by: str) -> None:
    page.goto(f"{shop_url}/p/sneaker")
    ready(page)
    expect(page.locator("[data-price-total]")).to_have_text(DEFAULT_PRICE)
    choose_an_expensive_design(page)
    leave(page, by)


def leave(page: Page, by: str) -> None:
    page.evaluate(MARK_THE_PAGE)
    if by == "cart":
        page.get_by_role("button", name="Add to cart").click()
        expect(page).to_have_url(re.compile(r"/cart$"))
    else:
        page.get_by_role("link", name="Shop", exact=True).first.click()
        expect(page).to_have_url(re.compile(r"/$"))


@pytest.mark.parametrize("by", ["cart", "link"])
@pytest.mark.parametrize("cache", ["bfcache", "reload"])
def test_back_and_forward_show_the_design_the_cart_gets(
    open_page: Callable[..., Page], live_app: Flask, shop_url: str, cache: str, by: str
) -> None:
    page = open_page(cache)
    design_and_leave(page, shop_url, by)

    page.go_back(wait_until="commit")
    ready(page)
    assert page.evaluate(PAGE_IS_THE_ONE_LEFT) == (cache == "bfcache")
    price, form = shown(page)
    if cache == "bfcache":
        assert price == CHOSEN_PRICE  # the design as the shopper left it
    page.go_forward(wait_until="commit")
    expect(page).not_to_have_url(re.compile(r"/p/sneaker$"))
    page.go_back(wait_until="commit")
    ready(page)
    assert shown(page) == (price, form)
    add_to_cart_and_compare(page, live_app, price, form)


def publish_a_dearer_sneaker(app: Flask) -> None:
    """The merchant publishes the next version, EUR 10 dearer, while the shopper is away."""
    document = catalog_to_document(load_catalog(SEED_DIR / "shoes"))
    document["product"]["base_price"] += 1000
    with app.app_context():
        publish_catalog(parse_catalog(document))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("cache", ["bfcache", "reload"])
def test_back_after_a_new_catalog_version_shows_its_price(
    open_page: Callable[..., Page], live_app: Flask, shop_url: str, cache: str
) -> None:
    page = open_page(cache)
    design_and_leave(page, shop_url, "link")
    publish_a_dearer_sneaker(live_app)

    page.go_back(wait_until="commit")
    ready(page)
    assert page.evaluate(PAGE_IS_THE_ONE_LEFT) == (cache == "bfcache")
    price, form = shown(page)
    assert price in ("€109.00", "€157.00")  # the default or the chosen design, now
    add_to_cart_and_compare(page, live_app, price, form)


def test_without_javascript_back_shows_the_design_the_cart_gets(
    open_page: Callable[..., Page], live_app: Flask, shop_url: str
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto(f"{shop_url}/p/sneaker")
    for attribute, option in (("silhouette", "high"), ("upper_material", "patent")):
        page.locator(f"[data-attribute={attribute}] label[data-option={option}]").click()
    leave(page, "link")
    page.go_back()
    price, form = shown(page)
    add_to_cart_and_compare(page, live_app, price, form)


# Fills the form in as a browser's autofill or an extension may: once parsing is done and
# before module scripts run (readyState "interactive"), or once they have run and before
# "pageshow" (DOMContentLoaded), which is when Chromium fills a form in again after Back.
REFILL = """document.addEventListener("%s", () => {
    if (document.readyState === "loading") return;
    for (const [name, value] of [["c-silhouette", "high"], ["c-upper_material", "patent"]]) {
        document.querySelector(`input[name="${name}"][value="${value}"]`).checked = true;
    }
});"""


@pytest.mark.parametrize("moment", ["readystatechange", "DOMContentLoaded"])
def test_a_form_filled_in_by_the_browser_is_priced_by_the_server(
    page: Page, live_app: Flask, shop_url: str, moment: str
) -> None:
    page.add_init_script(REFILL % moment)
    page.goto(f"{shop_url}/p/sneaker")
    ready(page)
    price, form = shown(page)
    assert (form["silhouette"], form["upper_material"]) == (["high"], ["patent"])
    assert price == CHOSEN_PRICE
    expect(page.locator("[data-step-value=step-1]")).to_contain_text("High-top")
    add_to_cart_and_compare(page, live_app, price, form)
