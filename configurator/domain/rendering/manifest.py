"""The art manifest (``catalog/<folder>/art/manifest.toml``): what to draw, in which order.

A manifest is a list of layers, bottom first. An image layer names a PNG/WebP/JPEG
file, a condition in the catalog's own expression syntax (``when``), an optional tint
(an attribute whose chosen option's swatch colours the layer), a blend mode and an
optional clip (only where the visible layer with that ``id`` is). A text layer draws a
text attribute (or the chosen option's label) in a box or along an arc. The format is
documented in docs/previews.md; ``load_art`` reads it and decodes every file once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from configurator.domain.engine.expr import Expr, ExprSyntaxError, check, parse
from configurator.domain.engine.model import Catalog
from configurator.domain.rendering.errors import ManifestError
from configurator.domain.rendering.loader import load_image_file

BLEND_MODES = ("normal", "multiply", "screen", "overlay", "soft_light")
TEXT_EFFECTS = ("none", "deboss", "shadow")
TEXT_SOURCES = ("value", "option_label")
HEX = re.compile(r"#[0-9a-fA-F]{6}")
IDENT = re.compile(r"[a-z0-9_]+")
FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
FONT_DIR = Path(__file__).resolve().parent / "fonts"
MAX_LAYERS = 400
MANIFEST_MAX_BYTES = 256 * 1024


def hex_colour(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


@dataclass(frozen=True)
class Condition:
    text: str
    expr: Expr


@dataclass(frozen=True)
class ImageLayer:
    index: int
    file: str
    id: str | None = None
    when: Condition | None = None
    tint: str | None = None  # attribute id, or a fixed "#rrggbb"
    fallback: str | None = None  # colour when the tint attribute has no swatch chosen
    blend: str = "normal"
    opacity: float = 1.0
    clip: str | None = None
    tile: bool = False


@dataclass(frozen=True)
class Arc:
    cx: float
    cy: float
    radius: float
    start: float  # degrees, clockwise from 3 o'clock (screen coordinates)
    end: float


@dataclass(frozen=True)
class TextLayer:
    index: int
    attribute: str
    id: str | None = None
    when: Condition | None = None
    source: str = "value"  # "value": the shopper's text; "option_label": the option's label
    box: tuple[float, float, float, float] = (0, 0, 0, 0)  # art px, before rotation
    angle: float = 0.0  # degrees, counter-clockwise, around the box centre
    arc: Arc | None = None
    font: str = "DejaVuSans-Bold"
    size_min: float = 10
    size_max: float = 40
    colour: str = "#222222"
    colour_from: str | None = None  # attribute whose swatch colours the text
    shade: float = 1.0  # multiply the colour_from swatch (<1 darker, >1 towards white)
    effect: str = "none"
    opacity: float = 1.0
    uppercase: bool = False
    lines: int = 1  # at most this many lines, broken at spaces (1 or 2)


Layer = ImageLayer | TextLayer


@dataclass
class Art:
    """A loaded manifest: layers with their decoded images, ready to render."""

    folder: Path
    size: int
    background: str
    layers: tuple[Layer, ...]
    version: str
    images: dict[int, Image.Image] = field(default_factory=dict, repr=False)
    scaled: dict[tuple[int, int], tuple[int, int, Image.Image]] = field(
        default_factory=dict, repr=False
    )
    files: tuple[str, ...] = ()

    def check(self, catalog: Catalog) -> list[str]:
        """Problems of this art against a catalog: unknown attributes, options, kinds."""
        return check_against_catalog(self.layers, catalog)


def _condition(raw: object, where: str, problems: list[str]) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        problems.append(f"{where}: 'when' must be an expression string")
        return None
    try:
        return Condition(raw, parse(raw))
    except ExprSyntaxError as error:
        problems.append(f"{where}: when = {raw!r}: {error.message} at position {error.position}")
        return None


def _number(raw: object, where: str, key: str, problems: list[str], default: float) -> float:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        problems.append(f"{where}: '{key}' must be a number")
        return default
    return float(raw)


def _colour(raw: object, where: str, key: str, problems: list[str]) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not HEX.fullmatch(raw):
        problems.append(f"{where}: '{key}' must be a colour like '#a1b2c3'")
        return None
    return raw


def _ident(raw: object, where: str, key: str, problems: list[str]) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not IDENT.fullmatch(raw):
        problems.append(f"{where}: '{key}' must be an id of [a-z0-9_]")
        return None
    return raw


_IMAGE_KEYS = {"file", "id", "when", "tint", "fallback", "blend", "opacity", "clip", "tile"}
_TEXT_KEYS = {
    "text", "id", "when", "source", "box", "angle", "arc", "font", "size", "colour",
    "colour_from", "shade", "effect", "opacity", "uppercase", "lines",
}  # fmt: skip


def _image_layer(index: int, raw: Mapping[str, Any], where: str, problems: list[str]) -> Layer:
    for key in sorted(set(raw) - _IMAGE_KEYS):
        problems.append(f"{where}: unknown key {key!r}")
    file = raw.get("file")
    if not isinstance(file, str) or not FILE_NAME.fullmatch(file) or ".." in file:
        problems.append(f"{where}: 'file' must be a plain file name in the art folder")
        file = ""
    tint = raw.get("tint")
    known_tint = isinstance(tint, str) and (HEX.fullmatch(tint) or IDENT.fullmatch(tint))
    if tint is not None and not known_tint:
        problems.append(f"{where}: 'tint' must be an attribute id or a colour like '#a1b2c3'")
        tint = None
    blend = raw.get("blend", "normal")
    if blend not in BLEND_MODES:
        problems.append(f"{where}: 'blend' must be one of {', '.join(BLEND_MODES)}")
        blend = "normal"
    opacity = _number(raw.get("opacity"), where, "opacity", problems, 1.0)
    if not 0 <= opacity <= 1:
        problems.append(f"{where}: 'opacity' must be between 0 and 1")
    tile = raw.get("tile", False)
    if not isinstance(tile, bool):
        problems.append(f"{where}: 'tile' must be true or false")
        tile = False
    return ImageLayer(
        index=index,
        file=file,
        id=_ident(raw.get("id"), where, "id", problems),
        when=_condition(raw.get("when"), where, problems),
        tint=tint,
        fallback=_colour(raw.get("fallback"), where, "fallback", problems),
        blend=blend,
        opacity=opacity,
        clip=_ident(raw.get("clip"), where, "clip", problems),
        tile=tile,
    )


def _text_layer(index: int, raw: Mapping[str, Any], where: str, problems: list[str]) -> Layer:
    for key in sorted(set(raw) - _TEXT_KEYS):
        problems.append(f"{where}: unknown key {key!r}")
    attribute = _ident(raw.get("text"), where, "text", problems) or ""
    source = raw.get("source", "value")
    if source not in TEXT_SOURCES:
        problems.append(f"{where}: 'source' must be one of {', '.join(TEXT_SOURCES)}")
        source = "value"
    box: tuple[float, float, float, float] = (0, 0, 0, 0)
    arc: Arc | None = None
    raw_arc = raw.get("arc")
    raw_box = raw.get("box")
    if raw_arc is not None:
        keys = ("cx", "cy", "radius", "start", "end")
        if not isinstance(raw_arc, dict) or any(
            isinstance(raw_arc.get(k), bool) or not isinstance(raw_arc.get(k), int | float)
            for k in keys
        ):
            problems.append(f"{where}: 'arc' needs numbers cx, cy, radius, start, end")
        else:
            arc = Arc(*(float(raw_arc[k]) for k in keys))
            if arc.radius <= 0 or arc.start == arc.end:
                problems.append(f"{where}: 'arc' needs a positive radius and start != end")
        height = raw_arc.get("height") if isinstance(raw_arc, dict) else None
        if isinstance(height, int | float) and not isinstance(height, bool) and height > 0:
            box = (0, 0, 0, float(height))
        else:
            problems.append(f"{where}: 'arc' needs a positive 'height' (room across the arc)")
    elif (
        isinstance(raw_box, list)
        and len(raw_box) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw_box)
        and raw_box[2] > raw_box[0]
        and raw_box[3] > raw_box[1]
    ):
        box = (float(raw_box[0]), float(raw_box[1]), float(raw_box[2]), float(raw_box[3]))
    else:
        problems.append(f"{where}: a text layer needs 'box' = [x0, y0, x1, y1] or an 'arc'")
    size = raw.get("size", [10, 40])
    if (
        not isinstance(size, list)
        or len(size) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in size)
        or not 1 <= size[0] <= size[1]
    ):
        problems.append(f"{where}: 'size' must be [min, max] font sizes in art pixels")
        size = [10, 40]
    font = raw.get("font", "DejaVuSans-Bold")
    if not isinstance(font, str) or not FILE_NAME.fullmatch(font) or not font_path(font).is_file():
        problems.append(f"{where}: unknown font {font!r} (bundled: {', '.join(bundled_fonts())})")
        font = "DejaVuSans-Bold"
    effect = raw.get("effect", "none")
    if effect not in TEXT_EFFECTS:
        problems.append(f"{where}: 'effect' must be one of {', '.join(TEXT_EFFECTS)}")
        effect = "none"
    uppercase = raw.get("uppercase", False)
    if not isinstance(uppercase, bool):
        problems.append(f"{where}: 'uppercase' must be true or false")
        uppercase = False
    lines = raw.get("lines", 1)
    if lines not in (1, 2) or isinstance(lines, bool):
        problems.append(f"{where}: 'lines' must be 1 or 2")
        lines = 1
    return TextLayer(
        index=index,
        attribute=attribute,
        id=_ident(raw.get("id"), where, "id", problems),
        when=_condition(raw.get("when"), where, problems),
        source=source,
        box=box,
        angle=_number(raw.get("angle"), where, "angle", problems, 0.0),
        arc=arc,
        font=font,
        size_min=float(size[0]),
        size_max=float(size[1]),
        colour=_colour(raw.get("colour"), where, "colour", problems) or "#222222",
        colour_from=_ident(raw.get("colour_from"), where, "colour_from", problems),
        shade=_number(raw.get("shade"), where, "shade", problems, 1.0),
        effect=effect,
        opacity=_number(raw.get("opacity"), where, "opacity", problems, 1.0),
        uppercase=uppercase,
        lines=lines,
    )


def font_path(name: str) -> Path:
    return FONT_DIR / f"{name}.ttf"


def bundled_fonts() -> list[str]:
    return sorted(path.stem for path in FONT_DIR.glob("*.ttf"))


def parse_manifest(
    document: Mapping[str, Any], source: str = "manifest"
) -> tuple[int, str, tuple[Layer, ...]]:
    """Check a manifest document; returns (size, background, layers) or raises ManifestError."""
    problems: list[str] = []
    header = document.get("art", {})
    if not isinstance(header, dict):
        raise ManifestError([f"{source}: [art] must be a table"])
    size = header.get("size", 800)
    if isinstance(size, bool) or not isinstance(size, int) or not 64 <= size <= 4096:
        problems.append(f"{source}: [art] size must be a whole number of pixels, 64 to 4096")
        size = 800
    background = _colour(
        header.get("background", "#ffffff"), f"{source} [art]", "background", problems
    )
    raw_layers = document.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        problems.append(f"{source}: needs a non-empty [[layers]] list")
        raw_layers = []
    if len(raw_layers) > MAX_LAYERS:
        problems.append(f"{source}: at most {MAX_LAYERS} layers")
    layers: list[Layer] = []
    for index, raw in enumerate(raw_layers[:MAX_LAYERS]):
        where = f"{source}: layer {index + 1}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table")
            continue
        if "file" in raw and "text" in raw:
            problems.append(f"{where}: a layer has either 'file' or 'text', not both")
            continue
        if "text" in raw:
            layers.append(_text_layer(index, raw, f"{where} (text {raw.get('text')})", problems))
        else:
            layers.append(_image_layer(index, raw, f"{where} ({raw.get('file')})", problems))
    ids: set[str] = set()
    for layer in layers:
        if isinstance(layer, ImageLayer) and layer.clip and layer.clip not in ids:
            problems.append(
                f"{source}: layer {layer.index + 1} ({layer.file}): clip {layer.clip!r} names "
                "no layer id above it in the list"
            )
        if layer.id:
            ids.add(layer.id)
    if problems:
        raise ManifestError(problems)
    return size, background or "#ffffff", tuple(layers)


def check_against_catalog(layers: tuple[Layer, ...], catalog: Catalog) -> list[str]:
    """Problems of the layers against a catalog (unknown attributes, options, kinds)."""
    schema = {
        attribute.id: (attribute.kind, frozenset(option.id for option in attribute.options))
        for attribute in catalog.attributes
    }
    problems: list[str] = []
    for layer in layers:
        name = layer.file if isinstance(layer, ImageLayer) else f"text {layer.attribute}"
        where = f"layer {layer.index + 1} ({name})"
        if layer.when is not None:
            for position, problem in check(layer.when.expr, schema):
                problems.append(f"{where}: when = {layer.when.text!r}: {problem} at {position}")
        tints = []
        if isinstance(layer, ImageLayer) and layer.tint and not layer.tint.startswith("#"):
            tints.append(("tint", layer.tint))
        if isinstance(layer, TextLayer):
            if layer.colour_from:
                tints.append(("colour_from", layer.colour_from))
            kind = schema.get(layer.attribute, ("", frozenset()))[0]
            wanted = "text" if layer.source == "value" else "single"
            if kind != wanted:
                problems.append(f"{where}: 'text' must name a {wanted} attribute")
        for key, attribute in tints:
            if schema.get(attribute, ("", frozenset()))[0] != "single":
                problems.append(f"{where}: {key} {attribute!r} must name a single attribute")
    return problems


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.toml"
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ManifestError([f"{path}: cannot read ({error.strerror or error})"]) from None
    if len(raw) > MANIFEST_MAX_BYTES:
        raise ManifestError([f"{path}: over {MANIFEST_MAX_BYTES} bytes"])
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ManifestError([f"{path}: not valid TOML: {error}"]) from None


def load_layer_image(folder: Path, layer: ImageLayer, size: int) -> Image.Image:
    """Decode one layer file through the safe loader, as LA (tinted) or RGBA, at art size."""
    image = load_image_file(folder / layer.file)
    mode = "LA" if layer.tint else "RGBA"
    if image.mode != mode:
        image = image.convert(mode)
    if layer.tile:
        tiled = Image.new(mode, (size, size))
        for y in range(0, size, image.height):
            for x in range(0, size, image.width):
                tiled.paste(image, (x, y))
        return tiled
    if image.size != (size, size):
        raise ManifestError(
            [f"{layer.file}: is {image.width}x{image.height}, the art is {size}x{size}"]
        )
    return image
