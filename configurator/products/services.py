"""Import, publish and export catalogs. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..engine import Catalog, catalog_to_document, compile_catalog, load_catalog
from ..extensions import db
from .models import CatalogVersion, Product


def document_digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def get_product(slug: str) -> Product | None:
    return db.session.execute(select(Product).where(Product.slug == slug)).scalar_one_or_none()


def current_version(slug: str) -> CatalogVersion | None:
    """The published version shoppers see: the newest one."""
    query = (
        select(CatalogVersion)
        .join(CatalogVersion.product)
        .options(contains_eager(CatalogVersion.product))
        .where(Product.slug == slug)
        .order_by(CatalogVersion.version.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def current_versions() -> list[CatalogVersion]:
    """The newest version of every product, ordered by product name."""
    newest = (
        select(CatalogVersion.product_id, func.max(CatalogVersion.version).label("version"))
        .group_by(CatalogVersion.product_id)
        .subquery()
    )
    query = (
        select(CatalogVersion)
        .join(
            newest,
            (CatalogVersion.product_id == newest.c.product_id)
            & (CatalogVersion.version == newest.c.version),
        )
        .join(CatalogVersion.product)
        .options(contains_eager(CatalogVersion.product))
        .order_by(Product.name, Product.slug)
    )
    return list(db.session.execute(query).scalars())


def get_version(version_id: int) -> CatalogVersion | None:
    return db.session.get(CatalogVersion, version_id)


def publish_catalog(catalog: Catalog) -> CatalogVersion:
    """Compile (which validates) and store a catalog as its product's next version.

    Raises CatalogError, before anything is stored, when the catalog cannot be used.
    """
    compile_catalog(catalog)
    document = catalog_to_document(catalog)
    product = get_product(catalog.slug)
    if product is None:
        product = Product(slug=catalog.slug, name=catalog.name)
        db.session.add(product)
        db.session.flush()
    product.name = catalog.name
    latest = db.session.execute(
        select(func.max(CatalogVersion.version)).where(CatalogVersion.product_id == product.id)
    ).scalar_one()
    version = CatalogVersion(
        product=product,
        version=(latest or 0) + 1,
        document=document,
        digest=document_digest(document),
    )
    db.session.add(version)
    db.session.flush()
    return version


def import_catalog(path: str | Path) -> CatalogVersion:
    """Load, validate and publish a catalog file or folder; raises CatalogError."""
    return publish_catalog(load_catalog(path))


def export_catalog(slug: str) -> str | None:
    """The current version as TOML, or None for an unknown product."""
    version = current_version(slug)
    if version is None:
        return None
    return tomli_w.dumps(version.document)


def is_current(catalog: Catalog) -> bool:
    """True when the product exists and its current version equals ``catalog``."""
    version = current_version(catalog.slug)
    return version is not None and version.digest == document_digest(catalog_to_document(catalog))
