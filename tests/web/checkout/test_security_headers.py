"""The security headers on every kind of response the shop gives: its pages (shop,
checkout, payment, order), its error pages, the JSON API, previews and static files;
and the payment page's policy letting Stripe.js in from exactly the configured origin."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog
from tests.web.checkout.conftest import PROJECT_ROOT, Shopper

BLACK_GLOW_CHOICES = {"colour": "black", "print": "glow"}

EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def policy(response: TestResponse) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "a Content-Security-Policy"
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def assert_hardened(response: TestResponse, what: str) -> dict[str, list[str]]:
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, f"{name} on {what}"
    directives = policy(response)
    assert directives["frame-ancestors"] == ["'none'"], what
    assert directives["object-src"] == ["'none'"], what
    assert directives["base-uri"] == ["'none'"], what
    for name in ("default-src", "script-src", "connect-src", "frame-src"):
        assert directives[name][0] == "'self'", f"{name} on {what}"
        assert "'unsafe-inline'" not in directives[name], f"{name} on {what}"
        assert "'unsafe-eval'" not in directives[name], f"{name} on {what}"
    assert "Strict-Transport-Security" not in response.headers, f"no HSTS over HTTP: {what}"
    return directives


def every_kind_of_response(app: Flask, shopper: Shopper) -> dict[str, TestResponse]:
    """One response of each kind, in the order a shopper meets them."""

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("broken on purpose")

    with app.app_context():  # a product with art, for a preview image
        import_catalog(PROJECT_ROOT / "catalog" / "jewellery")
        db.session.commit()
    client = shopper.client
    answer = client.post("/api/products/ring/configure", json={"choices": {}})
    design = client.post("/api/designs", json={"product": "tee", "choices": BLACK_GLOW_CHOICES})
    shopper.add_to_cart(BLACK_GLOW_CHOICES)
    responses = {
        "home": client.get("/"),
        "product": client.get("/p/tee"),
        "design": client.get(design.json["url"]),  # type: ignore[index]
        "API JSON": answer,
        "API read": client.get("/api/products"),
        "preview image": client.get(answer.json["preview"]),  # type: ignore[index]
        "static file": client.get("/static/css/atelier.css"),
        "cart": client.get("/cart"),
        "checkout": client.get("/checkout"),
        "404 page": client.get("/no-such-page"),
        "API 404": client.get("/api/designs/nope"),
        "500 page": client.get("/boom"),
    }
    token = shopper.checkout()
    responses["pay"] = client.get(f"/orders/{token}/pay")
    responses["order"] = client.get(f"/orders/{token}")
    for response in responses.values():
        response.get_data()  # read, and the files behind static responses closed
        response.close()
    return responses


def test_every_kind_of_response_carries_the_security_headers(app: Flask, shopper: Shopper) -> None:
    responses = every_kind_of_response(app, shopper)
    expected = {"404 page": 404, "API 404": 404, "500 page": 500, "API JSON": 200}
    for what, response in responses.items():
        assert response.status_code == expected.get(what, 200), f"{what}: {response.status}"
        assert_hardened(response, what)


def test_only_the_pay_page_lets_stripe_js_in_from_the_configured_origin(
    app: Flask, shopper: Shopper
) -> None:
    api_base = app.config["STRIPE_API_BASE"]
    if api_base is None:
        pytest.skip("the origins of Stripe itself are Stripe's documented ones")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(api_base))
    responses = every_kind_of_response(app, shopper)
    pay = policy(responses["pay"])
    script = re.search(r'<script src="([^"]+)"></script>', responses["pay"].text)
    assert script and script.group(1).startswith(origin + "/")
    for name in ("script-src", "frame-src", "connect-src"):
        others = {source for source in pay[name] if not source.startswith("'nonce-")}
        assert others == {"'self'", origin}, name
    for what, response in responses.items():
        if what != "pay":
            assert origin not in response.headers["Content-Security-Policy"], what


def test_the_one_inline_script_runs_by_this_responses_nonce(app: Flask, shopper: Shopper) -> None:
    first, second = shopper.client.get("/"), shopper.client.get("/")
    nonces = []
    for response in (first, second):
        tag = re.search(r'<script nonce="([^"]+)">', response.text)
        assert tag, "the inline script carries a nonce"
        assert f"'nonce-{tag.group(1)}'" in policy(response)["script-src"]
        assert len(re.findall(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", response.text)) == len(
            re.findall(r'<script type="application/json"', response.text)
        ), "no other inline script (data islands excepted)"
        nonces.append(tag.group(1))
    assert nonces[0] != nonces[1], "a new nonce for every response"


@pytest.mark.parametrize(
    ("config", "headers"),
    [
        ({"PREFERRED_URL_SCHEME": "https"}, {}),
        ({"PROXY_COUNT": 1}, {"X-Forwarded-Proto": "https"}),
    ],
    ids=["https-scheme", "proxy-says-https"],
)
def test_hsts_when_served_over_https(
    make_app: Callable[..., Flask], config: dict[str, object], headers: dict[str, str]
) -> None:
    app = make_app(**config)
    response = app.test_client().get("/healthz", headers=headers)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_when_a_proxy_is_not_trusted_to_say_https(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
