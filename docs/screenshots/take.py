"""Screenshots of the storefront at phone and desktop widths, for docs and review.

Run against a seeded app (`make run`), e.g.:
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:5000

Writes, per width (desktop 1366x900, phone 390x844): the home page, each product's
configurator, the README's picture (configurator.png and configurator-phone.png: the
sneaker's upper step with a greyed-out colour and its reason open beside the preview),
a conflict with its one-click repair (the screen as the page scrolled it), a saved
design, the cart, the checkout (and its form errors), the payment page, the paid order
(when payments run on localstripe, as with `make run`: its card form is filled in with
a test card) and the 404 page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
PRODUCTS = ("sneaker", "chocolate-bar", "ring")
CHROMIUM = "/usr/bin/chromium"


def ready(page: Page) -> None:
    """The page's script has drawn its first answer, and the picture has loaded."""
    page.wait_for_selector("html[data-configurator=ready]")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => { const image = document.querySelector('[data-preview-image]');"
        " return !image || (image.complete && image.naturalWidth > 0); }"
    )


def settle(page: Page) -> None:
    """Wait for the answer to a change, and for its picture."""
    page.wait_for_function("!document.getElementById('configurator').hasAttribute('aria-busy')")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => { const image = document.querySelector('[data-preview-image]');"
        " return image.complete && image.naturalWidth > 0"
        " && !document.querySelector('[data-preview]').classList.contains('is-loading'); }"
    )


def pick(page: Page, attribute: str, option: str) -> None:
    page.locator(f"[data-attribute={attribute}] label[data-option={option}]").click()
    settle(page)


def show_a_reason(page: Page, full: bool) -> None:
    """The sneaker's upper step, with a dressed-up design and a greyed colour's reason."""
    page.locator("#tab-step-2").click()
    pick(page, "upper_colour", "navy")
    page.locator("#tab-step-4").click()
    pick(page, "sole", "gum")
    page.locator("#tab-step-2").click()
    page.evaluate("window.scrollTo(0, 0)")
    greyed = page.locator("[data-attribute=upper_material] .option.is-unavailable").first
    greyed.locator("input").focus()
    greyed.locator(".reason").wait_for(state="visible")
    if not full:
        page.evaluate("window.scrollTo(0, 0)")  # focus may have scrolled the page


def fill_in_address(page: Page) -> None:
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address", exact=True).fill("12 St James's Square")
    page.get_by_label("Postal code").fill("SW1Y 4JH")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country").select_option("GB")


def pay_with_a_test_card(page: Page) -> bool:
    """Pay on localstripe's card form; False when the page has another (Stripe's own)."""
    card = page.locator("#payment-element")
    number = card.get_by_placeholder("number")
    if not number.count():
        return False
    number.fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("42424")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.wait_for_url(re.compile(r"/orders/[^/]+$"), timeout=15_000)
    page.wait_for_selector("[data-payment-status=paid]", timeout=20_000)
    return True


def checkout(page: Page, name: str) -> None:
    """From the cart on: checkout, its errors, payment, the paid order."""
    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/checkout")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / f"checkout-{name}.png", full_page=True)
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_selector(".field-error")
    page.screenshot(path=OUT / f"checkout-errors-{name}.png", full_page=True)
    fill_in_address(page)
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/pay")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / f"pay-{name}.png", full_page=True)
    if pay_with_a_test_card(page):
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / f"order-{name}.png", full_page=True)


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--disable-gpu", "--no-first-run"]
        )
        for name, (width, height) in SIZES.items():
            # Reduced motion: the page's scrolling (to a conflict) is instant, so the shot
            # never catches it half-way.
            page = browser.new_context(
                viewport={"width": width, "height": height}, reduced_motion="reduce"
            ).new_page()
            full = name == "phone"
            suffix = "" if name == "desktop" else "-phone"
            page.goto(base)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"home-{name}.png", full_page=True)
            for slug in PRODUCTS:
                page.goto(f"{base}/p/{slug}")
                ready(page)
                page.screenshot(path=OUT / f"product-{slug}-{name}.png", full_page=full)
            # The README's picture: greyed-out options, a reason, the preview.
            page.goto(f"{base}/p/sneaker")
            ready(page)
            show_a_reason(page, full)
            page.screenshot(path=OUT / f"configurator{suffix}.png", full_page=full)
            # A conflict with its one-click repair, and the reason of the option picked.
            page.goto(f"{base}/p/sneaker")
            ready(page)
            page.locator("#tab-step-2").click()
            page.locator("label[data-option=suede]").click(force=True)
            page.wait_for_selector("[data-conflict]:not([hidden])")
            settle(page)
            page.mouse.move(0, 0)
            # The screen as the shopper sees it: the page brings the conflict into view.
            page.screenshot(path=OUT / f"conflict-{name}.png")
            page.locator("[data-conflict]").get_by_role("button", name="Fix it").click()
            page.wait_for_selector("[data-conflict][hidden]", state="attached")
            settle(page)
            page.get_by_label("Name this design").fill("Weekend sneakers")
            page.get_by_role("button", name="Save design").click()
            page.wait_for_url("**/d/**")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"design-{name}.png", full_page=full)
            page.get_by_role("button", name="Add to cart").click()
            page.wait_for_url("**/cart")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"cart-{name}.png", full_page=True)
            checkout(page, name)
            page.goto(f"{base}/no-such-page")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"not-found-{name}.png", full_page=full)
            page.context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
