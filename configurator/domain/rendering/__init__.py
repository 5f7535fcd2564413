"""Product previews: configuration -> image, pure Python + Pillow (no Flask, no SQL).

    art = art_for("catalog/shoes/art")                 # load once per process
    image = render(art, catalog, choices, "800")       # PIL image; "300", "card" too
    data = encode(image, "webp")                       # or "jpeg", "png"
    key = preview_key(preview_hash(slug, version, choices, art.version), "800", "webp")
    store.put(key, data)                               # FileStore(root) or any PreviewStore

The art of a product is described by ``art/manifest.toml`` beside its catalog; the
format is in docs/previews.md.
"""

from __future__ import annotations

from configurator.domain.rendering.encode import CONTENT_TYPES, EXTENSIONS, encode, normalise_format
from configurator.domain.rendering.errors import (
    ArtError,
    ImageRejected,
    ManifestError,
    PreviewError,
    TextDoesNotFit,
)
from configurator.domain.rendering.keys import (
    RENDERER_VERSION,
    art_version,
    canonical_choices,
    preview_hash,
)
from configurator.domain.rendering.loader import load_image_bytes, load_image_file
from configurator.domain.rendering.manifest import Art
from configurator.domain.rendering.render import (
    CARD_SIZE,
    SIZES,
    art_for,
    art_problems,
    check_texts,
    load_art,
    render,
)
from configurator.domain.rendering.store import (
    Expiry,
    FileStore,
    MemoryStore,
    PreviewStore,
    StoreUnavailable,
    Sweep,
    get_or_make,
    preview_key,
    stored_key,
)

__all__ = [
    "CARD_SIZE",
    "CONTENT_TYPES",
    "EXTENSIONS",
    "Expiry",
    "SIZES",
    "Art",
    "ArtError",
    "FileStore",
    "ImageRejected",
    "ManifestError",
    "MemoryStore",
    "PreviewError",
    "PreviewStore",
    "StoreUnavailable",
    "Sweep",
    "TextDoesNotFit",
    "RENDERER_VERSION",
    "art_for",
    "art_problems",
    "art_version",
    "canonical_choices",
    "check_texts",
    "encode",
    "get_or_make",
    "load_art",
    "load_image_bytes",
    "load_image_file",
    "normalise_format",
    "preview_hash",
    "preview_key",
    "render",
    "stored_key",
]
