"""The pages run under their Content-Security-Policy: the one inline script by its
nonce, the configurator's scripts, swatch colours; and the watch that every browser test
carries (conftest.py) does hear a violation when there is one."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import CspWatch, publish_seed

pytestmark = pytest.mark.browser


@pytest.fixture
def ring_url(live_app: Flask, live_server: str) -> str:
    publish_seed(live_app, "jewellery")
    return live_server


def test_the_pages_run_their_scripts_and_styles_under_the_policy(page: Page, ring_url: str) -> None:
    for path in ("/", "/designs", "/cart", "/no-such-page"):
        response = page.goto(f"{ring_url}{path}")
        assert response is not None
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
        expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))  # the nonce's script
    page.goto(f"{ring_url}/p/ring")
    expect(page.locator("html")).to_have_attribute("data-configurator", "ready")
    swatch = page.locator(".option--swatch .swatch:not(.swatch--none)").first
    colour = swatch.evaluate("element => getComputedStyle(element).getPropertyValue('--swatch')")
    assert colour.strip().startswith("#"), "the swatch's colour from its style attribute"


def test_the_watch_hears_a_violation(page: Page, csp_violations: CspWatch) -> None:
    def refusing(route: Route) -> None:
        route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "script-src 'self'"},
            body="<!doctype html><title>t</title><script>document.title = 'ran'</script>",
        )

    page.route("http://csp.test/", refusing)
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.goto("http://csp.test/")
    expect(page).to_have_title("t")
    assert any("script-src" in violation for violation in csp_violations.violations)
    csp_violations.violations.clear()  # heard as it should be: not this test's failure
