"""Import, publish and export catalogs. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from pathlib import Path
from typing import Any, Literal

import tomli_w
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, make_transient_to_detached

from configurator.core.database import db
from configurator.domain.engine import Catalog, catalog_to_document, compile_catalog, load_catalog
from configurator.domain.engine.loader import SLUG
from configurator.modules.catalog.models import CatalogVersion, Product


def document_digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


SLUG_MAX_LENGTH = 64  # Product.slug
PUBLISHED_IN = "atelier_published_in"  # session.info: the transaction that published


def is_slug(text: str) -> bool:
    """Whether ``text`` has the shape of a product slug; anything else (NUL, other
    scripts, a kilobyte of noise) names no product and never reaches SQL."""
    return len(text) <= SLUG_MAX_LENGTH and SLUG.fullmatch(text) is not None


def get_product(slug: str) -> Product | None:
    if not is_slug(slug):
        return None
    return db.session.execute(select(Product).where(Product.slug == slug)).scalar_one_or_none()


class PublishedCache:
    """Per app and process: the current version of each product, as detached copies.

    Versions are immutable and only ever added, so the highest catalog version id says
    whether anything was published since the cache was filled. That one indexed query
    is made at most every ``CATALOG_RECHECK_SECONDS`` (default 1) per process, instead
    of a join, a sort and loading objects on every lookup: a version published by
    another process is seen within that delay; one published by this process at once.
    """

    def __init__(self, recheck_seconds: float) -> None:
        self.recheck_seconds = recheck_seconds
        self.stamp: int | None = None
        self.checked_at = -math.inf
        self.versions: dict[str, CatalogVersion] = {}
        self.lock = threading.Lock()

    def invalidate(self) -> None:
        with self.lock:
            self.stamp = None
            self.checked_at = -math.inf
            self.versions.clear()

    def fresh(self) -> None:
        """Drop what it holds when a version was published since the last check."""
        now = time.monotonic()
        if now - self.checked_at < self.recheck_seconds:
            return
        stamp = int(db.session.execute(select(func.max(CatalogVersion.id))).scalar_one() or 0)
        with self.lock:
            if stamp != self.stamp:
                self.versions.clear()
                self.stamp = stamp
            self.checked_at = now


def _published_cache() -> PublishedCache:
    cache = current_app.extensions.get("atelier_published")
    if cache is None:
        recheck = float(current_app.config["CATALOG_RECHECK_SECONDS"])
        cache = current_app.extensions.setdefault("atelier_published", PublishedCache(recheck))
    assert isinstance(cache, PublishedCache)
    return cache


def _detached_copy(version: CatalogVersion) -> CatalogVersion:
    """A copy of a loaded version and its product that belongs to no session."""
    product = Product(
        id=version.product.id,
        slug=version.product.slug,
        name=version.product.name,
        created_at=version.product.created_at,
    )
    copy = CatalogVersion(
        id=version.id,
        product_id=version.product_id,
        version=version.version,
        document=version.document,
        digest=version.digest,
        created_at=version.created_at,
    )
    copy.product = product
    make_transient_to_detached(product)
    make_transient_to_detached(copy)
    return copy


def _query_current_version(slug: str) -> CatalogVersion | None:
    if not is_slug(slug):
        return None
    query = (
        select(CatalogVersion)
        .join(CatalogVersion.product)
        .options(contains_eager(CatalogVersion.product))
        .where(Product.slug == slug)
        .order_by(CatalogVersion.version.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def _published_copy(slug: str) -> CatalogVersion | None:
    """The detached copy of the current version of ``slug`` (loaded on first use).

    Only products that exist are remembered: a miss is asked again next time, so that
    requests for made-up slugs cannot fill the cache (it holds at most one entry per
    product)."""
    if not is_slug(slug):
        return None
    cache = _published_cache()
    cache.fresh()
    with cache.lock:
        if slug in cache.versions:
            return cache.versions[slug]
        stamp = cache.stamp
    version = _query_current_version(slug)
    if version is None:
        return None
    copy = _detached_copy(version)
    if _publishes_now():
        return copy  # this transaction's version might yet be rolled back: not shared
    with cache.lock:
        if cache.stamp == stamp:
            cache.versions[slug] = copy
    return copy


def _publishes_now() -> bool:
    """Whether the request's open transaction published a catalog version."""
    if not db.session.registry.has():
        return False
    published = db.session.info.get(PUBLISHED_IN)
    return published is not None and published is db.session().get_transaction()


VersionRead = Literal["session", "shared", "fresh"]


def current_version(slug: str, *, read: VersionRead = "session") -> CatalogVersion | None:
    """The published version of ``slug`` (None for an unknown product), read as the
    caller says:

    - ``"session"``: the process's cached copy, in the request's session (no SQL), for
      pages and for relating new objects (cart lines, designs, orders) to it;
    - ``"shared"``: that copy outside any session, for read-only hot endpoints (no
      session opened); never add it to a session or relate objects to it;
    - ``"fresh"``: read from the database in this transaction, for the write path (it
      sees a version this transaction published, and another process's at once).
    """
    if read == "fresh":
        return _query_current_version(slug)
    copy = _published_copy(slug)
    if read == "shared" or copy is None:
        return copy
    return db.session.merge(copy, load=False)


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
    db.session.info[PUBLISHED_IN] = db.session().get_transaction()
    _published_cache().invalidate()
    return version


def import_catalog(path: str | Path) -> CatalogVersion:
    """Load, validate and publish a catalog file or folder; raises CatalogError."""
    return publish_catalog(load_catalog(path))


def export_catalog(slug: str) -> str | None:
    """The current version as TOML, or None for an unknown product."""
    version = current_version(slug, read="fresh")
    if version is None:
        return None
    return tomli_w.dumps(version.document)


def is_current(catalog: Catalog) -> bool:
    """True when the product exists and its current version equals ``catalog``."""
    version = current_version(catalog.slug, read="fresh")
    return version is not None and version.digest == document_digest(catalog_to_document(catalog))
