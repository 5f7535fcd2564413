"""The storefront in Chromium: design each product, meet reasons, repair, undo, save, buy.

Also the same page with JavaScript off, axe-core on every kind of page, and the
configurator driven by the keyboard alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog
from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser

SEED_DIR = Path(__file__).resolve().parents[2] / "catalog"
PRODUCTS = {
    "sneaker": "Custom Sneaker",
    "chocolate-bar": "Custom Chocolate Bar",
    "ring": "Custom Ring",
}


@pytest.fixture
def shop_url(live_app: Flask, live_server: str) -> str:
    with live_app.app_context():
        for folder in ("shoes", "chocolate", "jewellery"):
            import_catalog(SEED_DIR / folder)
        db.session.commit()
    return live_server


# -- helpers ---------------------------------------------------------------------------------


def open_configurator(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("data-configurator", "ready")


def settled(page: Page, action: Any) -> None:
    """Run ``action`` (which changes a choice) and wait until its answer is drawn."""
    with page.expect_response(lambda response: response.url.endswith("/configure")):
        action()
    page.wait_for_function(
        "() => !document.getElementById('configurator').hasAttribute('aria-busy')"
    )


def choices(page: Page) -> dict[str, Any]:
    value = page.locator("[data-previous]").input_value()
    return dict(json.loads(value))


def conflict(page: Page) -> Locator:
    return page.locator("[data-conflict]")


def go_to_step(page: Page, box: Locator) -> None:
    step_id = box.evaluate("element => element.closest('[data-step]').id")
    page.locator(f"#tab-{step_id}").click()
    expect(box).to_be_visible()


def design_every_step(page: Page) -> None:
    """Make a choice in every step, always among the options still available."""
    tabs = page.get_by_role("tab")
    for index in range(tabs.count()):
        tabs.nth(index).click()
        panel = page.get_by_role("tabpanel")
        boxes = panel.locator("[data-attribute]")
        for position in range(boxes.count()):
            box = boxes.nth(position)
            kind = box.get_attribute("data-kind")
            if kind in ("single", "multi"):
                candidate = box.locator(
                    ".option:not(.is-unavailable):not(.option--none):has(input:not(:checked))"
                )
                if candidate.count():
                    settled(page, candidate.first.click)
            elif kind == "number":
                settled(page, box.get_by_role("button", name=re.compile("^Larger")).click)
                if box.locator("input[aria-invalid=true]").count():
                    settled(page, box.get_by_role("button", name=re.compile("^Smaller")).click)
                    settled(page, box.get_by_role("button", name=re.compile("^Smaller")).click)
            else:
                settled(page, lambda box=box: box.locator("input").fill("AB"))
            expect(conflict(page)).to_be_hidden()
    expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")


# Whether the radio that ArrowRight reaches from the focused one would be chosen by it.
NEXT_RADIO_IS_CHOSEN = """() => {
    const group = [...document.getElementsByName(document.activeElement.name)];
    const next = group[(group.indexOf(document.activeElement) + 1) % group.length];
    return next.getAttribute('aria-disabled') !== 'true' && !next.checked;
}"""


def keyboard_to_an_unavailable_option(page: Page) -> Locator:
    """Arrow through a radio group until focus rests on a greyed-out option; return it.

    The arrows choose the available options they pass (each answered by the server) and
    only focus the greyed one they stop on.
    """
    groups = page.locator("[data-kind=single]:has(.option.is-unavailable)")
    assert groups.count(), "every option is available: nothing to explain"
    box = groups.first
    go_to_step(page, box)
    box.locator("input:checked").focus()
    radios = box.locator("input[type=radio]").count()
    for _ in range(radios * 2):
        if page.evaluate(NEXT_RADIO_IS_CHOSEN):
            settled(page, lambda: page.keyboard.press("ArrowRight"))
        else:
            page.keyboard.press("ArrowRight")
        if page.evaluate("document.activeElement.getAttribute('aria-disabled')") == "true":
            focused = page.locator("input:focus")
            expect(focused).not_to_be_checked()
            return focused
    raise AssertionError("no unavailable option reached with the arrow keys")


# -- the whole journey, per product --------------------------------------------------------------


@pytest.mark.parametrize("slug", list(PRODUCTS))
def test_design_explain_repair_undo_save_reopen_and_buy(
    page: Page, shop_url: str, slug: str
) -> None:
    open_configurator(page, f"{shop_url}/p/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCTS[slug])
    design_every_step(page)

    # A greyed-out option, reached with the keyboard, explains itself in a tooltip.
    option = keyboard_to_an_unavailable_option(page)
    tooltip = page.locator(f"#{option.get_attribute('aria-describedby')}")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_attribute("role", "tooltip")
    expect(tooltip).to_contain_text("Unavailable.")
    assert len(tooltip.inner_text()) > len("Unavailable. ") + 10
    picked = option.get_attribute("name"), option.get_attribute("value")

    # Picking it anyway (Space): a clear conflict, and one click repairs around the new pick.
    expect(conflict(page)).to_be_hidden()
    settled(page, lambda: page.keyboard.press("Space"))
    expect(option).to_be_checked()
    expect(conflict(page)).to_be_visible()
    expect(conflict(page)).to_contain_text("These choices don’t go together")
    settled(page, conflict(page).get_by_role("button", name=re.compile("^Fix it")).click)
    expect(conflict(page)).to_be_hidden()
    expect(page.locator(f"input[name='{picked[0]}'][value='{picked[1]}']")).to_be_checked()
    expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")
    repaired = choices(page)

    # Undo and redo, with the keyboard shortcuts and with the buttons.
    page.locator("h1").click()
    settled(page, lambda: page.keyboard.press("Control+z"))
    expect(conflict(page)).to_be_visible()
    settled(page, lambda: page.keyboard.press("Control+Shift+z"))
    expect(conflict(page)).to_be_hidden()
    assert choices(page) == repaired
    settled(page, page.get_by_role("button", name="Undo").click)
    expect(conflict(page)).to_be_visible()
    settled(page, page.get_by_role("button", name="Redo").click)
    expect(conflict(page)).to_be_hidden()
    expect(page.locator("[data-announcer]")).to_contain_text("Price")

    # Save, then reopen the permalink exactly.
    page.get_by_label("Name this design").fill(f"Test {slug}")
    page.get_by_role("button", name="Save design").click()
    expect(page).to_have_url(re.compile(r"/d/[\w-]{16,}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Test {slug}")
    permalink = page.get_by_label("Link to this design").input_value()
    assert permalink == page.url
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-copy-status]")).to_contain_text("Link copied")

    page.goto(permalink)
    page.get_by_role("link", name="Edit in the configurator").click()
    expect(page.locator("html")).to_have_attribute("data-configurator", "ready")
    assert choices(page) == repaired

    page.goto(permalink)
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_role("heading", level=2, name=PRODUCTS[slug])).to_be_visible()
    expect(page.get_by_label("Quantity")).to_have_value("1")


def test_surprise_me_cheapest_and_start_over(page: Page, shop_url: str) -> None:
    open_configurator(page, f"{shop_url}/p/chocolate-bar")
    total = page.locator("[data-price-total]")
    suggested = total.inner_text()
    settled(page, page.get_by_role("button", name="Cheapest").click)
    cheapest = total.inner_text()
    expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")
    settled(page, page.get_by_role("button", name="Surprise me").click)
    expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")
    settled(page, page.get_by_role("button", name="Start over").click)
    expect(page.locator("input[name='c-toppings'][value='hazelnut']")).to_be_checked()
    assert float(cheapest.strip("€")) < float(suggested.strip("€"))
    expect(total).to_have_text(suggested)


def test_a_failed_or_non_json_answer_is_said_and_loses_nothing(page: Page, shop_url: str) -> None:
    open_configurator(page, f"{shop_url}/p/chocolate-bar")
    before = choices(page)
    failure = page.locator("[data-script-error]")
    expect(failure).to_be_hidden()

    # An HTML error page (a proxy, an expired session) where JSON was expected.
    def html_error(route: Any) -> None:
        route.fulfill(status=400, content_type="text/html", body="<h1>Bad Request</h1>")

    page.route("**/complete", html_error)
    page.get_by_role("button", name="Surprise me").click()
    expect(failure).to_be_visible()
    expect(failure).to_contain_text("“Surprise me” didn’t work")
    expect(failure).to_contain_text("(400)")
    expect(failure).to_contain_text("Your design is unchanged.")
    # said once, by the live region (an alert role as well would say it twice)
    assert failure.get_attribute("role") is None
    expect(page.locator("[aria-live]").filter(has_text="didn’t work")).to_have_count(1)
    assert choices(page) == before
    expect(page.locator("input[name='c-toppings'][value='hazelnut']")).to_be_checked()

    # The configure answer failing too: said, and the choice just made stays in the form.
    page.route("**/configure", lambda route: route.fulfill(status=502, body="Bad gateway"))
    toppings = page.locator("[data-attribute='toppings']")
    go_to_step(page, toppings)
    option = toppings.locator(".option:not(.is-unavailable):has(input:not(:checked))").first
    topping = option.get_attribute("data-option")
    option.click()
    expect(failure).to_contain_text("couldn’t update availability and price")
    expect(page.locator(f"input[name='c-toppings'][value='{topping}']")).to_be_checked()

    # Once the shop answers again, "Try again" brings the page up to date and clears it.
    page.unroute("**/configure")
    page.unroute("**/complete")
    settled(page, failure.get_by_role("button", name="Try again").click)
    expect(failure).to_be_hidden()
    assert topping in choices(page)["toppings"]


@pytest.mark.parametrize("width", [390, 1366])
def test_a_reason_bubble_stays_inside_its_step(browser: Browser, shop_url: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        open_configurator(page, f"{shop_url}/p/sneaker")
        box = page.locator("[data-attribute=upper_colour]")
        go_to_step(page, box)
        greyed = box.locator(".option.is-unavailable")
        assert greyed.count()
        for index in range(greyed.count()):  # every column, the last one included
            option = greyed.nth(index)
            option.locator("input").focus()
            bubble = option.locator(".reason")
            expect(bubble).to_be_visible()
            step = option.evaluate("o => o.closest('.step').getBoundingClientRect().toJSON()")
            edges = bubble.evaluate("b => b.getBoundingClientRect().toJSON()")
            assert edges["left"] >= step["left"] - 1 and edges["right"] <= step["right"] + 1, (
                option.get_attribute("data-option"),
                edges,
                step,
            )
    finally:
        context.close()


def test_on_a_phone_the_steps_fade_where_more_of_them_are(browser: Browser, shop_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        open_configurator(page, f"{shop_url}/p/sneaker")
        steps = page.locator(".steps__list")
        expect(steps).to_have_attribute("data-more", "end")
        assert "gradient" in steps.evaluate("l => getComputedStyle(l).maskImage")
        steps.evaluate("l => l.scrollTo({left: l.scrollWidth / 3})")
        expect(steps).to_have_attribute("data-more", "start end")
        page.get_by_role("tab").last.focus()
        page.keyboard.press("End")  # the last step: nothing more past the end
        expect(steps).to_have_attribute("data-more", "start")
        page.set_viewport_size({"width": 1366, "height": 900})  # all steps in view
        expect(steps).to_have_attribute("data-more", "")
        assert steps.evaluate("l => getComputedStyle(l).maskImage") == "none"
    finally:
        context.close()


# -- without JavaScript ---------------------------------------------------------------------------


def test_the_configurator_works_without_javascript(browser: Browser, shop_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{shop_url}/p/sneaker")
    update = page.get_by_role("button", name="Update availability and price")
    expect(update).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_hidden()

    # Playwright counts aria-disabled as disabled; a shopper can still pick it.
    page.locator("[data-attribute=upper_material] label[data-option=suede]").click(force=True)
    update.click()
    expect(conflict(page)).to_contain_text("These choices don’t go together")
    page.get_by_role("button", name=re.compile("^Fix it")).click()
    expect(conflict(page)).to_be_hidden()
    expect(page.locator("input[name='c-upper_material'][value='suede']")).to_be_checked()
    expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")

    page.get_by_role("button", name="Save design").click()
    expect(page).to_have_url(re.compile(r"/d/[\w-]{16,}$"))
    expect(page.get_by_text("Suede", exact=True)).to_be_visible()
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_role("heading", name="Custom Sneaker")).to_be_visible()
    context.close()


# -- accessibility ---------------------------------------------------------------------------------


def test_axe_finds_no_serious_violations(page: Page, shop_url: str) -> None:
    page.goto(shop_url)
    assert serious_violations(page) == [], "home"
    for slug in PRODUCTS:
        open_configurator(page, f"{shop_url}/p/{slug}")
        assert serious_violations(page) == [], slug
    # With a conflict on show, and a tooltip open.
    unavailable = page.locator("[data-kind=single] .option.is-unavailable").first
    go_to_step(page, unavailable)
    settled(page, lambda: unavailable.click(force=True))
    expect(conflict(page)).to_be_visible()
    assert serious_violations(page) == [], "ring with a conflict"
    settled(page, conflict(page).get_by_role("button", name=re.compile("^Fix it")).click)
    page.get_by_role("button", name="Save design").click()
    expect(page).to_have_url(re.compile(r"/d/"))
    assert serious_violations(page) == [], "design"
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    assert serious_violations(page) == [], "cart"
    page.goto(f"{shop_url}/designs")
    assert serious_violations(page) == [], "my designs"


def test_axe_finds_no_serious_violations_on_an_error_page(page: Page, shop_url: str) -> None:
    response = page.goto(f"{shop_url}/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can’t find that page")
    expect(page.get_by_role("link", name="Back to the shop")).to_have_attribute("href", "/")
    assert serious_violations(page) == [], "404"
    page.goto(f"{shop_url}/d/no-such-design")
    expect(page.get_by_text("There is no such design.")).to_be_visible()
    assert serious_violations(page) == [], "unknown design"


def focused(page: Page) -> Locator:
    return page.locator(":focus")


def tab_until(page: Page, found: str, key: str = "Tab", limit: int = 80) -> None:
    """Press ``key`` until the focused element matches the selector ``found``."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("selector => document.activeElement.matches(selector)", found):
            return
    raise AssertionError(f"{key} never reached {found}")


def test_keyboard_alone_designs_repairs_and_adds_to_cart(page: Page, shop_url: str) -> None:
    open_configurator(page, f"{shop_url}/p/sneaker")
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    tab_until(page, "[role=tab]", limit=30)
    expect(focused(page)).to_contain_text("Shape")

    # Arrow keys move between steps; Tab enters the step; arrows pick an option.
    page.keyboard.press("ArrowRight")
    expect(focused(page)).to_contain_text("Upper")
    page.keyboard.press("ArrowLeft")
    expect(focused(page)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_attribute("value", "low")
    settled(page, lambda: page.keyboard.press("ArrowRight"))
    expect(page.locator("input[name=c-silhouette][value=mid]")).to_be_checked()
    settled(page, lambda: page.keyboard.press("Control+z"))
    expect(page.locator("input[name=c-silhouette][value=low]")).to_be_checked()
    settled(page, lambda: page.keyboard.press("Control+Shift+Z"))
    expect(page.locator("input[name=c-silhouette][value=mid]")).to_be_checked()

    # "Next" takes the focus to the next step's tab.
    page.keyboard.press("Tab")
    expect(focused(page)).to_contain_text("Next: Upper")
    page.keyboard.press("Enter")
    expect(focused(page)).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).to_contain_text("Upper material")

    # Into the materials: the arrow rests on greyed-out suede without choosing it, and
    # its reason shows; Space chooses it on purpose, and the conflict appears.
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_attribute("value", "leather")
    page.keyboard.press("ArrowRight")
    suede = page.locator("input[name=c-upper_material][value=suede]")
    expect(suede).to_be_focused()
    expect(suede).not_to_be_checked()
    expect(page.locator("#r-upper_material-suede")).to_be_visible()
    settled(page, lambda: page.keyboard.press("Space"))
    expect(conflict(page)).to_be_visible()
    expect(suede).to_be_focused()  # the conflict is announced; the focus stays put

    # The repair is two Shift+Tabs back (past the steps), and the focus comes back after it.
    tab_until(page, "[data-repair]", key="Shift+Tab", limit=5)
    settled(page, lambda: page.keyboard.press("Enter"))
    expect(conflict(page)).to_be_hidden()
    expect(suede).to_be_checked()
    expect(suede).to_be_focused()

    # A conflict again (a colour suede doesn't come in), then "Add to cart": refused in
    # words that fit, with the focus taken to the conflict, whose "Fix it" is the next Tab.
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_attribute("name", "c-upper_colour")
    while focused(page).get_attribute("aria-disabled") != "true":
        if page.evaluate(NEXT_RADIO_IS_CHOSEN):
            settled(page, lambda: page.keyboard.press("ArrowRight"))
        else:
            page.keyboard.press("ArrowRight")
    colour = focused(page).evaluate(
        "e => e.closest('.option').querySelector('.option__label').textContent"
    )
    settled(page, lambda: page.keyboard.press("Space"))
    expect(conflict(page)).to_be_visible()
    tab_until(page, "button[value=cart]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/p/sneaker(#main)?$"))  # not sent anywhere
    status = page.locator("[data-status]")
    expect(status).to_have_text("Resolve the conflict before adding it to the cart.")
    expect(focused(page)).to_have_text("These choices don’t go together")
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Fix it")
    settled(page, lambda: page.keyboard.press("Enter"))
    expect(conflict(page)).to_be_hidden()
    expect(status).to_have_text("Ready to be made for you.")
    expect(focused(page)).to_have_text("Add to cart")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_text("Mid-top")).to_be_visible()
    expect(page.locator(".cart-line__choices")).to_contain_text(colour)


def test_from_a_greyed_option_picked_with_space_the_fix_is_the_next_tab(
    page: Page, shop_url: str
) -> None:
    open_configurator(page, f"{shop_url}/p/sneaker")
    box = page.locator("[data-attribute=upper_colour]")
    go_to_step(page, box)
    expect(page.locator("[data-repair-here]:visible")).to_have_count(0)
    box.locator("input:checked").focus()
    while focused(page).get_attribute("aria-disabled") != "true":
        if page.evaluate(NEXT_RADIO_IS_CHOSEN):
            settled(page, lambda: page.keyboard.press("ArrowRight"))
        else:
            page.keyboard.press("ArrowRight")
    picked = focused(page).get_attribute("value")
    settled(page, lambda: page.keyboard.press("Space"))
    expect(conflict(page)).to_be_visible()

    # The step's own "Fix it" comes first after the options, described by the fix.
    page.keyboard.press("Tab")
    fix = focused(page)
    expect(fix).to_have_text("Fix it")
    expect(fix).to_have_attribute("data-repair-here", "")
    expect(fix).to_have_accessible_description(re.compile(r"^Quickest fix: .+\.$"))
    settled(page, lambda: page.keyboard.press("Enter"))
    expect(conflict(page)).to_be_hidden()
    expect(page.locator("[data-repair-here]:visible")).to_have_count(0)
    chosen = page.locator(f"input[name=c-upper_colour][value={picked}]")
    expect(chosen).to_be_checked()
    expect(chosen).to_be_focused()  # back where the shopper was
    expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")


CONFIGURE_REQUESTS = "/configure"


def test_arrows_focus_greyed_options_without_choosing_them(page: Page, shop_url: str) -> None:
    open_configurator(page, f"{shop_url}/p/sneaker")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    box = page.locator("[data-attribute=upper_material]")
    go_to_step(page, box)
    leather, suede, patent = (
        box.locator(f"input[value={option}]") for option in ("leather", "suede", "patent")
    )
    expect(suede).to_have_attribute("aria-disabled", "true")
    expect(patent).not_to_have_attribute("aria-disabled", "true")
    total = page.locator("[data-price-total]")
    price, before = total.inner_text(), choices(page)

    def configured() -> int:
        return sum(url.endswith(CONFIGURE_REQUESTS) for url in asked)

    def unchanged(still_checked: Locator) -> None:
        """Nothing chosen, nothing asked: the answer on screen is the one from before."""
        assert not page.locator("#configurator[aria-busy]").count()
        expect(still_checked).to_be_checked()
        expect(suede).not_to_be_checked()
        expect(conflict(page)).to_be_hidden()

    leather.focus()
    for there, back in (("ArrowRight", "ArrowLeft"), ("ArrowDown", "ArrowUp")):
        page.keyboard.press(there)
        expect(suede).to_be_focused()
        expect(page.locator("#r-upper_material-suede")).to_be_visible()  # its reason
        unchanged(leather)
        page.keyboard.press(back)
        expect(leather).to_be_focused()
        unchanged(leather)
    assert configured() == 0
    assert choices(page) == before and total.inner_text() == price

    # Past the greyed option, the next available one is chosen as usual: one request.
    page.keyboard.press("ArrowDown")
    settled(page, lambda: page.keyboard.press("ArrowDown"))
    expect(patent).to_be_checked()
    assert configured() == 1
    page.keyboard.press("ArrowUp")
    expect(suede).to_be_focused()
    unchanged(patent)
    assert configured() == 1

    # Space chooses the greyed option on purpose: the conflict and its repair.
    settled(page, lambda: page.keyboard.press("Space"))
    assert configured() == 2
    expect(suede).to_be_checked()
    expect(conflict(page)).to_be_visible()
    expect(conflict(page).get_by_role("button", name="Fix it")).to_be_visible()
    # Said once, by the announcer, with its fix (the box is no alert of its own).
    expect(conflict(page)).not_to_have_attribute("role", "alert")
    announcer = page.locator("[data-announcer]")
    expect(announcer).to_contain_text("Upper material: Suede. These choices don’t go together: ")
    expect(announcer).to_contain_text("Quickest fix: ")
    fix = conflict(page).locator(".conflict__fix").inner_text()
    assert fix.startswith("Quickest fix: ") and fix in announcer.inner_text()


IN_VIEWPORT = """element => {
    const edges = element.getBoundingClientRect();
    return edges.height > 0 && edges.top >= -1 && edges.left >= -1
        && edges.bottom <= window.innerHeight + 1 && edges.right <= window.innerWidth + 1;
}"""


def in_viewport(locator: Locator) -> bool:
    return bool(locator.evaluate(IN_VIEWPORT))


@pytest.mark.parametrize(
    ("width", "height", "motion"),
    [(390, 844, "reduce"), (390, 844, "no-preference"), (1366, 900, "no-preference")],
)
def test_a_conflict_comes_into_view_where_the_shopper_is(
    browser: Browser, shop_url: str, width: int, height: int, motion: Any
) -> None:
    size = {"width": width, "height": height}
    context = browser.new_context(viewport=size, reduced_motion=motion)
    page = context.new_page()
    try:
        open_configurator(page, f"{shop_url}/p/sneaker")
        box = page.locator("[data-attribute=upper_colour]")
        go_to_step(page, box)
        greyed = box.locator("label.option.is-unavailable").first.get_attribute("data-option")
        option = box.locator(f"label[data-option={greyed}]")
        option.scroll_into_view_if_needed()
        if width < 960:  # on a phone the preview, and the conflict box with it, is far above
            assert page.locator(".toolbar").evaluate("e => e.getBoundingClientRect().bottom") < 0
        settled(page, lambda: option.click(force=True))
        expect(conflict(page)).to_be_visible()
        if motion == "reduce":  # no smooth scrolling: in view at once
            assert in_viewport(conflict(page))
        else:
            page.wait_for_function(IN_VIEWPORT, arg=conflict(page).element_handle())
        repair = conflict(page).get_by_role("button", name="Fix it")
        assert in_viewport(repair)
        # Tapping the picked option did not send the focus away from it.
        expect(option.locator("input")).to_be_focused()

        picked = option.locator("input")
        settled(page, repair.click)
        expect(conflict(page)).to_be_hidden()
        expect(picked).to_be_checked()
        expect(page.locator("[data-status]")).to_have_text("Ready to be made for you.")
    finally:
        context.close()
