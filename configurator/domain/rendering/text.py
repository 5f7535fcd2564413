"""Text on previews: bundled fonts, fitting to a box or an arc, drawing with effects.

Fitting happens in art pixels (the manifest's coordinates), so whether a text fits
does not depend on the output size. A text that does not fit at the smallest allowed
size is refused with a TextDoesNotFit naming the attribute; it is never cut.
"""

from __future__ import annotations

import math
import struct
import unicodedata
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from configurator.domain.rendering.errors import TextDoesNotFit
from configurator.domain.rendering.manifest import TextLayer, font_path

LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
LEADING = 1.0  # baseline to baseline, in units of the font's ascent + descent


@lru_cache(maxsize=256)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), size=max(1, size), layout_engine=LAYOUT)


def measure(name: str, size: int, text: str) -> tuple[int, int]:
    left, top, right, bottom = font(name, size).getbbox(text, anchor="ls")
    return math.ceil(right - left), math.ceil(bottom - top)


def line_pitch(name: str, size: int) -> int:
    """Distance between the baselines of two lines of text."""
    ascent, descent = font(name, size).getmetrics()
    return max(1, round((ascent + descent) * LEADING))


def _block_box(name: str, size: int, lines: tuple[str, ...]) -> tuple[float, float, float, float]:
    """Ink box of lines centred on x = 0, the first baseline at y = 0."""
    face = font(name, size)
    pitch = line_pitch(name, size)
    boxes = []
    for row, line in enumerate(lines):
        left, top, right, bottom = face.getbbox(line, anchor="ms")
        boxes.append((left, top + row * pitch, right, bottom + row * pitch))
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def measure_lines(name: str, size: int, lines: tuple[str, ...]) -> tuple[int, int]:
    """Width and height of the ink of lines set one under the other, centred."""
    if len(lines) == 1:
        return measure(name, size, lines[0])
    left, top, right, bottom = _block_box(name, size, lines)
    return math.ceil(right - left), math.ceil(bottom - top)


def room(layer: TextLayer) -> tuple[float, float]:
    """Width and height available to the text, in art pixels."""
    if layer.arc is not None:
        length = layer.arc.radius * math.radians(abs(layer.arc.end - layer.arc.start))
        return length, layer.box[3]
    x0, y0, x1, y1 = layer.box
    return x1 - x0, y1 - y0


# --- glyph coverage -----------------------------------------------------------------


@lru_cache(maxsize=16)
def covered(name: str) -> frozenset[int]:
    """The code points the bundled font has a glyph for (its Unicode cmap subtable)."""
    data = font_path(name).read_bytes()
    (tables,) = struct.unpack_from(">H", data, 4)
    cmap = next(
        (
            offset
            for tag, _, offset, _ in (
                struct.unpack_from(">4sIII", data, 12 + 16 * i) for i in range(tables)
            )
            if tag == b"cmap"
        ),
        None,
    )
    if cmap is None:
        return frozenset()
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    subtables = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        subtables[platform, encoding] = cmap + offset
    for key in ((3, 10), (0, 4), (3, 1), (0, 3)):
        if key in subtables:
            return _read_cmap(data, subtables[key])
    return frozenset()


def _read_cmap(data: bytes, at: int) -> frozenset[int]:
    (fmt,) = struct.unpack_from(">H", data, at)
    points: set[int] = set()
    if fmt == 12:
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for g in range(groups):
            first, last, _ = struct.unpack_from(">III", data, at + 16 + 12 * g)
            points.update(range(first, last + 1))
    elif fmt == 4:
        (doubled,) = struct.unpack_from(">H", data, at + 6)
        n = doubled // 2
        ends = struct.unpack_from(f">{n}H", data, at + 14)
        starts = struct.unpack_from(f">{n}H", data, at + 16 + 2 * n)
        deltas = struct.unpack_from(f">{n}h", data, at + 16 + 4 * n)
        ranges_at = at + 16 + 6 * n
        offsets = struct.unpack_from(f">{n}H", data, ranges_at)
        for k in range(n):
            for code in range(starts[k], ends[k] + 1):
                if code == 0xFFFF:
                    continue
                if offsets[k] == 0:
                    glyph = (code + deltas[k]) & 0xFFFF
                else:
                    where = ranges_at + 2 * k + offsets[k] + 2 * (code - starts[k])
                    (glyph,) = struct.unpack_from(">H", data, where)
                    glyph = (glyph + deltas[k]) & 0xFFFF if glyph else 0
                if glyph:
                    points.add(code)
    return frozenset(points)


def missing_glyphs(name: str, text: str) -> list[str]:
    """Characters of text the font would draw as an empty box (format characters such as
    joiners excepted: shaping uses them, they have no ink of their own)."""
    have = covered(name)
    return [
        char
        for char in dict.fromkeys(text)
        if ord(char) not in have and unicodedata.category(char) != "Cf"
    ]


# --- fitting ------------------------------------------------------------------------


def _splits(text: str, lines: int) -> list[tuple[str, ...]]:
    """The ways to set text on 1..lines lines, breaking only at spaces."""
    words = text.split()
    found: list[tuple[str, ...]] = [(text.strip(),)]
    if lines >= 2 and len(words) > 1:
        found += [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
    return found


def _largest(
    layer: TextLayer, candidates: list[tuple[str, ...]]
) -> tuple[int, tuple[str, ...]] | None:
    """The largest size from size_max down to size_min at which one of the candidate
    layouts fits, with that layout; None when none fits even at the minimum.

    Each try is at a strictly smaller size than the one before and never below the
    minimum, which is tried last: at most size_max - size_min + 1 sizes.
    """
    width, height = room(layer)
    size = math.floor(layer.size_max)
    smallest = min(math.ceil(layer.size_min), size)
    while True:
        best_ratio = 0.0
        for lines in candidates:
            w, h = measure_lines(layer.font, size, lines)
            if w <= width and h <= height:
                return size, lines
            best_ratio = max(best_ratio, min(width / w if w else 1.0, height / h if h else 1.0))
        if size <= smallest:
            return None
        size = max(smallest, min(size - 1, math.floor(size * best_ratio)))


def layout(layer: TextLayer, text: str, label: str) -> tuple[int, tuple[str, ...]]:
    """The font size (art px) and lines to draw text with: the largest size from size_max
    down to size_min at which it fits on one line, or, where the layer allows two lines,
    on two lines broken at a space when that is clearly larger (a third or more).

    Raises TextDoesNotFit naming the attribute when a character has no glyph in the font
    or the text does not fit even at the minimum size.
    """
    missing = missing_glyphs(layer.font, text)
    if missing:
        shown = " ".join(missing[:5])
        raise TextDoesNotFit(
            f"{label}: the lettering has no {shown} "
            f"(U+{ord(missing[0]):04X}); please use other characters",
            attribute=layer.attribute,
        )
    candidates = _splits(text, layer.lines)
    single = _largest(layer, candidates[:1])
    double = _largest(layer, candidates[1:]) if len(candidates) > 1 else None
    if double is not None and (single is None or double[0] >= single[0] * 4 / 3):
        return double
    if single is not None:
        return single
    raise TextDoesNotFit(
        f"{label}: {text!r} is too long to fit on the product, even in the smallest "
        f"lettering; please shorten it",
        attribute=layer.attribute,
    )


def fit(layer: TextLayer, text: str, label: str) -> int:
    """The font size (art px) ``layout`` draws text with."""
    return layout(layer, text, label)[0]


def text_mask(name: str, size: int, text: str | tuple[str, ...]) -> Image.Image:
    """The text as an L mask, tightly cropped around its ink (plus a small margin).
    Several lines are centred one under the other."""
    lines = (text,) if isinstance(text, str) else text
    face = font(name, size)
    pad = 2 + size // 8
    if len(lines) == 1:
        left, top, right, bottom = face.getbbox(lines[0], anchor="ls")
        mask = Image.new(
            "L", (math.ceil(right - left) + 2 * pad, math.ceil(bottom - top) + 2 * pad)
        )
        ImageDraw.Draw(mask).text(
            (pad - left, pad - top), lines[0], fill=255, font=face, anchor="ls"
        )
        return mask
    left, top, right, bottom = _block_box(name, size, lines)
    mask = Image.new("L", (math.ceil(right - left) + 2 * pad, math.ceil(bottom - top) + 2 * pad))
    draw = ImageDraw.Draw(mask)
    pitch = line_pitch(name, size)
    for row, line in enumerate(lines):
        draw.text((pad - left, pad - top + row * pitch), line, fill=255, font=face, anchor="ms")
    return mask


def straight(
    layer: TextLayer, text: str | tuple[str, ...], size: int, scale: float
) -> tuple[int, int, Image.Image]:
    """(x, y, mask) for text centred in its box, rotated by the layer's angle."""
    mask = text_mask(layer.font, max(1, round(size * scale)), text)
    if layer.angle:
        mask = mask.rotate(layer.angle, resample=Image.Resampling.BICUBIC, expand=True)
    x0, y0, x1, y1 = layer.box
    cx, cy = (x0 + x1) / 2 * scale, (y0 + y1) / 2 * scale
    return round(cx - mask.width / 2), round(cy - mask.height / 2), mask


def along_arc(
    layer: TextLayer, text: str | tuple[str, ...], size: int, scale: float
) -> tuple[int, int, Image.Image]:
    """(x, y, mask) for text bent along the layer's arc, centred on the arc's middle.

    The text is shaped once as a straight line (so kerning and shaping are kept) and
    then cut into narrow vertical strips, each turned to follow the arc.
    """
    arc = layer.arc
    assert arc is not None
    flat = text_mask(layer.font, max(1, round(size * scale)), text)
    radius = arc.radius * scale
    direction = 1.0 if arc.end > arc.start else -1.0
    middle = math.radians((arc.start + arc.end) / 2)
    span = math.ceil(flat.width / 2 + flat.height) + 2
    cx, cy = arc.cx * scale, arc.cy * scale
    # the box of the bent text: around the arc's middle point, generous
    mx, my = cx + radius * math.cos(middle), cy + radius * math.sin(middle)
    left, top = math.floor(mx - span), math.floor(my - span)
    out = Image.new("L", (2 * span, 2 * span))
    strip = max(2, round(2 * scale))
    for u0 in range(0, flat.width, strip):
        u1 = min(flat.width, u0 + strip + 1)
        piece = flat.crop((u0, 0, u1, flat.height))
        along = ((u0 + u1) / 2 - flat.width / 2) / radius
        theta = middle + direction * along
        tx, ty = -math.sin(theta) * direction, math.cos(theta) * direction
        turned = piece.rotate(
            -math.degrees(math.atan2(ty, tx)), resample=Image.Resampling.BICUBIC, expand=True
        )
        px = cx + radius * math.cos(theta) - left
        py = cy + radius * math.sin(theta) - top
        x, y = round(px - turned.width / 2), round(py - turned.height / 2)
        region = (x, y, x + turned.width, y + turned.height)
        out.paste(ImageChops.lighter(out.crop(region), turned), region[:2])
    return left, top, out
