"""Previews in the pages and the prefetch endpoint, through the test client.

The configurator and design pages show the server-drawn picture (WebP with a JPEG
fallback), cart and checkout lines the 300 px thumbnail, the design page its share
card in Open Graph / Twitter tags; POST /api/products/<slug>/previews names the
pictures one click away.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tomllib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog
from tests.web.storefront.conftest import SEED_DIR, SEEDS, post_form, sneaker_form

RING = {"metal": "gold18_rose", "gem": "ruby", "band_width": "w4"}
# The longest engraving the catalog's rules allow (a 6 mm band takes 30 characters) in
# the widest letters: the seed art draws it; narrower merchant art may not.
WIDEST = {"band_width": "w6", "gem": "none", "engraving": "W" * 30}
PREVIEW_PATH = re.compile(r"^/previews/([0-9a-f]{64})\.(800|300|card)\.(webp|jpeg)$")


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, in order."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {key: value or "" for key, value in attrs}))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag
            and all(attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in wanted.items())
        ]

    def meta(self, key: str) -> str:
        found = [
            attrs["content"]
            for name, attrs in self.tags
            if name == "meta" and key in (attrs.get("property"), attrs.get("name"))
        ]
        assert len(found) == 1, f"{key}: {found}"
        return found[0]


def pictures(page: str) -> list[tuple[str, str]]:
    """(WebP srcset, JPEG src) of each <picture>, in order."""
    found = re.findall(
        r'<picture[^>]*>\s*<source type="image/webp" srcset="([^"]+)">\s*<img[^>]* src="([^"]+)"',
        page,
    )
    return [(webp, jpeg) for webp, jpeg in found]


def page_data(page: str) -> dict[str, Any]:
    """The configurator page's script data."""
    found = re.search(
        r'<script type="application/json" id="configurator-data">(.*?)</script>', page
    )
    assert found
    return dict(json.loads(found.group(1)))


def image_of(client: FlaskClient, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return Image.open(io.BytesIO(response.data))


def save_design(client: FlaskClient, product: str, choices: dict[str, Any]) -> str:
    response = client.post(
        "/api/designs", json={"product": product, "choices": choices, "title": "For Ada"}
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def configure(client: FlaskClient, product: str, choices: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/products/{product}/configure", json={"choices": choices})
    assert response.status_code == 200
    return dict(response.get_json())


# -- POST /api/products/<slug>/previews ------------------------------------------------


def test_previews_name_the_picture_of_each_available_option(
    shop: Flask, client: FlaskClient
) -> None:
    response = client.post(
        "/api/products/ring/previews", json={"choices": RING, "attribute": "gem"}
    )
    assert response.status_code == 200
    previews = response.get_json()["previews"]
    states = configure(client, "ring", RING)["attributes"]["gem"]["options"]
    available = {option for option, state in states.items() if state["available"]}
    assert set(previews) == available - {"ruby"}  # not the one already chosen
    assert len(previews) >= 3
    for option, url in previews.items():
        assert PREVIEW_PATH.match(url) and url.endswith(".800.webp")
        # the same URL the configure answer gives once the shopper picks it
        assert configure(client, "ring", {**RING, "gem": option})["preview"] == url
    assert len(set(previews.values())) == len(previews)
    first = next(iter(previews.values()))
    assert image_of(client, first).size == (800, 800)


def test_unavailable_options_are_left_out(shop: Flask, client: FlaskClient) -> None:
    for attribute in ("setting", "band_width", "gem", "metal"):
        answer = configure(client, "ring", RING)["attributes"][attribute]["options"]
        unavailable = {option for option, state in answer.items() if not state["available"]}
        previews = client.post(
            "/api/products/ring/previews", json={"choices": RING, "attribute": attribute}
        ).get_json()["previews"]
        assert not unavailable & set(previews)
        assert set(previews) == {o for o, s in answer.items() if s["available"]} - {
            RING.get(attribute)
        }


def test_a_multi_attribute_toggles_each_option(shop: Flask, client: FlaskClient) -> None:
    catalog = client.get("/api/products/chocolate-bar").get_json()
    toppings = next(a for a in catalog["attributes"] if a["id"] == "toppings")
    choices = configure(client, "chocolate-bar", {})
    assert choices["consistent"]
    previews = client.post(
        "/api/products/chocolate-bar/previews", json={"choices": {}, "attribute": "toppings"}
    ).get_json()["previews"]
    assert previews and set(previews) <= {option["id"] for option in toppings["options"]}
    option = next(iter(previews))
    assert configure(client, "chocolate-bar", {"toppings": [option]})["preview"] == previews[option]


def test_previews_follow_the_accept_header(shop: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/api/products/ring/previews",
        json={"choices": RING, "attribute": "metal"},
        headers={"Accept": "image/jpeg,image/png;q=0.9"},
    )
    assert all(url.endswith(".800.jpeg") for url in response.get_json()["previews"].values())


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"choices": RING}, 400, "missing_field", "attribute"),
        ({"choices": RING, "attribute": 3}, 400, "invalid_type", "attribute"),
        ({"choices": RING, "attribute": "nope"}, 422, "unknown_attribute", "attribute"),
        ({"choices": RING, "attribute": "engraving"}, 422, "not_an_option_attribute", "attribute"),
        ({"choices": RING, "attribute": "ring_size"}, 422, "not_an_option_attribute", "attribute"),
        ({"choices": [], "attribute": "gem"}, 400, "invalid_type", "choices"),
        ({"choices": {"gem": "glass"}, "attribute": "metal"}, 422, None, "choices.gem"),
        ({"choices": {"colour": "red"}, "attribute": "metal"}, 422, "unknown_attribute", None),
        ({"choices": {"gem": 4}, "attribute": "metal"}, 400, "invalid_type", "choices.gem"),
    ],
)
def test_previews_validate_their_input_like_configure(
    shop: Flask,
    client: FlaskClient,
    body: dict[str, Any],
    status: int,
    code: str | None,
    field: str | None,
) -> None:
    response = client.post("/api/products/ring/previews", json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "field"} and error["message"]
    if code is not None:
        assert error["code"] == code
    if field is not None:
        assert error["field"] == field


def test_previews_refuse_malformed_bodies_and_unknown_products(
    shop: Flask, client: FlaskClient
) -> None:
    malformed = client.post(
        "/api/products/ring/previews", data="{nope", content_type="application/json"
    )
    assert (malformed.status_code, malformed.get_json()["error"]["code"]) == (400, "malformed_json")
    unknown = client.post("/api/products/boat/previews", json={"attribute": "hull"})
    assert (unknown.status_code, unknown.get_json()["error"]["code"]) == (404, "unknown_product")
    huge = client.post(
        "/api/products/ring/previews",
        data='{"attribute": "gem", "x": "' + "a" * 70_000 + '"}',
        content_type="application/json",
    )
    assert huge.status_code == 413


def test_the_endpoint_is_in_the_openapi_document(shop: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/products/{slug}/previews"]["post"]
    assert operation["operationId"] == "optionPreviews"
    assert {"200", "400", "404", "422"} <= set(operation["responses"])
    assert "PreviewsResponse" in document["components"]["schemas"]


# -- pages -----------------------------------------------------------------------------


def test_the_configurator_page_shows_the_drawn_preview(shop: Flask, client: FlaskClient) -> None:
    page = client.get("/p/ring").get_data(as_text=True)
    (webp, jpeg), *_ = pictures(page)
    name = PREVIEW_PATH.match(webp)
    assert name and webp.endswith(".800.webp")
    assert jpeg == webp.replace(".webp", ".jpeg")
    image = Tags(page).find("img", data_preview_image="")
    assert len(image) == 1 and image[0]["alt"] == "Preview of your Custom Ring"
    assert image_of(client, webp).format == "WEBP"
    assert image_of(client, jpeg).format == "JPEG"
    # the same picture the configure API names for the page's choices; the script starts there
    data = page_data(page)
    assert configure(client, "ring", data["choices"])["preview"] == webp
    assert data["answer"]["preview"] == webp and data["previewProblem"] is None
    assert data["endpoints"]["previews"] == "/api/products/ring/previews"


def test_the_no_javascript_form_shows_the_preview_of_what_was_posted(
    shop: Flask, client: FlaskClient
) -> None:
    first = pictures(client.get("/p/sneaker").get_data(as_text=True))[0][0]
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(upper_colour="black"), "action": "update"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 200
    (webp, jpeg), *_ = pictures(response.get_data(as_text=True))
    assert webp != first
    assert image_of(client, jpeg).size == (800, 800)


def test_the_design_page_has_the_picture_and_share_tags(shop: Flask, client: FlaskClient) -> None:
    complete = client.post(
        "/api/products/ring/complete", json={"choices": RING, "strategy": "cheapest"}
    ).get_json()["choices"]
    design_id = save_design(client, "ring", complete)
    page = client.get(f"/d/{design_id}").get_data(as_text=True)
    tags = Tags(page)
    (webp, _), *_ = pictures(page)
    assert webp == configure(client, "ring", complete)["preview"]
    card = tags.meta("og:image")
    assert card.startswith("http://localhost/previews/") and card.endswith(".card.jpeg")
    assert card.removeprefix("http://localhost").split(".")[0] == webp.split(".")[0]
    image = image_of(client, card.removeprefix("http://localhost"))
    assert (image.format, image.size) == ("JPEG", (1200, 630))
    assert tags.meta("og:image:width") == "1200" and tags.meta("og:image:height") == "630"
    assert tags.meta("og:title") == "For Ada"
    assert tags.meta("og:url") == f"http://localhost/d/{design_id}"
    description = tags.meta("og:description")
    assert description.count(" · ") >= 3 and "€" in description and "Made to order" in description
    assert tags.meta("twitter:card") == "summary_large_image"
    assert tags.meta("twitter:image") == card
    assert tags.meta("twitter:title") == "For Ada"
    assert tags.meta("description") == description


def test_cart_and_checkout_lines_show_the_thumbnail(shop: Flask, client: FlaskClient) -> None:
    response = post_form(
        client,
        "/p/sneaker",
        {**sneaker_form(upper_colour="black"), "action": "cart"},
        token_from="/p/sneaker",
    )
    assert response.status_code == 303
    configured = configure(client, "sneaker", {})  # another configuration
    cart = client.get("/cart").get_data(as_text=True)
    (webp, jpeg), *_ = pictures(cart)
    assert webp.endswith(".300.webp") and jpeg.endswith(".300.jpeg")
    assert webp != configured["preview"].replace(".800.", ".300.")
    assert Tags(cart).find("img", class_="thumb")[0]["alt"] == "Preview of your Custom Sneaker"
    assert image_of(client, webp).size == (300, 300)
    checkout = client.get("/checkout").get_data(as_text=True)
    assert pictures(checkout)[0] == (webp, jpeg)


@pytest.fixture
def narrow_art(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The seed catalogs published, the ring's art as a merchant might draw it: room on
    the band for fewer letters than the catalog's rules allow."""
    folder = tmp_path / "catalogs" / "jewellery"
    shutil.copytree(SEED_DIR / "jewellery", folder)
    manifest_path = folder / "art" / "manifest.toml"
    manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    for layer in manifest["layers"]:
        if layer.get("text") == "engraving":
            layer["arc"]["start"], layer["arc"]["end"] = 105, 75
    manifest_path.write_text(tomli_w.dumps(manifest), encoding="utf-8")
    app = make_app(CATALOG_DIR=str(tmp_path / "catalogs"))
    with app.app_context():
        db.create_all()
        for seed in SEEDS.values():
            import_catalog(SEED_DIR / seed)
        db.session.commit()
    return app


def test_the_seed_art_draws_the_widest_text_the_rules_allow(
    shop: Flask, client: FlaskClient
) -> None:
    answer = configure(client, "ring", WIDEST)
    assert answer["consistent"]
    assert image_of(client, answer["preview"]).size == (800, 800)
    assert image_of(client, answer["preview"].replace(".800.webp", ".300.jpeg")).size == (300, 300)
    design_id = save_design(client, "ring", WIDEST)
    design_page = client.get(f"/d/{design_id}").get_data(as_text=True)
    assert "data-preview-problem" not in design_page
    assert image_of(client, pictures(design_page)[0][0]).size == (800, 800)


def test_a_text_too_wide_for_the_picture_is_said_beside_its_field(narrow_art: Flask) -> None:
    client = narrow_art.test_client()
    answer = configure(client, "ring", WIDEST)
    assert answer["consistent"]  # the catalog's rules allow it ...
    assert answer["preview"] is None  # ... but this art cannot hold it: no picture, no record
    problem = answer["preview_problem"]
    assert problem["attribute"] == "engraving" and "too long" in problem["message"]

    design_id = save_design(client, "ring", WIDEST)
    page = client.get(f"/p/ring?design={design_id}").get_data(as_text=True)
    message = re.search(r'data-error-for="engraving">([^<]*)<', page)
    assert message and "too long to fit" in message.group(1)
    assert 'aria-invalid="true"' in page.split('id="f-engraving"')[1].split(">")[0]
    (webp, _), *_ = pictures(page)
    assert "engraving" not in webp  # the design without the engraving, which can be drawn
    assert client.get(webp).status_code == 200
    problem = page_data(page)["previewProblem"]
    assert problem["attribute"] == "engraving" and "too long" in problem["message"]


def test_the_design_page_says_which_text_the_picture_leaves_out(narrow_art: Flask) -> None:
    client = narrow_art.test_client()
    design_id = save_design(client, "ring", WIDEST)
    design_page = client.get(f"/d/{design_id}").get_data(as_text=True)
    (webp, _), *_ = pictures(design_page)
    assert client.get(webp).status_code == 200
    note = re.search(r'data-preview-problem="engraving">\s*<p>([^<]*)</p>', design_page)
    assert note, "the design page must say the picture leaves the engraving out"
    assert "shown without" in note.group(1) and "too long to fit" in note.group(1)


def test_cart_thumbnails_of_a_text_the_art_cannot_hold_are_drawn(narrow_art: Flask) -> None:
    client = narrow_art.test_client()
    design_id = save_design(client, "ring", WIDEST)
    added = post_form(client, "/cart/add", {"design_id": design_id}, token_from=f"/d/{design_id}")
    assert added.status_code in (302, 303)
    cart = client.get("/cart").get_data(as_text=True)
    (webp, jpeg), *_ = pictures(cart)
    assert image_of(client, webp).size == (300, 300)
    assert image_of(client, jpeg).size == (300, 300)
