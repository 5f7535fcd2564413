"""Seed catalogs, their compiled engines and their art, loaded once per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from configurator.domain.engine import Catalog, Engine, compile_catalog, load_catalog
from configurator.domain.rendering import Art, load_art

ROOT = Path(__file__).resolve().parents[3]
PRODUCTS = {"sneaker": "shoes", "chocolate-bar": "chocolate", "ring": "jewellery"}


class Product:
    def __init__(self, folder: str) -> None:
        self.catalog: Catalog = load_catalog(ROOT / "catalog" / folder)
        self.engine: Engine = compile_catalog(self.catalog)
        self.art: Art = load_art(ROOT / "catalog" / folder / "art")

    def valid(self, choices: dict[str, Any]) -> dict[str, Any]:
        return self.engine.complete(choices, "cheapest")


_cache: dict[str, Product] = {}


@pytest.fixture(scope="session", params=sorted(PRODUCTS))
def product(request: pytest.FixtureRequest) -> Product:
    slug = request.param
    if slug not in _cache:
        _cache[slug] = Product(PRODUCTS[slug])
    return _cache[slug]


def get_product(slug: str) -> Product:
    if slug not in _cache:
        _cache[slug] = Product(PRODUCTS[slug])
    return _cache[slug]
