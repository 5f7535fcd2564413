"""Saving designs from the form, their permalink pages, "My designs", old versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.web.storefront.conftest import post_form, seed_document, sneaker_form

SUEDE_GUM = {"upper_material": "suede", "upper_colour": "tan", "sole": "gum"}


def save(client: FlaskClient, title: str = "", **changes: Any) -> str:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(**changes), "title": title, "action": "save"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert location.startswith("/d/")
    return location


def test_save_then_reopen_the_permalink(shop: Flask, client: FlaskClient) -> None:
    url = save(client, "Autumn walk", **SUEDE_GUM, size="44", monogram="JB")
    page = client.get(url).get_data(as_text=True)
    assert "Design saved." in page
    assert "<h1>Autumn walk</h1>" in page
    for text in ("Suede", "Tan", "Gum rubber", "44", "“JB”", "€128.00"):
        assert text in page, text
    assert f'value="http://localhost{url}"' in page  # the link to copy
    assert 'action="/cart/add"' in page
    design_id = url.removeprefix("/d/")
    assert f'href="/p/sneaker?design={design_id}"' in page

    # Editing reopens exactly the saved configuration in the configurator.
    editor = client.get(f"/p/sneaker?design={design_id}").get_data(as_text=True)
    assert 'name="c-upper_material" value="suede" checked' in editor
    assert 'name="c-sole" value="gum" checked' in editor
    assert 'value="JB"' in editor
    assert 'value="Autumn walk"' in editor
    assert "Our catalog changed" not in editor


def test_permalink_opens_for_anyone_but_my_designs_is_mine(shop: Flask) -> None:
    mine, theirs = shop.test_client(), shop.test_client()
    url = save(mine, "Mine", silhouette="mid")
    assert "Mine" in mine.get("/designs").get_data(as_text=True)
    assert url in mine.get("/designs").get_data(as_text=True)
    assert theirs.get(url).status_code == 200
    assert url not in theirs.get("/designs").get_data(as_text=True)


def test_unknown_design_is_a_404(shop: Flask, client: FlaskClient) -> None:
    assert client.get("/d/not-a-design").status_code == 404
    assert client.get("/p/sneaker?design=not-a-design").status_code == 404


def test_saving_a_conflicting_design_is_refused(shop: Flask, client: FlaskClient) -> None:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(upper_material="suede", upper_colour="tan"), "action": "save"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 200
    assert "Resolve the conflict before saving." in response.get_data(as_text=True)
    assert "/d/" not in client.get("/designs").get_data(as_text=True)


def test_design_from_an_older_version_reopens_repaired_with_a_note(
    shop: Flask, client: FlaskClient, republish: Callable[[dict[str, Any]], int]
) -> None:
    url = save(client, **SUEDE_GUM)
    document = seed_document("sneaker")
    document["product"]["base_price"] = 10900
    document["rules"].append(
        {
            "id": "suede-crepe-only",
            "kind": "excludes",
            "when": "upper_material = 'suede'",
            "then": "sole = 'gum'",
            "message": "Our suede now goes on crepe soles only.",
        }
    )
    assert republish(document) == 2

    page = client.get(url).get_data(as_text=True)
    assert "Our catalog changed since this was made" in page
    assert "designed under version 1" in page
    assert "Our suede now goes on crepe soles only." in page
    assert "The price changed from" in page
    # One attribute changes: the engine's smallest repair.
    assert page.count("→") == 1
    editor = client.get(f"/p/sneaker?design={url.removeprefix('/d/')}").get_data(as_text=True)
    assert "Our catalog changed since this was made" in editor
    assert "These choices don’t go together" not in editor


def test_design_with_a_withdrawn_option_reopens_with_a_replacement(
    shop: Flask, client: FlaskClient, republish: Callable[[dict[str, Any]], int]
) -> None:
    url = save(client, silhouette="mid", lining="shearling")
    document = seed_document("sneaker")
    attribute = next(a for a in document["attributes"] if a["id"] == "lining")
    attribute["options"] = [o for o in attribute["options"] if o["id"] != "shearling"]
    document["rules"] = [r for r in document["rules"] if "shearling" not in r["id"]]
    republish(document)

    page = client.get(url).get_data(as_text=True)
    assert "Lining: Shearling is no longer available." in page
    # The change starts from what the design had, not from the gap it left.
    assert "Lining: Shearling → <strong>Cotton twill</strong>" in page
    assert "Not chosen →" not in page


def test_the_catalog_change_note_names_the_value_that_was_dropped(
    shop: Flask, client: FlaskClient, republish: Callable[[dict[str, Any]], int]
) -> None:
    url = save(client, laces="reflective")
    document = seed_document("sneaker")
    laces = next(a for a in document["attributes"] if a["id"] == "laces")
    laces["options"] = [o for o in laces["options"] if o["id"] != "reflective"]
    document["rules"] = [r for r in document["rules"] if "reflective" not in str(r)]
    republish(document)

    for page in (
        client.get(url).get_data(as_text=True),
        client.get(f"/p/sneaker?design={url.removeprefix('/d/')}").get_data(as_text=True),
    ):
        assert "Laces: Reflective silver is no longer available." in page
        assert "Laces: Reflective silver → <strong>White flat cotton</strong>" in page
        assert "Laces: Not chosen" not in page
