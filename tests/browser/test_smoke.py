"""Chromium through Playwright reaches the app (the ground for the storefront tests)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_chromium_reads_the_api_description(page: Page, live_server: str) -> None:
    response = page.goto(f"{live_server}/api/openapi.json")
    assert response is not None and response.ok
    document = json.loads(page.locator("body").inner_text())
    assert "/api/products/{slug}/configure" in document["paths"]


def test_chromium_posts_to_configure(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/api/openapi.json")
    status = page.evaluate(
        """async () => {
            const response = await fetch('/api/products/none/configure', {
                method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'});
            return [response.status, (await response.json()).error.code];
        }"""
    )
    assert status == [404, "unknown_product"]
