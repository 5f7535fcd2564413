"""The per-process cache of current catalog versions, and the health check."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, Response

from configurator.core.config import settings_from_env
from configurator.core.database import db
from configurator.modules.catalog.engines import EngineCache, engine_cache
from configurator.modules.catalog.services import current_version, import_catalog
from tests.catalogs import tee_document, write_catalog


def publish(app: Flask, folder: Path, **product: object) -> int:
    with app.app_context():
        version = import_catalog(write_catalog(folder, tee_document(**product)))
        db.session.commit()
        return int(version.version)


def test_a_version_published_by_this_process_is_seen_at_once(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    publish(app, tmp_path / "v1")
    assert client.get("/api/products/tee").get_json()["version"] == 1
    publish(app, tmp_path / "v2", base_price=2500)
    answer = client.post("/api/products/tee/configure", json={"choices": {}}).get_json()
    assert answer["version"] == 2 and answer["price"]["amount"] >= 2500


def test_another_process_publishing_is_seen_after_the_recheck_delay(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    merchant = make_app()
    with merchant.app_context():
        db.create_all()
    publish(merchant, tmp_path / "v1")
    eager = make_app(CATALOG_RECHECK_SECONDS=0).test_client()
    lazy = make_app(CATALOG_RECHECK_SECONDS=3600).test_client()
    for shop in (eager, lazy):
        assert shop.get("/api/products/tee").get_json()["version"] == 1
    publish(merchant, tmp_path / "v2")
    assert eager.get("/api/products/tee").get_json()["version"] == 2
    assert lazy.get("/api/products/tee").get_json()["version"] == 1  # within its delay


def test_current_version_is_in_the_request_session(app: Flask, tmp_path: Path) -> None:
    publish(app, tmp_path / "v1")
    for _ in range(2):  # the first lookup fills the cache, the second uses it
        with app.app_context():
            version = current_version("tee")
            assert version is not None and version in db.session
            assert version.product.name == "Custom Tee" and version.document
        with app.app_context():
            assert current_version("nothing") is None


def test_healthz_answers_ok_without_the_database(app: Flask) -> None:
    sessions: list[bool] = []

    @app.after_request
    def note(response: Response) -> Response:
        sessions.append(db.session.registry.has())
        return response

    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.content_type.startswith("text/plain")
    assert sessions == [False]  # no session opened, none to commit


def test_unknown_slugs_are_not_remembered(app: Flask, tmp_path: Path) -> None:
    publish(app, tmp_path / "v1")
    client = app.test_client()
    assert client.get("/api/products/tee").status_code == 200
    for number in range(500):
        assert client.get(f"/api/products/no-such-{number}").status_code == 404
        assert client.get(f"/p/no-such-{number}").status_code == 404
    cache = app.extensions["atelier_published"]
    assert set(cache.versions) == {"tee"}  # one entry per product, none per miss
    # A miss is asked again: a product published later (elsewhere) is found.
    assert client.get("/api/products/hoodie").status_code == 404
    publish(app, tmp_path / "hoodie", slug="hoodie", name="Hoodie")
    assert client.get("/api/products/hoodie").status_code == 200


def test_a_compiled_engine_leaves_the_cycle_collector_except_under_tests(
    app: Flask, tmp_path: Path
) -> None:
    publish(app, tmp_path / "v1")
    with app.app_context():
        version = current_version("tee")
        assert version is not None
        assert engine_cache().freeze is False  # a test app: nothing is frozen for good
        frozen = gc.get_freeze_count()
        try:
            engine = EngineCache(freeze=True).get(version)
            assert gc.get_freeze_count() > frozen
            assert engine.configure({}, explain=False)["consistent"]
        finally:
            gc.unfreeze()


def test_engines_share_their_searches_with_a_helper_except_under_tests(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        assert engine_cache().helper is False  # test apps never fork
    given = {"SECRET_KEY": "test"}
    cores = len(os.sched_getaffinity(0))
    monkeypatch.delenv("ENGINE_HELPER", raising=False)
    assert settings_from_env(tmp_path, given)["ENGINE_HELPER"] is (cores > 1)
    for off in ("0", "false", "Off", " no "):
        monkeypatch.setenv("ENGINE_HELPER", off)
        assert settings_from_env(tmp_path, given)["ENGINE_HELPER"] is False, off
    monkeypatch.setenv("ENGINE_HELPER", "1")
    assert settings_from_env(tmp_path, given)["ENGINE_HELPER"] is (cores > 1)


def test_a_version_published_in_an_open_transaction_is_never_cached(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        import_catalog(write_catalog(tmp_path / "v1", tee_document()))
        version = current_version("tee")
        assert version is not None and version.version == 1  # this transaction sees it
        assert "tee" not in app.extensions["atelier_published"].versions
        db.session.rollback()
        assert current_version("tee") is None and current_version("tee", read="fresh") is None
