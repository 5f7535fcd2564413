"""The app factory: configuration, the secret key, errors, one commit per request."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from configurator import create_app
from configurator.core.config import normalise_database_url
from configurator.core.database import db
from configurator.modules.catalog.engines import engine_cache, engine_for
from configurator.modules.catalog.models import CatalogVersion, Product
from configurator.modules.catalog.services import current_version


def test_secret_key_is_generated_once_into_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app({"INSTANCE_PATH": str(instance), "TESTING": True})
    second = create_app({"INSTANCE_PATH": str(instance), "TESTING": True})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_configuration_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db/shop")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_123")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db/shop"
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert app.config["STRIPE_SECRET_KEY"] == "sk_test_123"
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024


def test_safe_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "STRIPE_SECRET_KEY", "MAX_CONTENT_LENGTH"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'atelier.db'}"
    assert app.config["REDIS_URL"] is None
    assert app.config["STRIPE_SECRET_KEY"] is None
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_use_psycopg_3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_pages_outside_the_api_get_html_errors(app: Flask) -> None:
    response = app.test_client().get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not Found" in response.get_data(as_text=True)


def test_a_failing_request_rolls_back_what_it_wrote(app: Flask) -> None:
    @app.post("/api/half-done")
    def half_done() -> str:
        db.session.add(Product(slug="ghost", name="Ghost"))
        db.session.flush()
        raise RuntimeError("after the write")

    assert app.test_client().post("/api/half-done").status_code == 500
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Product)).scalar_one() == 0


def test_a_successful_request_commits(app: Flask) -> None:
    @app.post("/api/write")
    def write() -> dict[str, bool]:
        db.session.add(Product(slug="kept", name="Kept"))
        return {"ok": True}

    assert app.test_client().post("/api/write").status_code == 200
    with app.app_context():
        assert db.session.execute(select(Product.slug)).scalar_one() == "kept"


def test_catalog_versions_are_immutable(app: Flask, publish: Callable[..., CatalogVersion]) -> None:
    publish()
    with app.app_context():
        version = current_version("tee")
        assert version is not None
        version.version = 7
        with pytest.raises(RuntimeError, match="immutable"):
            db.session.flush()
        db.session.rollback()


def test_engines_are_compiled_once_per_version(
    app: Flask, publish: Callable[..., CatalogVersion]
) -> None:
    publish()
    with app.app_context():
        version = current_version("tee")
        assert version is not None
        first = engine_for(version)
        assert engine_for(version) is first
    publish()
    with app.app_context():
        newer = current_version("tee")
        assert newer is not None and newer.version == 2
        assert engine_for(newer) is not first
        engine_cache().clear()
        assert engine_for(newer) is not first
