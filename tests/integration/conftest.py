"""Factory fixtures for integration tests: catalogs on disk and published products."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from configurator.core.database import db
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.catalog.services import import_catalog
from tests.catalogs import tee_document, write_catalog


@pytest.fixture
def catalog_path(tmp_path: Path) -> Callable[..., Path]:
    """Write a catalog (the tee unless given a document) and return its path."""
    counter = iter(range(1_000_000))

    def factory(document: dict[str, Any] | None = None, fmt: str = "folder") -> Path:
        folder = tmp_path / "catalogs" / str(next(counter))
        return write_catalog(folder, document or tee_document(), fmt)

    return factory


@pytest.fixture
def publish(app: Flask, catalog_path: Callable[..., Path]) -> Callable[..., CatalogVersion]:
    """Publish a catalog (the tee unless given a document) straight through the service."""

    def factory(document: dict[str, Any] | None = None) -> CatalogVersion:
        with app.app_context():
            version = import_catalog(catalog_path(document))
            db.session.commit()
            db.session.refresh(version)
            db.session.expunge(version)
            return version

    return factory
