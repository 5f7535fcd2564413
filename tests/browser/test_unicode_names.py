"""A name in any script the wrapper's font draws, typed in Chromium: accepted and priced,
and a character it can't print refused beside the field, naming the character."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import publish_seed

from .test_storefront import choices, conflict, go_to_step, open_configurator, settled

pytestmark = pytest.mark.browser


@pytest.fixture
def chocolate_url(live_app: Flask, live_server: str) -> str:
    publish_seed(live_app, "chocolate")
    return f"{live_server}/p/chocolate-bar"


def test_a_name_with_accents_is_taken_priced_and_drawn(page: Page, chocolate_url: str) -> None:
    open_configurator(page, chocolate_url)
    box = page.locator("[data-attribute=name_on_wrapper]")
    field, error = box.locator("input"), box.locator("[data-error-for=name_on_wrapper]")
    lines, total = page.locator("[data-price-lines]"), page.locator("[data-price-total]")
    go_to_step(page, box)
    before = float(total.inner_text().strip("€"))
    image = page.locator("[data-preview-image]")
    unnamed = image.get_attribute("src")

    settled(page, lambda: field.press_sequentially("Für Zoë"))
    expect(error).to_have_text("")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(conflict(page)).to_be_hidden()
    expect(lines).to_contain_text("Name printed on the wrapper")
    assert float(total.inner_text().strip("€")) == pytest.approx(before + 2)
    assert choices(page)["name_on_wrapper"] == "Für Zoë"
    expect(image).not_to_have_attribute("src", unnamed or "")
    named = image.get_attribute("src")

    # The same name with its accents typed as combining marks is the same design.
    settled(page, lambda: field.fill("Fu\u0308r Zoe\u0308"))
    expect(error).to_have_text("")
    expect(box.locator("[data-counter-for=name_on_wrapper]")).to_have_text("7 of 16 characters")
    assert choices(page)["name_on_wrapper"] == "Für Zoë"
    expect(image).to_have_attribute("src", named or "")


def test_a_character_the_wrapper_cannot_take_is_named_beside_the_field(
    page: Page, chocolate_url: str
) -> None:
    open_configurator(page, chocolate_url)
    box = page.locator("[data-attribute=name_on_wrapper]")
    field, error = box.locator("input"), box.locator("[data-error-for=name_on_wrapper]")
    go_to_step(page, box)
    refusal = (
        "Name on the wrapper: “✈” and “€” can’t be used; "
        "use letters, digits, spaces and ! & ' ’ - ."
    )

    settled(page, lambda: field.press_sequentially("José ✈ €"))
    expect(error).to_have_text(refusal)
    expect(field).to_have_attribute("aria-invalid", "true")
    # The server's conflict says the same (the page script and the engine agree).
    expect(conflict(page)).to_contain_text(refusal)

    settled(page, lambda: field.fill("José!"))
    expect(error).to_have_text("")
    expect(conflict(page)).to_be_hidden()
