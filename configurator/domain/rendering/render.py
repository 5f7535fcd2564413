"""Configuration -> picture: composite the art's layers for a shopper's choices.

Layers are decoded once per process (``load_art``), cropped to what they cover and
resized once per output size; a render is then only tinting (a lookup table per
channel), compositing the visible layers and drawing the texts. Nothing here is
random: the same art, catalog and choices give the same pixels.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from PIL import Image, ImageChops, ImageDraw, ImageFont

from configurator.domain.engine.expr import Value, evaluate
from configurator.domain.engine.loader import parse_catalog
from configurator.domain.engine.model import Catalog
from configurator.domain.rendering import text as texts
from configurator.domain.rendering.errors import ArtError, ManifestError, PreviewError
from configurator.domain.rendering.keys import art_version
from configurator.domain.rendering.manifest import (
    Art,
    ImageLayer,
    TextLayer,
    hex_colour,
    load_layer_image,
    parse_manifest,
    read_manifest,
)

NEUTRAL = 184  # the luminance the art draws a flat lit surface with; maps to the swatch
CARD_SIZE = (1200, 630)
CARD_ART = 600
SIZES: dict[str, int] = {"800": 800, "300": 300, "card": CARD_ART}
DEFAULT_GREY = "#b8b8b8"

# A folder's art, or why it does not load: a broken layer is reported by every call
# without decoding the whole folder again for each one.
_art_cache: dict[Path, Art | ArtError] = {}
_art_lock = threading.Lock()


def load_art(folder: str | Path, *, sizes: tuple[int, ...] = (800, 300, CARD_ART)) -> Art:
    """Read a manifest and decode every layer (through the safe loader), pre-resized."""
    folder = Path(folder)
    size, background, layers = parse_manifest(read_manifest(folder), str(folder / "manifest.toml"))
    art = Art(folder=folder, size=size, background=background, layers=layers, version="")
    problems: list[str] = []
    for layer in layers:
        if isinstance(layer, ImageLayer):
            try:
                art.images[layer.index] = load_layer_image(folder, layer, size)
            except PreviewError as error:
                problems.append(f"layer {layer.index + 1}: {error.message}")
    if problems:
        raise ManifestError(problems)
    art.files = tuple(sorted({layer.file for layer in layers if isinstance(layer, ImageLayer)}))
    art.version = art_version(folder)
    for px in sizes:
        for index in art.images:
            _scaled(art, index, px)
    return art


def art_for(folder: str | Path) -> Art:
    """The loaded art of a folder, loaded once per process and kept. Raises ArtError
    (the same one each time) when it does not load."""
    key = Path(folder).resolve()
    with _art_lock:
        art = _art_cache.get(key)
        if art is None:
            try:
                art = load_art(key)
            except ArtError as error:
                art = error
            _art_cache[key] = art
    if isinstance(art, ArtError):
        raise art
    return art


def art_problems(folder: str | Path, catalog: Catalog) -> list[str]:
    """Why the art in ``folder`` cannot draw ``catalog``: files that do not load, a bad
    manifest, layers naming what the catalog does not have. Empty when it can."""
    try:
        art = load_art(folder, sizes=())
    except ManifestError as error:
        return [f"art: {problem}" for problem in error.problems]
    return [f"art: {problem}" for problem in art.check(catalog)]


def _scaled(art: Art, index: int, px: int) -> tuple[int, int, Image.Image]:
    """The layer at ``px`` output pixels, cropped to its visible part: (x, y, image)."""
    found = art.scaled.get((index, px))
    if found is not None:
        return found
    image = art.images[index]
    if px != art.size:
        image = image.resize((px, px), Image.Resampling.LANCZOS)
    box = image.getchannel("A").getbbox() or (0, 0, 1, 1)
    found = (box[0], box[1], image.crop(box))
    art.scaled[(index, px)] = found
    return found


# --- tint ---------------------------------------------------------------------------

_lut_cache: dict[tuple[int, int, int], list[int]] = {}
_TINTED_MAX = 192
_tinted: LRUCache[tuple[int, int, int, str, int, int, int], Image.Image] = LRUCache(_TINTED_MAX)
_tint_lock = threading.Lock()


def tint_lut(rgb: tuple[int, int, int]) -> list[int]:
    """One 768-entry LUT for Image.point on an "L" band merged three times.

    Neutral luminance maps to the swatch, darker towards black, lighter towards white,
    so a dark swatch keeps its highlights and a light one keeps its shadows.
    """
    lut = _lut_cache.get(rgb)
    if lut is None:
        lut = []
        for c in rgb:
            for v in range(256):
                if v <= NEUTRAL:
                    lut.append(round(c * v / NEUTRAL))
                else:
                    lut.append(round(c + (255 - c) * (v - NEUTRAL) / (255 - NEUTRAL)))
        _lut_cache[rgb] = lut
    return lut


def _tint(
    art_id: int, index: int, px: int, image: Image.Image, rgb: tuple[int, int, int]
) -> Image.Image:
    key = (art_id, index, px, "tint", *rgb)
    with _tint_lock:
        found = _tinted.get(key)
        if found is not None:
            return found
    lum = image.getchannel("L")
    rgb_image = Image.merge("RGB", (lum, lum, lum)).point(tint_lut(rgb))
    with _tint_lock:
        _tinted[key] = rgb_image
    return rgb_image


# --- choices ------------------------------------------------------------------------


def _values(choices: Mapping[str, Any]) -> dict[str, Value]:
    """Canonical JSON choices -> the engine's values (list -> frozenset, number -> Decimal)."""
    values: dict[str, Value] = {}
    for key, value in choices.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            values[key] = frozenset(str(item) for item in value)
        elif isinstance(value, bool):
            raise PreviewError(f"choice {key!r}: a boolean is not a valid value", attribute=key)
        elif isinstance(value, int | float | Decimal):
            values[key] = Decimal(str(value))
        elif isinstance(value, str):
            values[key] = value
        else:
            raise PreviewError(f"choice {key!r}: unsupported value {value!r}", attribute=key)
    return values


def _swatch(catalog: Catalog, attribute_id: str, values: Mapping[str, Value]) -> str | None:
    chosen = values.get(attribute_id)
    attribute = catalog.attribute(attribute_id)
    if attribute is None or not isinstance(chosen, str):
        return None
    option = attribute.option(chosen)
    return option.swatch if option is not None else None


def _layer_colour(layer: ImageLayer, catalog: Catalog, values: Mapping[str, Value]) -> str:
    assert layer.tint is not None
    if layer.tint.startswith("#"):
        return layer.tint
    return _swatch(catalog, layer.tint, values) or layer.fallback or DEFAULT_GREY


def _text_colour(
    layer: TextLayer, catalog: Catalog, values: Mapping[str, Value]
) -> tuple[int, int, int]:
    swatch = _swatch(catalog, layer.colour_from, values) if layer.colour_from else None
    if swatch is None:
        return hex_colour(layer.colour)
    rgb = hex_colour(swatch)
    if layer.shade <= 1:
        return tuple(round(c * layer.shade) for c in rgb)  # type: ignore[return-value]
    lift = min(1.0, layer.shade - 1)
    return tuple(round(c + (255 - c) * lift) for c in rgb)  # type: ignore[return-value]


# --- compositing --------------------------------------------------------------------

_BLENDS = {
    "multiply": ImageChops.multiply,
    "screen": ImageChops.screen,
    "overlay": ImageChops.overlay,
    "soft_light": ImageChops.soft_light,
}


def _opacity(alpha: Image.Image, opacity: float) -> Image.Image:
    if opacity >= 1:
        return alpha
    return alpha.point([round(v * opacity) for v in range(256)])


def _clip(
    x: int, y: int, alpha: Image.Image, clip: tuple[int, int, Image.Image]
) -> tuple[int, int, Image.Image] | None:
    """``alpha`` (at x, y) kept only where the clip layer is, cropped to their overlap."""
    cx, cy, clip_alpha = clip
    left, top = max(x, cx), max(y, cy)
    right = min(x + alpha.width, cx + clip_alpha.width)
    bottom = min(y + alpha.height, cy + clip_alpha.height)
    if right <= left or bottom <= top:
        return None
    own = alpha.crop((left - x, top - y, right - x, bottom - y))
    other = clip_alpha.crop((left - cx, top - cy, right - cx, bottom - cy))
    return left, top, ImageChops.multiply(own, other)


def _paint(
    canvas: Image.Image, x: int, y: int, rgb: Image.Image, alpha: Image.Image, blend: str
) -> None:
    box = (x, y, x + alpha.width, y + alpha.height)
    if blend == "normal":
        canvas.paste(rgb, box, alpha)
        return
    region = canvas.crop(box)
    mixed = _BLENDS[blend](region, rgb)
    canvas.paste(mixed, box, alpha)


def _layer_text(
    layer: TextLayer, catalog: Catalog, values: Mapping[str, Value]
) -> tuple[str, str] | None:
    """(the text as drawn, the attribute's label) of a text layer, or None: nothing to draw."""
    raw = values.get(layer.attribute)
    attribute = catalog.attribute(layer.attribute)
    label = attribute.label if attribute is not None else layer.attribute
    if layer.source == "option_label":
        option = attribute.option(raw) if attribute is not None and isinstance(raw, str) else None
        raw = option.label if option is not None else None
    if not isinstance(raw, str) or not raw.strip():
        return None
    return (raw.upper() if layer.uppercase else raw), label


def _draw_text(
    canvas: Image.Image,
    layer: TextLayer,
    catalog: Catalog,
    values: Mapping[str, Value],
    scale: float,
    offset: tuple[int, int],
) -> None:
    shown = _layer_text(layer, catalog, values)
    if shown is None:
        return
    size, lines = texts.layout(layer, *shown)
    if layer.arc is not None:
        x, y, mask = texts.along_arc(layer, lines, size, scale)
    else:
        x, y, mask = texts.straight(layer, lines, size, scale)
    x, y = x + offset[0], y + offset[1]
    mask = _opacity(mask, layer.opacity)
    colour = _text_colour(layer, catalog, values)
    nudge = max(1, round(1.2 * scale))
    if layer.effect == "deboss":
        canvas.paste((255, 255, 255), (x + nudge, y + nudge), _opacity(mask, 0.45))
        canvas.paste((0, 0, 0), (x - nudge // 2 - 0, y - nudge // 2 - 0), _opacity(mask, 0.25))
    elif layer.effect == "shadow":
        canvas.paste((0, 0, 0), (x + nudge, y + nudge), _opacity(mask, 0.35))
    canvas.paste(colour, (x, y), mask)


def _catalog(catalog: Catalog | Mapping[str, Any]) -> Catalog:
    if isinstance(catalog, Catalog):
        return catalog
    return parse_catalog(dict(catalog), "catalog")


def compose(art: Art, catalog: Catalog, values: Mapping[str, Value], px: int) -> Image.Image:
    """The product picture, ``px`` x ``px``, RGB on the art's background."""
    canvas = Image.new("RGB", (px, px), hex_colour(art.background))
    scale = px / art.size
    visible: dict[str, tuple[int, int, Image.Image]] = {}
    for layer in art.layers:
        if layer.when is not None and not evaluate(layer.when.expr, values):
            continue
        if isinstance(layer, TextLayer):
            _draw_text(canvas, layer, catalog, values, scale, (0, 0))
            continue
        x, y, image = _scaled(art, layer.index, px)
        alpha = _opacity(image.getchannel("A"), layer.opacity)
        if layer.clip is not None:
            target = visible.get(layer.clip)
            clipped = _clip(x, y, alpha, target) if target is not None else None
            if clipped is None:
                continue
            nx, ny, alpha = clipped
        else:
            nx, ny = x, y
        if layer.tint is not None:
            rgb = _tint(
                id(art), layer.index, px, image, hex_colour(_layer_colour(layer, catalog, values))
            )
        else:
            rgb = image.convert("RGB")
        if (nx, ny) != (x, y) or rgb.size != alpha.size:
            rgb = rgb.crop((nx - x, ny - y, nx - x + alpha.width, ny - y + alpha.height))
        _paint(canvas, nx, ny, rgb, alpha, layer.blend)
        if layer.id is not None:
            visible[layer.id] = (nx, ny, alpha)
    return canvas


def _card(
    art: Art, catalog: Catalog, picture: Image.Image, title: str, price: str | None
) -> Image.Image:
    card = Image.new("RGB", CARD_SIZE, hex_colour(art.background))
    margin = (CARD_SIZE[1] - CARD_ART) // 2
    card.paste(picture, (margin + 10, margin))
    draw = ImageDraw.Draw(card)
    left, right = CARD_ART + 70, CARD_SIZE[0] - 60
    width = right - left
    draw.line([(left - 30, 90), (left - 30, CARD_SIZE[1] - 90)], fill=(214, 208, 198), width=2)
    lines = _wrap_title(title, width)
    size, rows = lines
    face = texts.font("DejaVuSans-Bold", size)
    y = 170 if len(rows) == 1 else 130
    for row in rows:
        draw.text((left, y), row, font=face, fill=(34, 30, 28), anchor="ls")
        y += round(size * 1.2)
    if price:
        price_font = texts.font("DejaVuSans", 44)
        draw.text((left, y + 50), price, font=price_font, fill=(150, 62, 38), anchor="ls")
    small = texts.font("DejaVuSans", 22)
    draw.text(
        (left, CARD_SIZE[1] - 80),
        "Made to order \u00b7 Atelier",
        font=small,
        fill=(120, 112, 104),
        anchor="ls",
    )
    del catalog
    return card


TITLE_SIZES = range(56, 23, -2)
TITLE_LINES = 3
ELLIPSIS = "\u2026"


def _rows(face: ImageFont.FreeTypeFont, words: list[str], width: int) -> list[str]:
    """Words set greedily on rows of at most ``width`` px; a word wider than a row is
    split between characters."""
    rows: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if face.getlength(trial) <= width:
            current = trial
            continue
        if current:
            rows.append(current)
        current = ""
        for char in word:
            if current and face.getlength(current + char) > width:
                rows.append(current)
                current = ""
            current += char
    rows.append(current)
    return rows


def _wrap_title(title: str, width: int) -> tuple[int, list[str]]:
    """The largest size (56 down to 24) at which the title fits on at most three lines;
    at the smallest size, a title longer than that ends its third line with an ellipsis.
    The card is ours, so it never refuses: any product name gets a card."""
    words = title.split() or [title]
    for size in TITLE_SIZES:
        face = texts.font("DejaVuSans-Bold", size)
        rows = _rows(face, words, width)
        if len(rows) <= TITLE_LINES:
            return size, rows
    rows = rows[:TITLE_LINES]
    last = rows[-1]
    while last and face.getlength(last.rstrip() + ELLIPSIS) > width:
        last = last[:-1]
    rows[-1] = last.rstrip() + ELLIPSIS
    return size, rows


def check_texts(art: Art, catalog: Catalog | Mapping[str, Any], choices: Mapping[str, Any]) -> None:
    """Raise TextDoesNotFit for the first text of ``choices`` that ``render`` would
    refuse, having only measured the texts (nothing is drawn)."""
    model = _catalog(catalog)
    values = _values(choices)
    for layer in art.layers:
        if not isinstance(layer, TextLayer):
            continue
        if layer.when is not None and not evaluate(layer.when.expr, values):
            continue
        shown = _layer_text(layer, model, values)
        if shown is not None:
            texts.layout(layer, *shown)


def render(
    art: Art | str | Path,
    catalog: Catalog | Mapping[str, Any],
    choices: Mapping[str, Any],
    size: str = "800",
    *,
    title: str | None = None,
    price: str | None = None,
) -> Image.Image:
    """Draw one configuration.

    ``art``: a loaded Art (``load_art``/``art_for``) or its folder. ``catalog``: the
    engine's Catalog or the catalog document. ``choices``: canonical choices (single:
    option id, multi: list of ids, text: str, number: number; missing = unset).
    ``size``: "800" (live preview), "300" (thumbnail) or "card" (1200x630 share card
    with ``title``, default the catalog's name, and ``price``, already formatted).
    Raises TextDoesNotFit (with ``attribute`` set) when a text does not fit, ArtError
    when the art does not load.
    """
    if size not in SIZES:
        raise PreviewError(f"unknown preview size {size!r}; use one of {', '.join(SIZES)}")
    if not isinstance(art, Art):
        art = art_for(art)
    model = _catalog(catalog)
    values = _values(choices)
    picture = compose(art, model, values, SIZES[size])
    if size == "card":
        return _card(art, model, picture, title or model.name, price)
    return picture
