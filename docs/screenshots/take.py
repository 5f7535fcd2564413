"""Screenshots of the storefront at phone and desktop widths, for docs and review.

Run against a seeded app (`make run`), e.g.:
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:5000
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
PRODUCTS = ("sneaker", "chocolate-bar", "ring")


def ready(page: Page) -> None:
    page.wait_for_selector("html[data-configurator=ready]")
    page.wait_for_load_state("networkidle")


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--disable-gpu", "--no-first-run"]
        )
        for name, (width, height) in SIZES.items():
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            full = name == "phone"
            page.goto(base)
            page.screenshot(path=OUT / f"home-{name}.png", full_page=True)
            for slug in PRODUCTS:
                page.goto(f"{base}/p/{slug}")
                ready(page)
                page.screenshot(path=OUT / f"product-{slug}-{name}.png", full_page=full)
            # A conflict with its one-click repair, and a reason tooltip.
            page.goto(f"{base}/p/sneaker")
            ready(page)
            page.locator("#tab-step-2").click()
            page.locator("label[data-option=suede]").click(force=True)
            page.wait_for_selector("[data-conflict]:not([hidden])")
            page.locator("#tab-step-3").click()
            page.locator("[data-attribute=upper_colour] .option.is-unavailable").first.hover()
            page.screenshot(path=OUT / f"conflict-{name}.png", full_page=full)
            page.get_by_role("button", name="Fix it", exact=False).click()
            page.wait_for_selector("[data-conflict][hidden]", state="attached")
            page.get_by_label("Name this design").fill("Weekend sneakers")
            page.get_by_role("button", name="Save design").click()
            page.wait_for_url("**/d/**")
            page.screenshot(path=OUT / f"design-{name}.png", full_page=full)
            page.get_by_role("button", name="Add to cart").click()
            page.wait_for_url("**/cart")
            page.screenshot(path=OUT / f"cart-{name}.png", full_page=True)
            page.context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
