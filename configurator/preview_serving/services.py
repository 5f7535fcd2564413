"""Naming, registering and drawing previews of stored catalog versions.

A preview URL is ``/previews/<hash>.<size>.<ext>``, the hash covering the product, the
catalog version, the canonical choices and the art version. A hash cannot be reversed,
so the first time a configuration is named its record (which version, which choices) is
put in the preview store under ``<hash>.json``; the image is drawn on its first request
and kept under its file name.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import select

from ..engine import Catalog, CatalogError, load_catalog
from ..extensions import db
from ..money import format_money
from ..preview import (
    CONTENT_TYPES,
    FileStore,
    PreviewError,
    PreviewStore,
    art_for,
    art_version,
    encode,
    get_or_make,
    normalise_format,
    preview_hash,
    preview_key,
    render,
    stored_key,
)
from ..products.engines import engine_for
from ..products.models import CatalogVersion, Product
from .stores import RedisStore

SIZES = ("800", "300", "card")
FORMATS = ("webp", "jpeg", "jpg", "png")
CACHE_CONTROL = "public, max-age=31536000, immutable"
REGISTERED_MEMORY = 20_000  # preview names remembered as registered, per process
REGISTERED_SECONDS = 300.0  # how long a process trusts its memory before asking the store


@dataclass
class PreviewSettings:
    """Where previews are kept and which art folder belongs to which product."""

    store: PreviewStore
    catalog_dir: Path
    registered_seconds: float = REGISTERED_SECONDS
    registered_memory: int = REGISTERED_MEMORY
    _folders: dict[str, Path] | None = None
    _versions: dict[Path, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Names whose record this process saw in the store lately (name -> when), oldest
    # first: naming them again costs no store read. Bounded in size and in age, so a
    # record that went missing from the store (evicted, flushed) is put back by the next
    # configure that names it.
    _registered: OrderedDict[str, float] = field(default_factory=OrderedDict)
    _registered_lock: threading.Lock = field(default_factory=threading.Lock)

    def is_registered(self, name: str) -> bool:
        with self._registered_lock:
            seen = self._registered.get(name)
            if seen is None:
                return False
            if time.monotonic() - seen > self.registered_seconds:
                del self._registered[name]
                return False
            return True

    def remember_registered(self, name: str) -> None:
        with self._registered_lock:
            self._registered[name] = time.monotonic()
            self._registered.move_to_end(name)
            while len(self._registered) > self.registered_memory:
                self._registered.popitem(last=False)

    @classmethod
    def from_app(cls, app: Flask) -> PreviewSettings:
        redis_url = app.config.get("REDIS_URL")
        store: PreviewStore = (
            RedisStore(redis_url, app.config.get("PREVIEW_REDIS_PREFIX", "atelier:preview:"))
            if redis_url
            else FileStore(app.config.get("PREVIEW_DIR") or Path(app.instance_path) / "previews")
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

    def warm(self, app: Flask) -> None:
        """Load every product's art (and its version) into this process."""
        for folder in self.art_folders().values():
            try:
                art_for(folder)
                self.art_version(folder)
            except PreviewError:
                app.logger.exception("the art in %s does not load", folder)

    def art_version(self, folder: Path) -> str:
        with self._lock:
            if folder not in self._versions:
                self._versions[folder] = art_version(folder)
            return self._versions[folder]


def settings() -> PreviewSettings:
    found = current_app.extensions["atelier_previews"]
    assert isinstance(found, PreviewSettings)
    return found


def preview_name(version: CatalogVersion, canonical: Mapping[str, Any]) -> str | None:
    """The content hash of a configuration's preview (its record stored on first use),
    or None when the product has no art."""
    config = settings()
    folder = config.art_folder(version.slug)
    if folder is None:
        return None
    name = preview_hash(version.slug, version.version, dict(canonical), config.art_version(folder))
    if config.is_registered(name):
        return name
    record_key = f"{name}.json"
    if config.store.get(record_key) is None:
        record = {"product": version.slug, "version": version.version, "choices": canonical}
        config.store.put(record_key, json.dumps(record, sort_keys=True).encode())
    config.remember_registered(name)
    return name


def preview_src(name: str, size: str = "800", ext: str = "webp") -> str:
    """The URL path of a registered preview (``name`` is its content hash)."""
    return f"/previews/{preview_key(name, size, ext)}"


def preview_url(
    version: CatalogVersion, canonical: Mapping[str, Any], size: str = "800", ext: str = "webp"
) -> str | None:
    name = preview_name(version, canonical)
    return None if name is None else preview_src(name, size, ext)


@dataclass(frozen=True)
class TextProblem:
    """A text the picture cannot hold (its image URLs answer 422)."""

    attribute: str
    message: str


def text_problem(catalog: Catalog, canonical: Mapping[str, Any], name: str) -> TextProblem | None:
    """Why the preview ``name`` cannot be drawn because of a text, or None.

    Only texts can make a registered preview undrawable, so without a chosen text this
    costs nothing; with one, the 800 px WebP is drawn now (and kept), which the page's
    image request would have done a moment later anyway.
    """
    texts = [a.id for a in catalog.attributes if a.kind == "text" and canonical.get(a.id)]
    if not texts:
        return None
    try:
        preview_image(name, "800", "webp")
    except PreviewError as error:
        attribute = error.attribute if error.attribute in texts else texts[0]
        return TextProblem(attribute or texts[0], str(error))
    return None


def drawable_preview_name(version: CatalogVersion, canonical: Mapping[str, Any]) -> str | None:
    """The preview of a configuration that can be drawn: the configuration itself, or,
    when a text of it cannot be held by the picture (merchant art narrower than the
    catalog's rules), the configuration without that text (thumbnails never answer 422)."""
    shown = dict(canonical)
    catalog = engine_for(version).catalog
    for _ in range(len(catalog.attributes) + 1):
        name = preview_name(version, shown)
        problem = text_problem(catalog, shown, name) if name is not None else None
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
        url = preview_url(version, engine.canonical(picked), ext=ext)
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
    name was never registered. Raises PreviewError when a text cannot fit."""
    config = settings()
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
    engine = engine_for(version)
    catalog = engine.catalog
    choices = record["choices"]

    def draw() -> bytes:
        price = None
        if size == "card":
            amount = engine.configure(choices, explain=False)["price"]["amount"]
            price = format_money(amount, catalog.currency)
        picture = render(
            art_for(folder), catalog, drawn_choices(catalog, choices), size, price=price
        )
        return encode(picture, fmt)

    return get_or_make(config.store, key, draw), CONTENT_TYPES[fmt]
