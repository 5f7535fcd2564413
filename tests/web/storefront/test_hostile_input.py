"""Input no shopper would type, through the pages and the API, on SQLite and PostgreSQL:
a clear 4xx (JSON naming the field, or the form with the error beside the field),
never a 500, and nothing stored."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from configurator.core.database import db
from configurator.modules.cart.models import CartLine
from configurator.modules.designs.models import Design
from tests.web.storefront.conftest import post_form, sneaker_form


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{field}"[^>]*>([^<]*)</p>', page)
    assert found, f"no error beside {field}"
    return found.group(1)


def assert_json_error(response: TestResponse, status: int, field: str | None) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json is not None
    error = response.json["error"]
    assert set(error) == {"code", "message", "field"}
    assert error["field"] == field
    return str(error["message"])


# -- 1. the no-JS size field ---------------------------------------------------------------


@pytest.mark.parametrize("size", ["Infinity", "-Infinity", "NaN", "1e999999"])
@pytest.mark.parametrize("action", ["update", "save", "cart"])
def test_a_size_that_is_no_number_is_an_error_beside_the_field(
    shop: Flask, client: FlaskClient, size: str, action: str
) -> None:
    started = time.process_time()
    response = post_form(
        client, "/p/sneaker", {**sneaker_form(size=size), "action": action}, token_from="/p/sneaker"
    )
    assert time.process_time() - started < 5
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "size") == "Size (EU): enter a number from 36 to 47."
    assert re.search(r'id="f-size"[^>]*aria-describedby="help-size err-size"', page, re.S)
    assert 'name="c-upper_material" value="leather" checked' in page  # the rest is kept
    assert count(shop, Design) == 0 and count(shop, CartLine) == 0


# -- 2. lone surrogates ----------------------------------------------------------------------


def test_lone_surrogates_in_the_api_are_400_naming_the_field(
    shop: Flask, client: FlaskClient
) -> None:
    configure = client.post(
        "/api/products/sneaker/configure", json={"choices": {"monogram": "\ud800"}}
    )
    assert_json_error(configure, 400, "choices.monogram")
    for body, field in [
        ({"product": "sneaker", "choices": {}, "title": "My \ud800"}, "title"),
        ({"product": "sneaker", "choices": {"monogram": "A\udc00"}}, "choices.monogram"),
        ({"product": "sne\ud800aker", "choices": {}}, "product"),
    ]:
        assert_json_error(client.post("/api/designs", json=body), 400, field)
    assert count(shop, Design) == 0


# -- 3. NUL characters and numbers out of range ------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/d/a%00b",
        "/p/a%00b",
        "/p/sneaker?design=a%00b",
        "/d/" + "x" * 300,
        "/p/" + "a" * 300,
        "/p/Sneaker",
    ],
)
def test_pages_for_names_no_product_or_design_has_are_404(
    shop: Flask, client: FlaskClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/api/products/a%00b", "unknown_product"),
        ("/api/designs/a%00b", "unknown_design"),
        ("/api/designs/" + "x" * 300, "unknown_design"),
    ],
)
def test_api_names_no_product_or_design_has_are_404(
    shop: Flask, client: FlaskClient, url: str, code: str
) -> None:
    response = client.get(url)
    assert_json_error(response, 404, None)
    assert response.json["error"]["code"] == code
    assert client.post("/api/products/a%00b/configure", json={}).status_code == 404


def test_nul_in_a_saved_design_is_400_naming_the_field(shop: Flask, client: FlaskClient) -> None:
    title = client.post(
        "/api/designs", json={"product": "sneaker", "choices": {}, "title": "Sam\u0000s"}
    )
    assert "NUL" in assert_json_error(title, 400, "title")
    product = client.post("/api/designs", json={"product": "a\u0000b", "choices": {}})
    assert "NUL" in assert_json_error(product, 400, "product")
    assert count(shop, Design) == 0


def test_nul_in_the_form_title_is_an_error_beside_the_field(
    shop: Flask, client: FlaskClient
) -> None:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(), "title": "Sam\x00s", "action": "save"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "design-title") == "The design’s name contains a NUL character."
    assert re.search(r'id="design-title"[^>]*aria-invalid="true"', page)
    assert count(shop, Design) == 0


@pytest.mark.parametrize("line", ["99999999999999999999999", "-1", "0", "2147483648"])
def test_cart_line_ids_out_of_range_are_404(shop: Flask, client: FlaskClient, line: str) -> None:
    post_form(client, "/p/sneaker", {**sneaker_form(), "action": "cart"}, token_from="/p/sneaker")
    assert count(shop, CartLine) == 1  # the shopper has a cookie and a line
    assert client.get(f"/p/sneaker?line={line}").status_code == 404
    if not line.startswith("-"):
        for action in ("remove", "fix", "quantity"):
            response = post_form(
                client, f"/cart/lines/{line}/{action}", {"quantity": "1"}, token_from="/cart"
            )
            assert response.status_code == 404, action
    # A form naming such a line adds a new one; it replaces nothing.
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(silhouette="high"), "action": "cart", "line": line},
        token_from="/p/sneaker",
    )
    assert response.status_code == 303
    assert count(shop, CartLine) == 2


# -- 11, 12. errors beside their field, values echoed short -----------------------------


def test_a_monogram_beyond_its_limits_is_said_beside_the_field(
    shop: Flask, client: FlaskClient
) -> None:
    page = post_form(
        client, "/p/sneaker", sneaker_form(monogram="12"), token_from="/p/sneaker"
    ).get_data(as_text=True)
    assert (
        field_error(page, "monogram")
        == "Monogram on the heel: “1” and “2” can’t be used; use letters and &amp; ."
    )
    assert re.search(
        r'id="f-monogram"[^>]*aria-describedby="help-monogram err-monogram"', page, re.S
    )
    assert re.search(r'id="f-monogram"[^>]*aria-invalid="true"', page, re.S)


def test_a_long_monogram_is_not_echoed_back_in_its_error(shop: Flask, client: FlaskClient) -> None:
    page = post_form(
        client, "/p/sneaker", sneaker_form(monogram="A" * 5000), token_from="/p/sneaker"
    ).get_data(as_text=True)
    assert field_error(page, "monogram") == "Monogram on the heel: at most 4 characters."
    # Only the field itself and the form's own state (for the page script and the next
    # post) still hold what was typed.
    assert len(re.findall("A{5000}", page)) == 3
    assert "“AAAAAAAAAAAAAAAAAAAAAAA…” (5000 characters)" in page  # the step's summary


def test_an_unknown_option_is_said_beside_its_field_in_short(
    shop: Flask, client: FlaskClient
) -> None:
    response = post_form(
        client, "/p/sneaker", sneaker_form(laces="x" * 5000), token_from="/p/sneaker"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "laces") == (
        "Laces: we have no option “xxxxxxxxxxxxxxxxxxxxxxx…” (5000 characters)."
    )
    assert "x" * 100 not in page
    assert re.search(r'<fieldset[^>]*id="a-laces" aria-describedby="err-laces"', page)
