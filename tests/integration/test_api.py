"""The JSON API through the test client, per /work/shared/spec/http-and-cli.md."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from configurator.core.database import db
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.designs.models import Design
from tests.catalogs import tee_document

Publish = Callable[..., CatalogVersion]


def assert_error(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.json["error"]
    assert set(error) == {"code", "message", "field"}
    assert error["code"] and error["message"]
    if field is not None:
        assert error["field"] == field
    return dict(error)


def configure(client: FlaskClient, choices: Any, **extra: Any) -> Any:
    return client.post("/api/products/tee/configure", json={"choices": choices, **extra})


# -- products ------------------------------------------------------------------------


def test_list_products(client: FlaskClient, publish: Publish) -> None:
    publish()
    publish(tee_document(slug="hoodie", name="Hoodie", base_price=4500))
    publish(tee_document(slug="hoodie", name="Hoodie", base_price=4900))
    response = client.get("/api/products")
    assert response.status_code == 200
    products = {p["slug"]: p for p in response.json["products"]}
    assert products["tee"] == {
        "slug": "tee",
        "name": "Custom Tee",
        "description": "A cotton tee, printed to order.",
        "currency": "EUR",
        "base_price": 2000,
        "version": 1,
    }
    assert products["hoodie"]["version"] == 2
    assert products["hoodie"]["base_price"] == 4900


def test_list_is_empty_without_products(client: FlaskClient) -> None:
    assert client.get("/api/products").json == {"products": []}


def test_product_detail(client: FlaskClient, publish: Publish) -> None:
    publish()
    response = client.get("/api/products/tee")
    assert response.status_code == 200
    detail = response.json
    assert detail["slug"] == "tee"
    assert detail["version"] == 1
    assert detail["currency"] == "EUR"
    attributes = {a["id"]: a for a in detail["attributes"]}
    assert [a["id"] for a in detail["attributes"]] == ["colour", "print", "extras", "name", "size"]
    colour = attributes["colour"]
    assert colour["kind"] == "single"
    assert colour["required"] is True
    assert colour["default"] == "white"
    assert colour["options"][1] == {
        "id": "black",
        "label": "Black",
        "price": 200,
        "swatch": "#111111",
    }
    assert attributes["extras"]["max"] == 2
    assert attributes["name"]["max_length"] == 10
    assert attributes["name"]["pattern"] == "^[A-Za-z ]*$"
    assert (attributes["size"]["min"], attributes["size"]["max"]) == (1, 5)
    assert attributes["size"]["step"] == 1


def test_unknown_product_is_404(client: FlaskClient) -> None:
    assert_error(client.get("/api/products/nothing"), 404)
    assert_error(client.post("/api/products/nothing/configure", json={"choices": {}}), 404)
    assert_error(client.post("/api/products/nothing/explain", json={"attribute": "colour"}), 404)


# -- configure -----------------------------------------------------------------------


def test_configure_empty_choices(client: FlaskClient, publish: Publish) -> None:
    publish()
    response = configure(client, {})
    assert response.status_code == 200
    answer = response.json
    assert answer["product"] == "tee"
    assert answer["version"] == 1
    assert answer["consistent"] is True
    assert answer["complete"] is False  # colour is required
    assert answer["conflict"] is None and answer["repair"] is None
    assert answer["preview"] is None
    assert set(answer["attributes"]) == {"colour", "print", "extras", "name", "size"}
    assert answer["price"]["currency"] == "EUR"
    assert answer["price"]["amount"] == sum(line["amount"] for line in answer["price"]["lines"])


def test_configure_marks_excluded_options_with_a_reason(
    client: FlaskClient, publish: Publish
) -> None:
    publish()
    answer = configure(client, {"colour": "white"}).json
    assert answer["consistent"] is True
    assert answer["complete"] is True
    glow = answer["attributes"]["print"]["options"]["glow"]
    assert glow["available"] is False
    assert glow["reason"]["rules"] == ["glow-on-black"]
    assert glow["reason"]["choices"] == ["colour"]
    assert glow["reason"]["message"] == "Glow prints only show on a black tee."
    assert answer["attributes"]["print"]["options"]["plain"] == {"available": True}


def test_configure_prices_in_minor_units(client: FlaskClient, publish: Publish) -> None:
    publish()
    answer = configure(client, {"colour": "black", "print": "glow", "extras": ["pocket"]}).json
    assert answer["complete"] is True
    # base 2000 + black 200 + glow 500 + pocket 300 + price rule 100
    assert answer["price"]["amount"] == 3100
    assert sum(line["amount"] for line in answer["price"]["lines"]) == 3100


def test_configure_conflict_and_repair(client: FlaskClient, publish: Publish) -> None:
    publish()
    answer = configure(client, {"colour": "white", "print": "glow"}, changed="print").json
    assert answer["consistent"] is False
    assert answer["complete"] is False
    assert "glow-on-black" in answer["conflict"]["rules"]
    assert answer["repair"]["change"] == ["colour"]
    assert answer["repair"]["choices"]["print"] == "glow"
    assert answer["repair"]["choices"]["colour"] == "black"


def test_configure_without_explanations(client: FlaskClient, publish: Publish) -> None:
    publish()
    answer = configure(client, {"colour": "white"}, explain=False).json
    assert answer["attributes"]["print"]["options"]["glow"] == {"available": False}


def test_configure_text_and_number(client: FlaskClient, publish: Publish) -> None:
    publish()
    answer = configure(client, {"colour": "black", "name": "Ada", "size": 3}).json
    assert answer["consistent"] is True
    assert answer["attributes"]["size"]["kind"] == "number"
    assert answer["attributes"]["size"]["allowed"] == [1, 2, 3, 4, 5]
    assert answer["attributes"]["name"]["kind"] == "text"
    assert answer["attributes"]["name"]["max_length"] == 10


def test_explain_one_option(client: FlaskClient, publish: Publish) -> None:
    publish()
    url = "/api/products/tee/explain"
    body = {"choices": {"colour": "white"}, "attribute": "print", "option": "glow"}
    answer = client.post(url, json=body).json
    assert answer["available"] is False
    assert answer["reason"]["rules"] == ["glow-on-black"]
    body["option"] = "plain"
    assert client.post(url, json=body).json == {"available": True}
    number = {"choices": {}, "attribute": "size", "value": 2}
    assert client.post(url, json=number).json == {"available": True}


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["{not json", "", '{"choices": {}', "NaN", '{"choices": {"size": Infinity}}', "[" * 5000],
)
def test_malformed_json_is_400(client: FlaskClient, publish: Publish, body: str) -> None:
    publish()
    response = client.post(
        "/api/products/tee/configure", data=body, content_type="application/json"
    )
    assert_error(response, 400)


@pytest.mark.parametrize("body", [[], "choices", 3, None])
def test_a_body_that_is_not_an_object_is_400(
    client: FlaskClient, publish: Publish, body: Any
) -> None:
    publish()
    response = client.post(
        "/api/products/tee/configure", data=json.dumps(body), content_type="application/json"
    )
    assert_error(response, 400)


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"colour": 3}, "choices.colour"),
        ({"colour": ["white"]}, "choices.colour"),
        ({"extras": "pocket"}, "choices.extras"),
        ({"extras": [1]}, "choices.extras"),
        ({"name": 12}, "choices.name"),
        ({"size": "three"}, "choices.size"),
        ({"size": True}, "choices.size"),
        ([], "choices"),
        ("white", "choices"),
    ],
)
def test_wrong_value_type_is_400(
    client: FlaskClient, publish: Publish, choices: Any, field: str
) -> None:
    publish()
    assert_error(configure(client, choices), 400, field)


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"fabric": "silk"}, "choices.fabric"),
        ({"colour": "purple"}, "choices.colour"),
        ({"extras": ["pocket", "cape"]}, "choices.extras"),
    ],
)
def test_unknown_attribute_or_option_is_422(
    client: FlaskClient, publish: Publish, choices: Any, field: str
) -> None:
    publish()
    assert_error(configure(client, choices), 422, field)


def test_wrong_types_of_the_other_members_are_400(client: FlaskClient, publish: Publish) -> None:
    publish()
    assert_error(configure(client, {}, explain="yes"), 400, "explain")
    assert_error(configure(client, {}, changed=5), 400, "changed")
    url = "/api/products/tee/explain"
    assert_error(client.post(url, json={"choices": {}}), 400, "attribute")
    assert_error(client.post(url, json={"attribute": 3}), 400, "attribute")
    assert_error(client.post(url, json={"attribute": "size", "value": "2"}), 400, "value")


def test_explain_without_what_to_explain_is_422(client: FlaskClient, publish: Publish) -> None:
    """The document cannot say which of option and value an attribute needs (the
    catalog does): schemathesis found the server answering 400 to a valid body."""
    publish()
    url = "/api/products/tee/explain"
    for attribute, field in (("colour", "option"), ("size", "value")):
        error = assert_error(client.post(url, json={"attribute": attribute}), 422, field)
        assert error["code"] == "missing_field"


def test_unknown_changed_attribute_is_422(client: FlaskClient, publish: Publish) -> None:
    publish()
    assert_error(configure(client, {}, changed="fabric"), 422, "changed")


def test_explain_unknown_attribute_or_option_is_422(client: FlaskClient, publish: Publish) -> None:
    publish()
    url = "/api/products/tee/explain"
    assert_error(client.post(url, json={"attribute": "fabric", "option": "silk"}), 422)
    assert_error(client.post(url, json={"attribute": "colour", "option": "purple"}), 422)


def test_oversized_body_is_413(make_app: Callable[..., Flask], publish: Publish) -> None:
    publish()
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    body = json.dumps({"choices": {"name": "x" * 2048}})
    response = client.post(
        "/api/products/tee/configure", data=body, content_type="application/json"
    )
    assert_error(response, 413)


def test_unknown_api_route_and_method_answer_json(client: FlaskClient) -> None:
    assert_error(client.get("/api/nothing"), 404)
    response = client.delete("/api/products")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_error_is_a_json_500_without_traceback(
    app: Flask, client: FlaskClient
) -> None:
    @app.get("/api/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = client.get("/api/boom")
    error = assert_error(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert error["code"] == "internal_error"


# -- openapi -------------------------------------------------------------------------


def test_openapi_document_describes_every_endpoint(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) >= {
        "/api/products",
        "/api/products/{slug}",
        "/api/products/{slug}/configure",
        "/api/products/{slug}/explain",
        "/api/products/{slug}/complete",
        "/api/products/{slug}/missing",
        "/api/designs",
        "/api/designs/{id}",
    }
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message", "field"}
    configure_responses = document["paths"]["/api/products/{slug}/configure"]["post"]["responses"]
    assert set(configure_responses) == {"200", "400", "404", "413", "415", "422", "429"}


def test_every_api_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).replace("{design_id}", "{id}")
        assert path in document["paths"], rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (rule.rule, method)


def test_openapi_references_resolve(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [ref for value in node.values() for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    for ref in refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict), ref


# -- what a form on another site can send -------------------------------------------------


def json_endpoints(app: Flask) -> list[str]:
    """Every JSON API path that takes a body, the tee's where it names a product."""
    paths = [
        rule.rule.replace("<slug>", "tee")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and "POST" in (rule.methods or ())
    ]
    assert "/api/designs" in paths and "/api/products/tee/configure" in paths
    return paths


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", None],
)
def test_a_body_not_declared_json_is_refused_with_415(
    app: Flask, client: FlaskClient, publish: Publish, content_type: str | None
) -> None:
    """A cross-site form can post text/plain without asking the shop first: whatever
    its body says, no endpoint reads it as JSON (and no design is saved)."""
    publish()
    body = json.dumps({"product": "tee", "choices": {}, "attribute": "colour", "option": "white"})
    for path in json_endpoints(app):
        response = client.post(path, data=body, content_type=content_type)
        error = assert_error(response, 415)
        assert (error["code"], error["field"]) == ("unsupported_media_type", None), path
        assert "application/json" in error["message"]
    assert saved_designs(app) == 0
    assert client.post("/api/designs", json=json.loads(body)).status_code == 201
    assert saved_designs(app) == 1


def saved_designs(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Design)) or 0)
