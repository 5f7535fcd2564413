"""A preview store or art that fails costs the picture, never the page.

The store is made to fail for real: a FileStore whose folder would be under a regular
file (tests run as root, where a read-only folder still takes writes) and a Redis URL
to a closed port. The art is broken for real: a copy of a seed catalog with one layer
PNG overwritten by garbage.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from configurator.core.database import db
from configurator.domain.rendering import art_version, preview_hash
from configurator.modules.catalog.services import import_catalog
from tests.web.storefront.conftest import SEED_DIR, SEEDS

RING = {"metal": "gold18_rose", "gem": "ruby", "band_width": "w4"}
LOGGER = "configurator.modules.previews.services"
BROKEN_LAYER = "band_w4.png"


def published(app: Flask) -> Flask:
    with app.app_context():
        db.create_all()
        for seed in SEEDS.values():
            import_catalog(SEED_DIR / seed)
        db.session.commit()
    return app


@pytest.fixture(params=["file-under-a-file", "redis-closed-port"])
def failing_store(
    request: pytest.FixtureRequest, make_app: Callable[..., Flask], tmp_path: Path
) -> Flask:
    if request.param == "file-under-a-file":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a regular file where the store's folder would be")
        return published(make_app(PREVIEW_DIR=str(blocker / "previews")))
    return published(make_app(REDIS_URL="redis://127.0.0.1:1/0"))


def store_faults(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and "store fails" in r.getMessage()]


def test_a_failing_store_leaves_the_picture_out_and_is_logged_once(
    failing_store: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = failing_store.test_client()
    caplog.set_level(logging.WARNING, logger=LOGGER)
    for gem in ("ruby", "emerald", "sapphire"):
        response = client.post(
            "/api/products/ring/configure", json={"choices": {**RING, "gem": gem}}
        )
        assert response.status_code == 200
        answer = response.get_json()
        assert answer["consistent"] and answer["price"]["amount"] > 0
        assert answer["preview"] is None

    image = client.get(f"/previews/{'ab' * 32}.800.webp")
    assert image.status_code == 503
    assert image.headers["Retry-After"] == "60"
    assert image.get_json()["error"]["code"] == "preview_unavailable"

    saved = client.post("/api/designs", json={"product": "ring", "choices": RING})
    assert saved.status_code == 201
    page = client.get(saved.get_json()["url"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/previews/" not in text  # no picture, no share card
    assert "data-preview-placeholder" in text
    for url in ("/", "/p/ring"):
        assert client.get(url).status_code == 200
    assert len(store_faults(caplog)) == 1


@pytest.fixture
def broken_art(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The seed catalogs published; the ring's art (a copy) with one layer file that is
    not a PNG any more."""
    catalogs = tmp_path / "catalogs"
    for folder in SEEDS.values():
        shutil.copytree(SEED_DIR / folder, catalogs / folder)
    (catalogs / "jewellery" / "art" / BROKEN_LAYER).write_bytes(b"\x89PNG garbage" * 50)
    return published(make_app(CATALOG_DIR=str(catalogs)))


def art_faults(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and "art in" in r.getMessage()]


def test_broken_art_is_a_server_fault_logged_once_with_its_file(
    broken_art: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = broken_art.test_client()
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # A picture named before the file broke (an order's, say): its record is in the store.
    settings = broken_art.extensions["atelier_previews"]
    with broken_art.app_context():
        folder = settings.art_folder("ring")
        assert folder is not None
        name = preview_hash("ring", 1, RING, art_version(folder))
        record = {"product": "ring", "version": 1, "choices": RING}
        settings.store.put(f"{name}.json", json.dumps(record).encode())
    for size in ("800", "300"):
        image = client.get(f"/previews/{name}.{size}.webp")
        assert image.status_code == 503
        assert image.headers["Retry-After"] == "60"
        error = image.get_json()["error"]
        assert error["code"] == "preview_unavailable" and BROKEN_LAYER not in error["message"]

    answer = client.post("/api/products/ring/configure", json={"choices": RING}).get_json()
    assert answer["preview"] is None and answer["price"]["amount"] > 0
    assert client.get("/p/ring").status_code == 200
    other = client.post("/api/products/sneaker/configure", json={"choices": {}}).get_json()
    assert isinstance(other["preview"], str)  # the other products are drawn as before

    (logged,) = art_faults(caplog)
    assert BROKEN_LAYER in logged.getMessage()


def test_catalog_lint_and_seed_refuse_art_that_does_not_load(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    catalogs = tmp_path / "catalogs"
    shutil.copytree(SEED_DIR / "jewellery", catalogs / "jewellery")
    (catalogs / "jewellery" / "art" / BROKEN_LAYER).write_bytes(b"not an image")
    app = make_app(CATALOG_DIR=str(catalogs))
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()

    lint = runner.invoke(args=["catalog", "lint", str(catalogs / "jewellery")])
    assert lint.exit_code == 1
    assert re.search(rf"error: art: layer \d+: {re.escape(BROKEN_LAYER)}: ", lint.output)
    assert runner.invoke(args=["catalog", "lint", str(SEED_DIR / "jewellery")]).exit_code == 0

    seed = runner.invoke(args=["seed"])
    assert seed.exit_code == 1
    assert BROKEN_LAYER in seed.stderr
    assert "ring v" not in seed.stdout  # nothing imported
