"""Names in any script the seed catalogs take, through the API, the page and the cart:
a decomposed "é" is the composed one, and a refusal names the characters at fault."""

from __future__ import annotations

import re
import unicodedata

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from .conftest import post_form, sneaker_form
from .test_cart import add_from_configurator, line_ids
from .test_hostile_input import assert_json_error, field_error

CONFIGURE = "/api/products/chocolate-bar/configure"


def save_wrapper(client: FlaskClient, name: str) -> TestResponse:
    choices = {"name_on_wrapper": name}
    return client.post("/api/designs", json={"product": "chocolate-bar", "choices": choices})


def sneaker_page(client: FlaskClient, monogram: str) -> str:
    """The page the form without script answers for a mid-top leather sneaker."""
    form = sneaker_form(silhouette="mid", monogram=monogram)
    return post_form(client, "/p/sneaker", form, token_from="/p/sneaker").get_data(as_text=True)


def test_names_in_latin_greek_and_cyrillic_are_priced_and_drawn(
    shop: Flask, client: FlaskClient
) -> None:
    unnamed = client.post(CONFIGURE, json={"choices": {}}).json
    assert unnamed is not None
    for name in ("Für Zoë", "José", "Ελένη", "Жанна"):
        answer = client.post(CONFIGURE, json={"choices": {"name_on_wrapper": name}}).json
        assert answer is not None and answer["consistent"] is True, answer
        assert answer["price"]["amount"] == unnamed["price"]["amount"] + 200
        assert answer["preview"] and answer["preview"] != unnamed["preview"]
        assert client.get(answer["preview"]).status_code == 200


def test_a_decomposed_name_is_the_same_design_picture_and_cart_line(
    shop: Flask, client: FlaskClient
) -> None:
    composed, decomposed = "José", unicodedata.normalize("NFD", "José")
    answers = [
        client.post(CONFIGURE, json={"choices": {"name_on_wrapper": name}}).json
        for name in (composed, decomposed)
    ]
    assert answers[0] == answers[1]
    saved = client.post(
        "/api/designs",
        json={"product": "chocolate-bar", "choices": {"name_on_wrapper": decomposed}},
    )
    assert saved.status_code == 201 and saved.json is not None
    assert saved.json["choices"]["name_on_wrapper"] == composed

    add_from_configurator(client, monogram="ÉL")
    page = add_from_configurator(client, monogram=unicodedata.normalize("NFD", "ÉL"))
    assert len(line_ids(page)) == 1
    assert 'name="quantity" min="1" max="20" value="2"' in page


def test_a_refused_name_says_which_characters_in_the_json_error(
    shop: Flask, client: FlaskClient
) -> None:
    message = assert_json_error(save_wrapper(client, "Zoë ✈ €"), 422, "choices")
    assert "Name on the wrapper: “✈” and “€” can’t be used" in message
    answer = client.post(CONFIGURE, json={"choices": {"name_on_wrapper": "Zoë ✈ €"}}).json
    assert answer is not None and answer["conflict"]["limits"] == ["name_on_wrapper"]
    assert answer["conflict"]["message"] == (
        "Name on the wrapper: “✈” and “€” can’t be used; "
        "use letters, digits, spaces and ! & ' ’ - ."
    )


def test_a_refused_monogram_says_which_characters_beside_the_field(
    shop: Flask, client: FlaskClient
) -> None:
    page = post_form(
        client,
        "/p/sneaker",
        sneaker_form(silhouette="mid", monogram="Zö✈"),
        token_from="/p/sneaker",
    ).get_data(as_text=True)
    assert field_error(page, "monogram") == (
        "Monogram on the heel: “✈” can’t be used; use letters and &amp; ."
    )
    # Embossed in leather, capitals only: the small letters are named.
    page = post_form(
        client,
        "/p/sneaker",
        sneaker_form(silhouette="mid", monogram="Zöë"),
        token_from="/p/sneaker",
    ).get_data(as_text=True)
    assert re.search(
        r"Monograms embossed in leather use capital letters only\. “ö” and “ë” can’t be used\.",
        page,
    )
