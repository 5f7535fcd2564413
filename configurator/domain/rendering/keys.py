"""Content addresses: the art version and the preview hash that names a rendered image."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

ART_VERSION_LENGTH = 16
# The drawing code's own version: raise it whenever a change to the renderer (fitting,
# compositing, encoding) changes pixels, so previews drawn by the old code are not served.
RENDERER_VERSION = 2


def art_version(folder: str | Path) -> str:
    """A hash of the art folder's manifest and every file it names (and their fonts).

    Any change to a layer file, the manifest or a bundled font used by it gives a new
    version, so previews drawn from the old art are never served for the new one.
    """
    from configurator.domain.rendering.manifest import (
        ImageLayer,
        TextLayer,
        font_path,
        parse_manifest,
        read_manifest,
    )

    folder = Path(folder)
    digest = hashlib.sha256()
    manifest = (folder / "manifest.toml").read_bytes()
    digest.update(b"manifest\0" + hashlib.sha256(manifest).digest())
    _, _, layers = parse_manifest(read_manifest(folder), str(folder))
    files = sorted({layer.file for layer in layers if isinstance(layer, ImageLayer)})
    fonts = sorted({layer.font for layer in layers if isinstance(layer, TextLayer)})
    for name in files:
        data = (folder / name).read_bytes()
        digest.update(f"file\0{name}\0".encode() + hashlib.sha256(data).digest())
    for name in fonts:
        data = font_path(name).read_bytes()
        digest.update(f"font\0{name}\0".encode() + hashlib.sha256(data).digest())
    return digest.hexdigest()[:ART_VERSION_LENGTH]


def _canonical_value(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return sorted({str(item) for item in value})
    if isinstance(value, bool):
        raise TypeError("a choice is never a boolean")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def canonical_choices(choices: Mapping[str, Any]) -> dict[str, Any]:
    """Sorted keys, sorted multi lists, whole numbers as int; unset values dropped."""
    result: dict[str, Any] = {}
    for key in sorted(choices):
        value = choices[key]
        if (
            value is None
            or value == ""
            or (isinstance(value, list | tuple | set | frozenset) and not value)
        ):
            continue
        result[key] = _canonical_value(value)
    return result


def preview_hash(
    product_slug: str,
    catalog_version: int | str,
    canonical_choices_: Mapping[str, Any],
    art_version_: str,
) -> str:
    """sha256 hex naming the picture of one configuration of one catalog and art version,
    drawn by this version of the renderer."""
    payload = json.dumps(
        {
            "art": art_version_,
            "choices": canonical_choices(canonical_choices_),
            "product": product_slug,
            "renderer": RENDERER_VERSION,
            "version": catalog_version,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
