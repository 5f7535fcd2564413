"""Error answers: pages in the shop's layout for browsers, JSON for the API, never a traceback."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import text

from configurator.core.database import db

SHOP_HEADER = 'class="site-header"'
HOME_LINK = re.compile(r'<a class="button[^"]*" href="/">Back to the shop</a>')


def assert_shop_page(body: str) -> None:
    assert SHOP_HEADER in body, "the page is drawn in the shop's layout"
    assert HOME_LINK.search(body), "the page offers a way home"
    assert 'href="/cart"' in body
    assert "Traceback" not in body


def heading(body: str) -> str:
    found = re.search(r'<h1 id="error-title">(.*?)</h1>', body)
    assert found, body[:500]
    return found.group(1)


def test_an_unknown_page_is_a_styled_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert heading(body) == "We can’t find that page"
    # Werkzeug's own words (servers, URLs) are replaced with plain ones.
    assert "requested URL" not in body
    assert "<title>We can’t find that page · Atelier</title>" in body


def test_an_unknown_design_is_a_styled_404_that_says_so(client: FlaskClient) -> None:
    response = client.get("/d/no-such-design")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert "There is no such design. Check the link you were given." in body


def test_an_unknown_order_is_a_styled_404(client: FlaskClient) -> None:
    response = client.get("/orders/not-a-token")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert "There is no such order." in body


def test_the_api_keeps_its_json_404(client: FlaskClient) -> None:
    response = client.get("/api/products/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "error": {
            "code": "unknown_product",
            "message": "There is no product 'nope'.",
            "field": None,
        }
    }


def test_a_request_that_asks_for_json_gets_json_errors(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_wrong_method_is_a_styled_405_with_its_allow_header(client: FlaskClient) -> None:
    response = client.get("/cart/add")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "POST" in response.headers["Allow"]
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert heading(body) == "That page can’t be opened like this"


def test_the_api_keeps_its_json_405(client: FlaskClient) -> None:
    response = client.get("/api/products/sneaker/configure")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_an_oversized_form_is_a_styled_413(client: FlaskClient) -> None:
    response = client.post("/cart/add", data={"design_id": "x" * 70_000})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert "larger than 64 KB" in body


def test_an_oversized_api_body_stays_json(client: FlaskClient) -> None:
    response = client.post(
        "/api/designs", data="x" * 70_000, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_a_bad_request_keeps_the_message_of_the_code_that_refused_it(app: Flask) -> None:
    client = app.test_client()
    client.get("/")  # a session, so that the form's CSRF token can be read
    with client.session_transaction() as session:
        assert "csrf_token" in session
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    response = client.post("/cart/add", data={"csrf_token": token.group(1)})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert "Which design? The form was incomplete." in body


def test_a_stale_form_offers_to_reload_the_page_it_came_from(client: FlaskClient) -> None:
    response = client.post(
        "/cart/add",
        data={"design_id": "abc", "csrf_token": "stale"},
        headers={"Referer": "http://localhost/d/abc"},
    )
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert heading(body) == "Please reload the page"
    assert '<a class="button button--primary" href="/d/abc">Reload the page</a>' in body
    assert "CSRF" not in body


def test_a_link_back_never_leads_off_the_shop(client: FlaskClient) -> None:
    response = client.post(
        "/cart/add",
        data={"design_id": "abc", "csrf_token": "stale"},
        headers={"Referer": "https://elsewhere.example/d/abc"},
    )
    body = response.get_data(as_text=True)
    assert "elsewhere.example" not in body
    assert "Reload the page</a>" not in body


def test_a_stale_json_request_still_gets_json(client: FlaskClient) -> None:
    response = client.post("/cart/add", json={"design_id": "abc"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail of the failure")

    @app.get("/boom-in-the-database")
    def boom_in_the_database() -> str:
        db.session.execute(text("SELECT no_such_column FROM no_such_table"))
        return "unreachable"

    @app.get("/api/boom")
    def api_boom() -> str:
        raise RuntimeError("secret detail of the failure")

    return app


@pytest.mark.parametrize("path", ["/boom", "/boom-in-the-database"])
def test_a_failure_is_a_styled_500_without_its_details(failing_app: Flask, path: str) -> None:
    response = failing_app.test_client().get(path)
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert_shop_page(body)
    assert heading(body) == "Something went wrong on our side"
    assert "secret detail" not in body and "no_such_table" not in body


def test_an_api_failure_stays_json(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.get_json() == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side. Please try again.",
            "field": None,
        }
    }


def test_an_error_page_that_cannot_be_drawn_falls_back_to_plain_words(app: Flask) -> None:
    def broken_layout() -> dict[str, Any]:
        raise RuntimeError("the layout's data is out of reach")

    app.context_processor(broken_layout)
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "<h1>We can’t find that page</h1>" in body
    assert '<a href="/">Back to the shop</a>' in body
    assert "Traceback" not in body and "out of reach" not in body


@pytest.mark.parametrize(
    "path",
    ["//evil.example/x", "/\\evil.example/x", "/\\/evil.example/x", "//", "/\t/evil.example/x"],
)
def test_go_back_never_takes_a_path_that_leads_to_another_site(
    client: FlaskClient, path: str
) -> None:
    """A Referer on this host whose path a browser reads as another site's address."""
    response = client.get("/no-such-page", headers={"Referer": f"http://localhost{path}"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Go back</a>" not in body
    assert "evil.example" not in body


@pytest.mark.parametrize("path", ["/", "/p/sneaker", "/d/abc?x=1", "/a//b", "/a\\b"])
def test_go_back_takes_a_path_on_this_site(client: FlaskClient, path: str) -> None:
    response = client.get("/no-such-page", headers={"Referer": f"http://localhost{path}"})
    assert f'href="{escape(path)}">Go back</a>' in response.get_data(as_text=True)
