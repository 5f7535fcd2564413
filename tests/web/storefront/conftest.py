"""Fixtures for the storefront: the seed catalogs published, CSRF-aware form posts."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog
from tests.catalogs import write_catalog

SEED_DIR = Path(__file__).resolve().parents[3] / "catalog"
SEEDS = {"sneaker": "shoes", "chocolate-bar": "chocolate", "ring": "jewellery"}
CSRF = re.compile(r'name="csrf[_-]token" (?:value|content)="([^"]+)"')


def seed_document(slug: str) -> dict[str, Any]:
    """The seed catalog of ``slug`` as a document, to change and publish again."""
    with open(SEED_DIR / SEEDS[slug] / "product.toml", "rb") as handle:
        return copy.deepcopy(tomllib.load(handle))


@pytest.fixture
def shop(app: Flask) -> Flask:
    """The app with the three seed products published (version 1 each)."""
    with app.app_context():
        for folder in SEEDS.values():
            import_catalog(SEED_DIR / folder)
        db.session.commit()
    return app


@pytest.fixture
def republish(shop: Flask, tmp_path: Path) -> Callable[[dict[str, Any]], int]:
    """Publish a changed catalog document as the product's next version."""
    counter = iter(range(1000))

    def factory(document: dict[str, Any]) -> int:
        folder = write_catalog(tmp_path / f"catalog-{next(counter)}", document)
        with shop.app_context():
            version = import_catalog(folder)
            db.session.commit()
            return int(version.version)

    return factory


def csrf_token(client: FlaskClient, url: str = "/") -> str:
    page = client.get(url).get_data(as_text=True)
    found = CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post_form(
    client: FlaskClient, url: str, data: dict[str, Any], *, token_from: str = "/"
) -> TestResponse:
    """Post a form the way a browser would: with the page's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client, token_from), **data})


def sneaker_form(**changes: Any) -> dict[str, Any]:
    """The sneaker's default configuration as posted form fields, with ``changes``."""
    choices: dict[str, Any] = {
        "silhouette": "low",
        "upper_material": "leather",
        "upper_colour": "white",
        "toe_cap": "white",
        "heel_tab": "navy",
        "laces": "white",
        "sole": "rubber_white",
        "lining": "textile",
        "size": "42",
        "monogram": "",
    }
    choices.update(changes)
    return {f"c-{key}": value for key, value in choices.items()}
