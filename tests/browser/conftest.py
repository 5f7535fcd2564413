"""Every page the browser tests open is watched for Content-Security-Policy violations:
a test that met one fails, whatever it checked itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog

SEED_DIR = Path(__file__).resolve().parents[2] / "catalog"


def publish_seed(app: Flask, folder: str) -> None:
    """Publish the seed catalog in ``catalog/<folder>`` in the live app's database."""
    with app.app_context():
        import_catalog(SEED_DIR / folder)
        db.session.commit()


# Each page (and frame) says what its policy refused in its console, which Playwright
# hears: Chromium's own "Refused to ..." lines, and this listener's for the rest.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""
MARKERS = ("Content Security Policy", "CSP violation")


class CspWatch:
    """The violations the pages of a test's browser contexts reported."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._heard)
        return context

    def _heard(self, message: ConsoleMessage) -> None:
        if any(marker in message.text for marker in MARKERS):
            self.violations.append(f"{message.page.url if message.page else '?'}: {message.text}")


@pytest.fixture(autouse=True)
def csp_violations(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[CspWatch]:
    """Every context this test opens (pytest-playwright's ``page`` included) is watched."""
    watch = CspWatch()
    open_context = browser.new_context

    def new_context(*args: Any, **kwargs: Any) -> BrowserContext:
        return watch.watch(open_context(*args, **kwargs))

    monkeypatch.setattr(browser, "new_context", new_context)
    yield watch
    assert not watch.violations, "Content-Security-Policy violations:\n" + "\n".join(
        watch.violations
    )
