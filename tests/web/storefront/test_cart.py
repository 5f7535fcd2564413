"""The cart: add, merge, quantities, remove, edit, re-check against new catalog versions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from configurator.core.database import db
from configurator.modules.cart.models import CartLine
from tests.web.storefront.conftest import csrf_token, post_form, seed_document, sneaker_form


def add_from_configurator(client: FlaskClient, **changes: Any) -> str:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(**changes), "action": "cart"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert response.headers["Location"] == "/cart"
    return client.get("/cart").get_data(as_text=True)


def line_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="line-(\d+)"', page)]


def count_lines(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(CartLine)).scalar_one())


def test_add_the_same_design_twice_merges_into_one_line(shop: Flask, client: FlaskClient) -> None:
    page = add_from_configurator(client, silhouette="mid")
    assert "Added to your cart." in page
    assert "Custom Sneaker" in page and "Mid-top" in page
    assert "€109.00" in page
    page = add_from_configurator(client, silhouette="mid")
    assert len(line_ids(page)) == 1
    assert 'name="quantity" min="1" max="20" value="2"' in page
    assert "€218.00" in page  # total
    page = add_from_configurator(client, silhouette="high")
    assert len(line_ids(page)) == 2
    assert "€332.00" in page  # 2 x 109 + 114 (high-top)


def test_quantities_stay_between_1_and_20(shop: Flask, client: FlaskClient) -> None:
    (line,) = line_ids(add_from_configurator(client))
    url = f"/cart/lines/{line}/quantity"
    page = client.get("/cart").get_data(as_text=True)
    assert post_form(client, url, {"quantity": "20"}, token_from="/cart").status_code == 303
    assert 'value="20"' in client.get("/cart").get_data(as_text=True)
    for bad in ("21", "0", "-3", "many", "2.5", ""):
        response = post_form(client, url, {"quantity": bad}, token_from="/cart")
        # Refused beside the field (not flashed at the top), showing what was typed.
        assert response.status_code == 422, bad
        page = response.get_data(as_text=True)
        message = "Enter a whole number from 1 to 20." if bad else "Enter a quantity."
        error = re.search(rf'<p class="field-error" id="err-qty-{line}">([^<]*)</p>', page)
        assert error and error.group(1) == message, bad
        field = re.search(rf'<input type="number" id="qty-{line}"[^>]*>', page)
        assert field, bad
        assert f'value="{bad}"' in field.group(0)
        assert 'aria-invalid="true"' in field.group(0)
        assert f'aria-describedby="err-qty-{line}"' in field.group(0)
        assert 'class="flash' not in page.split('id="main"')[1].split("cart-lines")[0]
        assert 'name="quantity" min="1" max="20" value="20"' in client.get("/cart").get_data(
            as_text=True
        )
    # Adding one more to a full line is refused too.
    response = post_form(
        client, "/p/sneaker", {**sneaker_form(), "action": "cart"}, token_from="/p/sneaker"
    )
    assert response.status_code == 422
    assert "Quantities go from 1 to 20" in response.get_data(as_text=True)


def test_remove_a_line(shop: Flask, client: FlaskClient) -> None:
    (line,) = line_ids(add_from_configurator(client))
    response = post_form(client, f"/cart/lines/{line}/remove", {}, token_from="/cart")
    assert response.status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    assert "Removed Custom Sneaker from your cart." in page
    assert "Your cart is empty" in page


def test_lines_belong_to_their_shopper(shop: Flask, client: FlaskClient) -> None:
    (line,) = line_ids(add_from_configurator(client))
    stranger = shop.test_client()
    response = post_form(stranger, f"/cart/lines/{line}/remove", {}, token_from="/cart")
    assert response.status_code == 404
    assert count_lines(shop) == 1
    assert "Your cart is empty" in stranger.get("/cart").get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(shop: Flask, client: FlaskClient) -> None:
    (line,) = line_ids(add_from_configurator(client))
    response = client.post("/p/sneaker", data={**sneaker_form(), "action": "cart"})
    assert response.status_code == 400
    assert "Please reload the page" in response.get_data(as_text=True)
    wrong = client.post(
        f"/cart/lines/{line}/remove", data={"csrf_token": "forged"}, follow_redirects=False
    )
    assert wrong.status_code == 400
    assert count_lines(shop) == 1


def test_an_unfinished_design_cannot_go_in_the_cart(shop: Flask, client: FlaskClient) -> None:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(size=""), "action": "cart"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Finish the design before adding it to the cart." in page
    assert "Still to choose: Size (EU)." in page
    assert count_lines(shop) == 0


def test_a_design_in_conflict_cannot_go_in_the_cart_and_is_told_so(
    shop: Flask, client: FlaskClient
) -> None:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(upper_material="suede", upper_colour="white"), "action": "cart"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Resolve the conflict before adding it to the cart." in page
    assert "saving" not in page
    assert "These choices don’t go together" in page
    assert count_lines(shop) == 0


def test_add_a_saved_design_and_edit_it_from_the_cart(shop: Flask, client: FlaskClient) -> None:
    saved = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(laces="red"), "action": "save"},
        token_from="/p/sneaker",
    )
    design_id = saved.headers["Location"].removeprefix("/d/")
    response = post_form(
        client, "/cart/add", {"design_id": design_id}, token_from=f"/d/{design_id}"
    )
    assert response.status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    (line,) = line_ids(page)
    assert "Red flat cotton" in page
    edit = f"/p/sneaker?line={line}"
    assert f'href="{edit}"' in page

    editor = client.get(edit).get_data(as_text=True)
    assert 'name="c-laces" value="red" checked' in editor
    assert "Update cart line" in editor
    replaced = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(laces="black"), "line": str(line), "action": "cart"},
        token_from=edit,
    )
    assert replaced.status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    assert "Updated in your cart." in page
    assert "Black flat cotton" in page and "Red flat cotton" not in page
    assert len(line_ids(page)) == 1


def test_cart_rechecks_lines_against_new_catalog_versions(
    shop: Flask, client: FlaskClient, republish: Callable[[dict[str, Any]], int]
) -> None:
    add_from_configurator(client, upper_material="suede", upper_colour="tan", sole="gum")
    page = client.get("/cart").get_data(as_text=True)
    assert "€119.00" in page
    assert "catalog" not in page.split("cart-lines")[1].split("cart-summary")[0].lower()

    # Version 2: gum soles cost more. The line is still valid, at the new price.
    document = seed_document("sneaker")
    sole = next(a for a in document["attributes"] if a["id"] == "sole")
    next(o for o in sole["options"] if o["id"] == "gum")["price"] = 1200
    republish(document)
    page = client.get("/cart").get_data(as_text=True)
    assert "Price changed from €119.00 to €123.00." in page
    assert "Apply the fix" not in page
    assert re.search(r"<dt>Total</dt><dd><strong>€123.00</strong>", page)

    # Version 3: suede no longer goes on gum. The engine says why and offers a fix.
    document["rules"].append(
        {
            "id": "suede-crepe-only",
            "kind": "excludes",
            "when": "upper_material = 'suede'",
            "then": "sole = 'gum'",
            "message": "Our suede now goes on crepe soles only.",
        }
    )
    republish(document)
    page = client.get("/cart").get_data(as_text=True)
    assert "Our suede now goes on crepe soles only." in page
    assert "We can fix it:" in page
    assert "Lines that need a fix are not in the total yet." in page
    (line,) = line_ids(page)
    response = post_form(client, f"/cart/lines/{line}/fix", {}, token_from="/cart")
    assert response.status_code == 303
    page = client.get("/cart").get_data(as_text=True)
    assert "Updated to the current catalog." in page
    assert "Apply the fix" not in page
    assert "Our suede now goes on crepe soles only." not in page
    with shop.app_context():
        fixed = db.session.execute(select(CartLine)).scalar_one()
        assert fixed.catalog_version.version == 3


def test_cart_count_in_the_header(shop: Flask, client: FlaskClient) -> None:
    add_from_configurator(client)
    page = client.get("/").get_data(as_text=True)
    assert '1<span class="visually-hidden"> item)</span>' in page
    add_from_configurator(client)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'class="badge">.*?2.*?</span></a>', page, re.S)
    assert '2<span class="visually-hidden"> items)</span>' in page
    assert csrf_token(client)


def cart_line(page: str, line: int) -> str:
    found = re.search(rf'<li class="cart-line[^"]*" id="line-{line}">(.*?)</form>\s*<p', page, re.S)
    assert found, f"no line {line}"
    return found.group(1)


def test_a_line_that_needs_a_fix_says_what_it_has_and_checkout_waits(
    shop: Flask, client: FlaskClient, republish: Callable[[dict[str, Any]], int]
) -> None:
    (line,) = line_ids(add_from_configurator(client, laces="reflective"))
    page = client.get("/cart").get_data(as_text=True)
    assert 'href="/checkout"' in page

    # Version 2 no longer offers reflective laces.
    document = seed_document("sneaker")
    laces = next(a for a in document["attributes"] if a["id"] == "laces")
    laces["options"] = [o for o in laces["options"] if o["id"] != "reflective"]
    document["rules"] = [r for r in document["rules"] if "reflective" not in str(r)]
    republish(document)
    page = client.get("/cart").get_data(as_text=True)
    summary = re.search(r'<p class="cart-line__choices">([^<]*)</p>', page)
    assert summary and "Reflective silver" in summary.group(1)  # what the shopper has
    assert "White flat cotton" not in summary.group(1)
    assert "Laces: Reflective silver → <strong>White flat cotton</strong>" in cart_line(page, line)
    # Every line needs a fix: no total to pay, so no checkout, and the page says why.
    assert 'href="/checkout"' not in page
    assert "One design needs a fix before checkout." in page
    assert f'href="#line-{line}"' in page

    # A valid line beside it does not make checkout possible either.
    add_from_configurator(client, silhouette="high")
    page = client.get("/cart").get_data(as_text=True)
    assert 'href="/checkout"' not in page
    assert re.search(r"<dt>Total</dt><dd><strong>€114.00</strong>", page)

    post_form(client, f"/cart/lines/{line}/fix", {}, token_from="/cart")
    page = client.get("/cart").get_data(as_text=True)
    assert "needs a fix" not in page
    assert 'href="/checkout"' in page
