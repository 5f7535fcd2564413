"""Text on previews: bundled fonts, fitting to a box or an arc, drawing with effects.

Fitting happens in art pixels (the manifest's coordinates), so whether a text fits
does not depend on the output size. A text that does not fit at the smallest allowed
size is refused with a PreviewError naming the attribute; it is never cut.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from .errors import PreviewError
from .manifest import TextLayer, font_path

LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=256)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), size=max(1, size), layout_engine=LAYOUT)


def measure(name: str, size: int, text: str) -> tuple[int, int]:
    left, top, right, bottom = font(name, size).getbbox(text, anchor="ls")
    return math.ceil(right - left), math.ceil(bottom - top)


def room(layer: TextLayer) -> tuple[float, float]:
    """Width and height available to the text, in art pixels."""
    if layer.arc is not None:
        length = layer.arc.radius * math.radians(abs(layer.arc.end - layer.arc.start))
        return length, layer.box[3]
    x0, y0, x1, y1 = layer.box
    return x1 - x0, y1 - y0


def fit(layer: TextLayer, text: str, label: str) -> int:
    """The largest font size (art px) from size_max down to size_min at which text fits.

    Each try is at a strictly smaller size than the one before and never below the
    minimum, which is tried last: at most size_max - size_min + 1 measurements.
    """
    width, height = room(layer)
    size = math.floor(layer.size_max)
    smallest = min(math.ceil(layer.size_min), size)
    while True:
        w, h = measure(layer.font, size, text)
        if w <= width and h <= height:
            return size
        if size <= smallest:
            break
        ratio = min(width / w if w else 1.0, height / h if h else 1.0)
        size = max(smallest, min(size - 1, math.floor(size * ratio)))
    raise PreviewError(
        f"{label}: {text!r} is too long to fit on the product, even in the smallest "
        f"lettering; please shorten it",
        attribute=layer.attribute,
    )


def text_mask(name: str, size: int, text: str) -> Image.Image:
    """The text as an L mask, tightly cropped around its ink (plus a small margin)."""
    face = font(name, size)
    left, top, right, bottom = face.getbbox(text, anchor="ls")
    pad = 2 + size // 8
    mask = Image.new("L", (math.ceil(right - left) + 2 * pad, math.ceil(bottom - top) + 2 * pad))
    ImageDraw.Draw(mask).text((pad - left, pad - top), text, fill=255, font=face, anchor="ls")
    return mask


def straight(layer: TextLayer, text: str, size: int, scale: float) -> tuple[int, int, Image.Image]:
    """(x, y, mask) for text centred in its box, rotated by the layer's angle."""
    mask = text_mask(layer.font, max(1, round(size * scale)), text)
    if layer.angle:
        mask = mask.rotate(layer.angle, resample=Image.Resampling.BICUBIC, expand=True)
    x0, y0, x1, y1 = layer.box
    cx, cy = (x0 + x1) / 2 * scale, (y0 + y1) / 2 * scale
    return round(cx - mask.width / 2), round(cy - mask.height / 2), mask


def along_arc(layer: TextLayer, text: str, size: int, scale: float) -> tuple[int, int, Image.Image]:
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
