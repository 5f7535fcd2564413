"""Saving designs and loading them back through the API."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from configurator.domain.engine import config_hash
from configurator.modules.catalog.models import CatalogVersion
from tests.catalogs import tee_document
from tests.integration.test_api import assert_error

Publish = Callable[..., CatalogVersion]


def test_save_then_load_a_design(client: FlaskClient, publish: Publish) -> None:
    publish()
    choices = {"size": 3, "extras": ["tag", "pocket"], "colour": "black"}
    response = client.post(
        "/api/designs", json={"product": "tee", "choices": choices, "title": "Mine"}
    )
    assert response.status_code == 201, response.json
    saved = response.json
    assert saved["url"] == f"/d/{saved['id']}"
    assert len(saved["id"]) >= 16
    assert saved["product"] == "tee"
    assert saved["version"] == 1
    assert saved["title"] == "Mine"
    assert response.headers["Location"].endswith(saved["id"])
    assert list(saved["choices"]) == sorted(saved["choices"])  # canonical: sorted keys
    assert saved["config_hash"] == config_hash("tee", 1, saved["choices"])

    loaded = client.get(f"/api/designs/{saved['id']}")
    assert loaded.status_code == 200
    assert loaded.json == saved


def test_design_ids_are_unguessable_and_distinct(client: FlaskClient, publish: Publish) -> None:
    publish()
    ids = {
        client.post("/api/designs", json={"product": "tee", "choices": {}}).json["id"]
        for _ in range(5)
    }
    assert len(ids) == 5


def test_same_choices_written_differently_hash_the_same(
    client: FlaskClient, publish: Publish
) -> None:
    publish()
    first = client.post(
        "/api/designs",
        json={"product": "tee", "choices": {"colour": "black", "extras": ["tag", "pocket"]}},
    ).json
    second = client.post(
        "/api/designs",
        json={"product": "tee", "choices": {"extras": ["pocket", "tag"], "colour": "black"}},
    ).json
    assert first["choices"] == second["choices"]
    assert first["config_hash"] == second["config_hash"]


def test_design_pins_the_version_it_was_made_under(client: FlaskClient, publish: Publish) -> None:
    publish()
    saved = client.post("/api/designs", json={"product": "tee", "choices": {}}).json
    publish(tee_document(name="Custom Tee, second edition"))
    assert client.get(f"/api/designs/{saved['id']}").json["version"] == 1
    newer = client.post("/api/designs", json={"product": "tee", "choices": {}}).json
    assert newer["version"] == 2


def test_design_is_owned_by_the_shopper_cookie(
    app: Flask, client: FlaskClient, publish: Publish
) -> None:
    from configurator.modules.designs.services import designs_of

    publish()
    saved = client.post("/api/designs", json={"product": "tee", "choices": {}}).json
    with client.session_transaction() as session:
        shopper = session["shopper"]
    with app.app_context():
        assert [design.id for design in designs_of(shopper)] == [saved["id"]]


def test_design_errors(client: FlaskClient, publish: Publish) -> None:
    publish()
    assert_error(client.get("/api/designs/nothing-here"), 404)
    assert_error(client.post("/api/designs", json={"choices": {}}), 400, "product")
    assert_error(client.post("/api/designs", json={"product": 7}), 400, "product")
    assert_error(client.post("/api/designs", json={"product": "hat"}), 404, "product")
    assert_error(
        client.post("/api/designs", json={"product": "tee", "choices": {"colour": 1}}),
        400,
        "choices.colour",
    )
    assert_error(
        client.post("/api/designs", json={"product": "tee", "choices": {"hat": "x"}}),
        422,
        "choices.hat",
    )
    assert_error(
        client.post("/api/designs", json={"product": "tee", "title": "x" * 201}), 422, "title"
    )
    assert_error(client.post("/api/designs", data="{", content_type="application/json"), 400)


def test_a_failed_request_stores_nothing(app: Flask, client: FlaskClient, publish: Publish) -> None:
    from sqlalchemy import func, select

    from configurator.core.database import db
    from configurator.modules.designs.models import Design

    publish()
    client.post("/api/designs", json={"product": "tee", "choices": {"colour": "purple"}})
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Design)).scalar_one() == 0


def test_an_inconsistent_design_is_refused_like_the_form_refuses_it(
    app: Flask, client: FlaskClient, publish: Publish
) -> None:
    from sqlalchemy import func, select

    from configurator.core.database import db
    from configurator.modules.designs.models import Design

    publish()
    clash = {"colour": "white", "print": "glow"}  # glow-on-black
    error = assert_error(
        client.post("/api/designs", json={"product": "tee", "choices": clash}), 422, "choices"
    )
    assert error["code"] == "inconsistent"
    assert "Glow prints only show on a black tee." in error["message"]
    assert "glow-on-black" in error["message"]
    # A text beyond its own limits is a conflict too (no picture, no product).
    error = assert_error(
        client.post("/api/designs", json={"product": "tee", "choices": {"name": "R2D2"}}),
        422,
        "choices",
    )
    assert error["code"] == "inconsistent"
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Design)).scalar_one() == 0
    document = client.get("/api/openapi.json").json
    refused = document["paths"]["/api/designs"]["post"]["responses"]["422"]
    assert "inconsistent" in refused["description"]
    # Unfinished but consistent designs are saved, as the form saves them.
    saved = client.post("/api/designs", json={"product": "tee", "choices": {"print": "glow"}})
    assert saved.status_code == 201, saved.json


def test_a_design_made_under_an_older_version_still_opens(
    client: FlaskClient, publish: Publish
) -> None:
    publish()
    saved = client.post(
        "/api/designs", json={"product": "tee", "choices": {"colour": "white", "print": "plain"}}
    ).json
    # Version 2 forbids plain ink on white: the saved design now clashes.
    document = tee_document()
    document["rules"].append(
        {
            "id": "no-plain-white",
            "kind": "excludes",
            "when": "colour = 'white'",
            "then": "print = 'plain'",
            "message": "White tees come printed.",
        }
    )
    publish(document)
    loaded = client.get(f"/api/designs/{saved['id']}")
    assert loaded.status_code == 200
    assert loaded.json["version"] == 1 and loaded.json["choices"] == saved["choices"]
    page = client.get(saved["url"])
    assert page.status_code == 200
    assert "White tees come printed." in page.get_data(as_text=True)
