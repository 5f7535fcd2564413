"""The storefront's pages through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.web.storefront.conftest import post_form, sneaker_form


def test_home_shows_the_three_products(shop: Flask, client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for name, slug in [
        ("Custom Sneaker", "sneaker"),
        ("Custom Chocolate Bar", "chocolate-bar"),
        ("Custom Ring", "ring"),
    ]:
        assert name in page
        assert f'href="/p/{slug}"' in page
    assert 'class="skip-link" href="#main"' in page
    assert "<h1>" in page


def test_each_product_card_shows_a_picture_of_the_product(shop: Flask, client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    cards = re.findall(r'<li class="product-card">(.*?)</li>', page, re.S)
    assert len(cards) == 3
    for card in cards:
        name = re.search(r'<h3 class="product-card__title"><a [^>]*>([^<]+)</a>', card)
        assert name
        image = re.search(r"<img [^>]*>", card)
        assert image, f"{name.group(1)} has a picture"
        tag = image.group(0)
        assert re.search(r'width="800" height="800"', tag)
        alt = re.search(r'alt="([^"]+)"', tag)
        assert alt and alt.group(1).startswith(f"{name.group(1)} in its first design: ")
        webp = re.search(
            r'<source type="image/webp" srcset="(/previews/[0-9a-f]{64}\.800\.webp)"', card
        )
        jpeg = re.search(r'src="(/previews/[0-9a-f]{64}\.800\.jpeg)"', tag)
        assert webp and jpeg
        for url, kind in ((webp.group(1), "image/webp"), (jpeg.group(1), "image/jpeg")):
            answer = client.get(url)
            assert answer.status_code == 200, url
            assert answer.mimetype == kind
            assert len(answer.data) > 1000


def test_the_home_page_draws_no_picture_itself(shop: Flask, client: FlaskClient) -> None:
    """It names the previews; each is drawn when the browser asks for it."""
    page = client.get("/").get_data(as_text=True)
    previews = Path(shop.instance_path) / "previews"

    def drawn() -> list[Path]:
        return [path for path in previews.rglob("*") if path.suffix in (".webp", ".jpeg")]

    assert drawn() == []
    first = re.search(r'srcset="(/previews/[^"]+)"', page)
    assert first and client.get(first.group(1)).status_code == 200
    assert len(drawn()) == 1, "drawn on its first request, and kept"


def test_product_page_has_a_control_for_every_attribute(shop: Flask, client: FlaskClient) -> None:
    page = client.get("/p/sneaker").get_data(as_text=True)
    assert '<form method="post" action="/p/sneaker"' in page
    assert 'type="radio" name="c-upper_colour" value="navy"' in page
    assert "--swatch: #1f2a44" in page  # the navy swatch's colour
    assert re.search(r'type="number" id="f-size" name="c-size"[^>]*min="36" max="47"', page, re.S)
    assert re.search(r'type="text" id="f-monogram" name="c-monogram"[^>]*maxlength="4"', page, re.S)
    # the catalog's sections: shape, upper, details, sole, fit
    assert page.count('class="step"') == 5
    assert 'aria-live="polite"' in page
    chocolate = client.get("/p/chocolate-bar").get_data(as_text=True)
    assert 'type="checkbox" name="c-toppings" value="hazelnut" checked' in chocolate
    assert 'type="radio" name="c-ribbon" value="" checked' in chocolate  # optional: "None"


def test_unavailable_options_are_focusable_with_their_reason(
    shop: Flask, client: FlaskClient
) -> None:
    page = client.get("/p/sneaker").get_data(as_text=True)
    # Sand is not dyed on leather (the default upper): greyed, not disabled, explained.
    match = re.search(r'<input type="radio" name="c-upper_colour" value="sand"([^>]*)>', page)
    assert match
    assert 'aria-disabled="true"' in match.group(1)
    assert "disabled" not in match.group(1).replace('aria-disabled="true"', "")
    assert 'aria-describedby="r-upper_colour-sand"' in match.group(1)
    reason = re.search(
        r'id="r-upper_colour-sand" role="tooltip">(.*?)</span>\s*</label>', page, re.S
    )
    assert reason and "isn&#39;t dyed for this upper material" in reason.group(1)
    assert "Because you chose Full-grain leather (Upper material)" in reason.group(1)


def test_unknown_product_is_a_404_page(shop: Flask, client: FlaskClient) -> None:
    response = client.get("/p/teapot")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_pages_without_products_or_designs_are_friendly(client: FlaskClient) -> None:
    assert "No products are on sale yet" in client.get("/").get_data(as_text=True)
    assert "haven’t saved a design yet" in client.get("/designs").get_data(as_text=True)
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_no_js_update_shows_conflict_and_repair(shop: Flask, client: FlaskClient) -> None:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(upper_material="suede", upper_colour="black"), "action": "update"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "These choices don’t go together" in page
    assert "Suede uppers are stitched to gum or crepe soles only." in page
    # The repair keeps the shopper's latest pick (the suede upper) and changes the sole.
    assert 'name="changed" value="upper_material"' in page
    assert 'name="action" value="repair"' in page
    assert "Sole: Gum rubber" in page

    repaired = post_form(
        client,
        "/p/sneaker",
        {
            **sneaker_form(upper_material="suede", upper_colour="black"),
            "changed": "upper_material",
            "action": "repair",
        },
        token_from="/p/sneaker",
    ).get_data(as_text=True)
    assert "These choices don’t go together" not in repaired
    assert 'name="c-upper_material" value="suede" checked' in repaired
    assert 'name="c-sole" value="gum" checked' in repaired
    assert "Ready to be made for you." in repaired


def test_no_js_update_reprices(shop: Flask, client: FlaskClient) -> None:
    page = post_form(
        client, "/p/sneaker", sneaker_form(silhouette="high"), token_from="/p/sneaker"
    ).get_data(as_text=True)
    assert "Silhouette: High-top" in page
    assert "€114.00" in page  # 99 + 15


def test_no_js_text_out_of_limits_is_a_conflict(shop: Flask, client: FlaskClient) -> None:
    page = post_form(
        client,
        "/p/sneaker",
        sneaker_form(silhouette="mid", monogram="a1!"),
        token_from="/p/sneaker",
    ).get_data(as_text=True)
    assert "Monogram on the heel: “1” and “!” can’t be used; use letters and &amp; ." in page
    assert 'name="c-silhouette" value="mid" checked' in page
    assert re.search(r'name="c-monogram" value="a1!"[^>]*aria-invalid="true"', page, re.S)
    assert "Quickest fix: <span data-repair-summary>clear Monogram on the heel</span>" in page


def test_no_js_surprise_cheapest_and_start_over(shop: Flask, client: FlaskClient) -> None:
    for action in ("surprise", "cheapest", "reset"):
        page = post_form(
            client,
            "/p/sneaker",
            {**sneaker_form(size="44"), "action": action},
            token_from="/p/sneaker",
        ).get_data(as_text=True)
        assert "Ready to be made for you." in page, action
        if action != "reset":
            assert 'name="c-size" inputmode="decimal"' in page
            assert re.search(r'name="c-size"[^>]*value="44"', page, re.S), action
    cheapest = post_form(
        client, "/p/sneaker", {**sneaker_form(), "action": "cheapest"}, token_from="/p/sneaker"
    ).get_data(as_text=True)
    assert "€84.00" in cheapest  # canvas upper (-15) and nothing else extra


def page_endpoints(client: FlaskClient, slug: str) -> dict[str, str]:
    page = client.get(f"/p/{slug}").get_data(as_text=True)
    found = re.search(
        r'<script type="application/json" id="configurator-data">(.*?)</script>', page
    )
    assert found
    return dict(json.loads(found.group(1))["endpoints"])


def test_every_endpoint_the_page_script_calls_is_in_the_openapi_document(
    shop: Flask, client: FlaskClient
) -> None:
    document = client.get("/api/openapi.json").json
    for slug in ("sneaker", "ring", "chocolate-bar"):
        for name, url in page_endpoints(client, slug).items():
            path = url.replace(f"/{slug}/", "/{slug}/")
            assert path in document["paths"], name
            assert "post" in document["paths"][path], name


def test_complete_endpoint_for_the_page_script(shop: Flask, client: FlaskClient) -> None:
    url = page_endpoints(client, "ring")["complete"]
    assert url == "/api/products/ring/complete"
    for strategy in ("surprise", "cheapest"):
        # Like the rest of the JSON API: no CSRF token needed (it changes nothing).
        answer = client.post(url, json={"choices": {"ring_size": 60}, "strategy": strategy})
        assert answer.status_code == 200, answer.json
        choices = answer.json["choices"]
        assert choices["ring_size"] == 60
        check = client.post("/api/products/ring/configure", json={"choices": choices}).json
        assert check["complete"] is True
    for body, status, field in [
        ({"choices": {}, "strategy": "dearest"}, 422, "strategy"),
        ({"choices": {}}, 400, "strategy"),
        ({"choices": {"metal": "tin"}, "strategy": "surprise"}, 422, "choices.metal"),
        ({"choices": [], "strategy": "surprise"}, 400, "choices"),
    ]:
        bad = client.post(url, json=body)
        assert bad.status_code == status, body
        assert bad.json["error"]["field"] == field
    unknown = client.post("/api/products/teapot/complete", json={"strategy": "surprise"})
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_product"
    assert client.post(url, data="{", content_type="application/json").json["error"]["code"] == (
        "malformed_json"
    )


def test_missing_endpoint_for_the_page_script(shop: Flask, client: FlaskClient) -> None:
    url = page_endpoints(client, "sneaker")["missing"]
    assert url == "/api/products/sneaker/missing"
    answer = client.post(url, json={"choices": {"silhouette": "low"}})
    assert answer.status_code == 200
    assert "upper_material" in answer.json["missing"]
    assert "silhouette" not in answer.json["missing"]
    bad = client.post(url, json={"choices": {"size": "big"}})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "choices.size"
    # The old form-side URLs are gone, not answering HTML errors to the script.
    assert client.post("/p/sneaker/missing", json={"choices": {}}).status_code in (400, 404, 405)


def test_the_json_api_needs_no_csrf_token(shop: Flask, client: FlaskClient) -> None:
    response = client.post("/api/designs", json={"product": "sneaker", "choices": {}})
    assert response.status_code == 201


def test_the_design_name_example_is_the_products_own(shop: Flask, client: FlaskClient) -> None:
    for slug, example in [
        ("sneaker", "Sneaker for Sam"),
        ("ring", "Ring for Sam"),
        ("chocolate-bar", "Chocolate bar for Sam"),
    ]:
        page = client.get(f"/p/{slug}").get_data(as_text=True)
        field = re.search(r'<input type="text" id="design-title"[^>]*>', page)
        assert field, slug
        assert f'placeholder="e.g. {example}"' in field.group(0), slug


def test_a_cart_line_of_another_product_is_not_replaced(shop: Flask, client: FlaskClient) -> None:
    from sqlalchemy import select

    from configurator.core.database import db
    from configurator.modules.cart.models import CartLine

    post_form(client, "/p/sneaker", {**sneaker_form(), "action": "cart"}, token_from="/p/sneaker")
    with shop.app_context():
        (sneaker_line,) = db.session.execute(select(CartLine.id)).scalars()
    # The ring page refuses to edit it (GET) and ignores it when posted.
    assert client.get(f"/p/ring?line={sneaker_line}").status_code == 404
    ring = client.post(
        "/api/products/ring/complete", json={"choices": {}, "strategy": "cheapest"}
    ).json["choices"]
    fields = {f"c-{key}": value for key, value in ring.items() if not isinstance(value, list)}
    page = post_form(
        client,
        "/p/ring",
        {**fields, "line": str(sneaker_line), "action": "update"},
        token_from="/p/ring",
    ).get_data(as_text=True)
    assert 'name="line"' not in page and "Update cart line" not in page
    response = post_form(
        client,
        "/p/ring",
        {**fields, "line": str(sneaker_line), "action": "cart"},
        token_from="/p/ring",
    )
    assert response.status_code == 303
    with shop.app_context():
        slugs = sorted(line.product.slug for line in db.session.execute(select(CartLine)).scalars())
    assert slugs == ["ring", "sneaker"]  # added beside it; the sneaker line is still there
