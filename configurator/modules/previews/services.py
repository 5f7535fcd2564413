"""Naming, registering and drawing previews of stored catalog versions.

A preview URL is ``/previews/<hash>.<size>.<ext>``, the hash covering the product, the
catalog version, the canonical choices and the art version. A hash cannot be reversed,
so when a configuration is named its record (which version, which choices) is put in
the preview store under ``<hash>.json``; the image is drawn on its first request and
kept under its file name. Only configurations that can be drawn are named (consistent,
texts that fit, art that loads). Records of configurations only passing through the
configurator expire a while after their last use; those of designs, cart lines and
orders are pinned. A store or art that fails costs the picture, never the page.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cachetools import TTLCache
from flask import Flask, current_app, request
from sqlalchemy import select

from configurator.core.database import db
from configurator.domain.engine import Catalog, CatalogError, load_catalog
from configurator.domain.money import format_money
from configurator.domain.rendering import (
    CONTENT_TYPES,
    Art,
    ArtError,
    Expiry,
    FileStore,
    PreviewStore,
    StoreUnavailable,
    TextDoesNotFit,
    art_for,
    check_texts,
    encode,
    get_or_make,
    normalise_format,
    preview_hash,
    preview_key,
    render,
    stored_key,
)
from configurator.modules.catalog.engines import engine_for
from configurator.modules.catalog.models import CatalogVersion, Product
from configurator.modules.previews.stores import RedisStore

SIZES = ("800", "300", "card")
FORMATS = ("webp", "jpeg", "jpg", "png")
CACHE_CONTROL = "public, max-age=31536000, immutable"
REGISTERED_MEMORY = 20_000  # preview names remembered as registered, per process
REGISTERED_SECONDS = 300.0  # how long a process trusts its memory before asking the store
RECORD_DAYS = 7.0  # a record no design, cart line or order refers to: kept after last use
SWEEP_SECONDS = 3600.0  # how often (at most) a process sweeps a FileStore of expired files
DAY_SECONDS = 24 * 3600

logger = logging.getLogger(__name__)


@dataclass
class PreviewSettings:
    """Where previews are kept and which art folder belongs to which product."""

    store: PreviewStore
    catalog_dir: Path
    registered_seconds: float = REGISTERED_SECONDS
    registered_memory: int = REGISTERED_MEMORY
    _folders: dict[str, Path] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Names whose record this process saw in the store lately (name -> pinned): naming
    # them again costs no store read. Bounded in size and in age, so a record that went
    # missing from the store (expired, flushed) is put back by the next configure that
    # names it.
    _registered: TTLCache[str, bool] = field(init=False)
    _registered_lock: threading.Lock = field(default_factory=threading.Lock)
    _broken_art: set[Path] = field(default_factory=set)
    _store_failing: bool = False

    def __post_init__(self) -> None:
        self._forget_registered()

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        # A TTLCache's size and age are fixed when it is made: a new bound starts afresh.
        if name in ("registered_seconds", "registered_memory") and "_registered" in vars(self):
            self._forget_registered()

    def _forget_registered(self) -> None:
        self._registered = TTLCache(
            self.registered_memory, self.registered_seconds, timer=time.monotonic
        )

    def is_registered(self, name: str, *, pinned: bool = False) -> bool:
        with self._registered_lock:
            seen = self._registered.get(name)
        return seen is not None and (seen or not pinned)

    def remember_registered(self, name: str, *, pinned: bool = False) -> None:
        with self._registered_lock:
            self._registered[name] = pinned

    @classmethod
    def from_app(cls, app: Flask) -> PreviewSettings:
        redis_url = app.config.get("REDIS_URL")
        days = float(app.config.get("PREVIEW_RECORD_DAYS") or RECORD_DAYS)
        expiry = Expiry(records=days * DAY_SECONDS)
        store: PreviewStore = (
            RedisStore(
                redis_url, app.config.get("PREVIEW_REDIS_PREFIX", "atelier:preview:"), expiry
            )
            if redis_url
            else FileStore(
                app.config.get("PREVIEW_DIR") or Path(app.instance_path) / "previews",
                expiry,
                # Tests sweep when they mean to, not whenever a thread gets to it.
                sweep_every=float(
                    app.config.get("PREVIEW_SWEEP_SECONDS", 0 if app.testing else SWEEP_SECONDS)
                ),
            )
        )
        return cls(
            store=store,
            catalog_dir=Path(app.config["CATALOG_DIR"]),
            registered_seconds=float(
                app.config.get("PREVIEW_REGISTERED_SECONDS", REGISTERED_SECONDS)
            ),
        )

    def art_folders(self) -> dict[str, Path]:
        """Product slug -> art folder, found once by scanning CATALOG_DIR."""
        with self._lock:
            if self._folders is None:
                self._folders = {}
                for manifest in sorted(self.catalog_dir.glob("*/art/manifest.toml")):
                    try:
                        product = load_catalog(manifest.parent.parent)
                    except CatalogError:
                        continue  # a catalog that does not load has no previews
                    self._folders[product.slug] = manifest.parent
            return self._folders

    def art_folder(self, slug: str) -> Path | None:
        return self.art_folders().get(slug)

    def art(self, folder: Path) -> Art:
        """The loaded art of a folder; raises ArtError, logged the first time (with the
        files at fault) rather than on every request that meets it."""
        try:
            return art_for(folder)
        except ArtError as error:
            with self._lock:
                first = folder not in self._broken_art
                self._broken_art.add(folder)
            if first:
                logger.error("the art in %s does not load (previews answer 503): %s", folder, error)
            raise

    def art_of(self, slug: str) -> Art | None:
        """A product's loaded art, or None: no art, or art that does not load."""
        folder = self.art_folder(slug)
        if folder is None:
            return None
        try:
            return self.art(folder)
        except ArtError:
            return None

    def store_failed(self, error: StoreUnavailable) -> None:
        """Note a store fault: logged when it starts, not on each request until it ends."""
        with self._lock:
            first, self._store_failing = not self._store_failing, True
        if first:
            logger.error("the preview store fails, pictures are left out: %s", error)

    def store_answered(self) -> None:
        if self._store_failing:
            with self._lock:
                self._store_failing = False
            logger.warning("the preview store answers again")

    def warm(self, app: Flask) -> None:
        """Load every product's art into this process (a failure is logged by ``art``)."""
        del app
        for folder in self.art_folders().values():
            try:
                self.art(folder)
            except ArtError:
                continue


def settings() -> PreviewSettings:
    found = current_app.extensions["atelier_previews"]
    assert isinstance(found, PreviewSettings)
    return found


def register_preview(
    version: CatalogVersion, canonical: Mapping[str, Any], *, pinned: bool = True
) -> str | None:
    """The content hash naming the preview of a configuration, its record put in the
    store; None when there is no picture to show: the product has no art or its art does
    not load, a text does not fit (see ``text_problem``), or the store fails.

    The caller has checked that the configuration is consistent. Its record is pinned
    (kept for good: a saved design, a cart line, an order refers to it) unless
    ``pinned`` is false, for configurations passing through the configurator. Pinning
    is the default so that a forgotten flag costs storage, never an order's picture.
    """
    config = settings()
    art = config.art_of(version.slug)
    if art is None:
        return None
    name = preview_hash(version.slug, version.version, dict(canonical), art.version)
    if config.is_registered(name, pinned=pinned):
        return name  # its texts were measured when it was registered
    if text_problem(version, canonical) is not None:
        return None
    record = {"product": version.slug, "version": version.version, "choices": dict(canonical)}
    try:
        register_record(config.store, name, record, pinned=pinned)
    except StoreUnavailable as error:
        config.store_failed(error)
        return None
    config.store_answered()
    config.remember_registered(name, pinned=pinned)
    return name


def register_record(
    store: PreviewStore, name: str, record: Mapping[str, Any], *, pinned: bool
) -> None:
    """Put the record of preview ``name`` in the store (a pinned one always, so that one
    written before as passing is kept from now on; another only when it is missing)."""
    key = f"{name}.json"
    if pinned or store.get(key) is None:
        store.put(key, json.dumps(record, sort_keys=True).encode(), pinned=pinned)


def preview_src(name: str, size: str = "800", ext: str = "webp") -> str:
    """The URL path of a registered preview (``name`` is its content hash)."""
    return f"/previews/{preview_key(name, size, ext)}"


def register_preview_url(
    version: CatalogVersion,
    canonical: Mapping[str, Any],
    size: str = "800",
    ext: str = "webp",
    *,
    pinned: bool = True,
) -> str | None:
    name = register_preview(version, canonical, pinned=pinned)
    return None if name is None else preview_src(name, size, ext)


@dataclass(frozen=True)
class TextProblem:
    """A text the picture cannot hold."""

    attribute: str
    message: str

    def json(self) -> dict[str, str]:
        return {"attribute": self.attribute, "message": self.message}


def text_problem(version: CatalogVersion, canonical: Mapping[str, Any]) -> TextProblem | None:
    """Why the picture of ``canonical`` cannot be drawn because of a text, or None.

    Only texts can make a configuration of art that loads undrawable; they are measured,
    not drawn, and without a chosen text this costs nothing.
    """
    catalog = engine_for(version).catalog
    texts = [a.id for a in catalog.attributes if a.kind == "text" and canonical.get(a.id)]
    if not texts:
        return None
    art = settings().art_of(version.slug)
    if art is None:
        return None
    try:
        check_texts(art, catalog, drawn_choices(catalog, canonical))
    except TextDoesNotFit as error:
        attribute = error.attribute if error.attribute in texts else texts[0]
        return TextProblem(attribute, str(error))
    return None


def register_drawable_preview(version: CatalogVersion, canonical: Mapping[str, Any]) -> str | None:
    """The pinned preview of a cart line or order line that can be drawn: the
    configuration itself, or, when a text of it cannot be held by the picture (merchant
    art narrower than the catalog's rules), the configuration without that text
    (thumbnails never answer 422)."""
    shown = dict(canonical)
    for _ in range(len(shown) + 1):
        name = register_preview(version, shown)
        problem = text_problem(version, shown) if name is None else None
        if problem is None:
            return name
        shown.pop(problem.attribute, None)
    return None


def option_previews(
    version: CatalogVersion, choices: Mapping[str, Any], attribute_id: str, ext: str = "webp"
) -> dict[str, str]:
    """Option id -> 800 px preview URL of the configuration with that option picked, for
    each option of a single or multi attribute still available with ``choices`` (for a
    multi attribute the option is toggled). Raises ChoiceError for unknown ids or values."""
    engine = engine_for(version)
    canonical = engine.canonical(dict(choices))
    attribute = engine.catalog.attribute(attribute_id)
    assert attribute is not None and attribute.kind in ("single", "multi")
    states = engine.configure(canonical, explain=False)["attributes"][attribute_id]["options"]
    current = canonical.get(attribute_id)
    previews: dict[str, str] = {}
    for option in attribute.options:
        if not states[option.id]["available"] or option.id == current:
            continue
        picked: dict[str, Any] = dict(canonical)
        if attribute.kind == "multi":
            chosen = list(current or [])
            toggled = [o for o in chosen if o != option.id]
            picked[attribute_id] = toggled if option.id in chosen else chosen + [option.id]
        else:
            picked[attribute_id] = option.id
        url = register_preview_url(version, engine.canonical(picked), ext=ext, pinned=False)
        if url is None:
            return {}
        previews[option.id] = url
    return previews


def image_format() -> str:
    """WebP unless the request says it takes images but not WebP (then JPEG)."""
    accepts = request.accept_mimetypes
    takes_images = any(kind.startswith("image/") for kind, _ in accepts)
    return "jpeg" if takes_images and not accepts["image/webp"] else "webp"


def _version(slug: str, number: int) -> CatalogVersion | None:
    query = (
        select(CatalogVersion)
        .join(CatalogVersion.product)
        .where(Product.slug == slug, CatalogVersion.version == number)
    )
    return db.session.execute(query).scalar_one_or_none()


def drawn_choices(catalog: Catalog, choices: Mapping[str, Any]) -> dict[str, Any]:
    """What the picture shows: the choices, with the catalog's defaults standing in for
    single and number attributes not chosen yet (a ring needs some band to be drawn).
    Multi and text attributes are drawn only as chosen."""
    shown = dict(choices)
    for attribute in catalog.attributes:
        if attribute.kind in ("single", "number") and attribute.default is not None:
            shown.setdefault(attribute.id, attribute.default)
    return shown


def preview_image(name: str, size: str, ext: str) -> tuple[bytes, str] | None:
    """The image bytes and content type, drawn and stored on first request; None when the
    name was never registered (or its record expired). Raises TextDoesNotFit when a text
    cannot fit, ArtError when the art does not load, StoreUnavailable when the store
    fails (each of the last two logged once)."""
    config = settings()
    try:
        return _stored_or_drawn(config, name, size, ext)
    except StoreUnavailable as error:
        config.store_failed(error)
        raise


def _stored_or_drawn(
    config: PreviewSettings, name: str, size: str, ext: str
) -> tuple[bytes, str] | None:
    fmt = normalise_format(ext)
    key = stored_key(name, size, fmt)
    found = config.store.get(key)
    if found is not None:
        return found, CONTENT_TYPES[fmt]
    record_data = config.store.get(f"{name}.json")
    if record_data is None:
        return None
    record = json.loads(record_data)
    version = _version(record["product"], record["version"])
    folder = config.art_folder(record["product"])
    if version is None or folder is None:
        return None
    art = config.art(folder)
    engine = engine_for(version)
    catalog = engine.catalog
    choices = record["choices"]

    def draw() -> bytes:
        price = None
        if size == "card":
            amount = engine.configure(choices, explain=False)["price"]["amount"]
            price = format_money(amount, catalog.currency)
        picture = render(art, catalog, drawn_choices(catalog, choices), size, price=price)
        return encode(picture, fmt)

    data = get_or_make(config.store, key, draw)
    config.store_answered()
    return data, CONTENT_TYPES[fmt]
