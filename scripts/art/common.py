"""Drawing helpers for the baked preview art (offline only; never used per request).

Everything is drawn on a canvas SS times larger than the 800 px art, in art
coordinates multiplied by SS, and brought down once with LANCZOS. Colour parts are
saved as luminance + alpha ("LA"): 184 is the neutral tone that the renderer maps to
the catalog swatch, darker is shadow, lighter is highlight. Everything random is
drawn from ``random.Random(seed)`` so a rerun writes identical files.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageMath

SIZE = 800
SS = 3
BIG = SIZE * SS
NEUTRAL = 184

Point = tuple[float, float]


def S(value: float) -> float:
    return value * SS


def pts(points: Iterable[Point]) -> list[Point]:
    return [(x * SS, y * SS) for x, y in points]


def canvas(fill: int = 0) -> Image.Image:
    return Image.new("L", (BIG, BIG), fill)


def polygon(
    points: Sequence[Point], fill: int = 255, base: Image.Image | None = None
) -> Image.Image:
    mask = base if base is not None else canvas()
    ImageDraw.Draw(mask).polygon(pts(points), fill=fill)
    return mask


def ellipse(box: Sequence[float], fill: int = 255, base: Image.Image | None = None) -> Image.Image:
    mask = base if base is not None else canvas()
    ImageDraw.Draw(mask).ellipse([v * SS for v in box], fill=fill)
    return mask


def catmull(points: Sequence[Point], closed: bool = True, steps: int = 16) -> list[Point]:
    """A smooth curve through the points (Catmull-Rom), as a dense polyline."""
    out: list[Point] = []
    n = len(points)
    count = n if closed else n - 1
    for i in range(count):
        p0 = points[(i - 1) % n] if closed or i > 0 else points[0]
        p1 = points[i]
        p2 = points[(i + 1) % n]
        p3 = points[(i + 2) % n] if closed or i + 2 < n else points[-1]
        for step in range(steps):
            t = step / steps
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                    )
                    for k in (0, 1)
                )
            )
    if not closed:
        out.append(points[-1])
    return out


def smooth_shape(points: Sequence[Point]) -> Image.Image:
    return polygon(catmull(points))


def line(
    points: Sequence[Point], width: float, fill: int = 255, base: Image.Image | None = None
) -> Image.Image:
    mask = base if base is not None else canvas()
    draw = ImageDraw.Draw(mask)
    scaled = pts(points)
    draw.line(scaled, fill=fill, width=max(1, round(width * SS)), joint="curve")
    r = width * SS / 2
    for x, y in (scaled[0], scaled[-1]):
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
    return mask


def dashed(
    points: Sequence[Point],
    width: float,
    dash: float,
    gap: float,
    base: Image.Image,
    fill: int = 255,
) -> Image.Image:
    """Stitching: dashes along a polyline."""
    draw = ImageDraw.Draw(base)
    scaled = pts(points)
    on, left = True, dash * SS
    for (x0, y0), (x1, y1) in zip(scaled, scaled[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < length:
            step = min(left, length - pos)
            if on:
                a = pos / length
                b = (pos + step) / length
                draw.line(
                    [
                        (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                        (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                    ],
                    fill=fill,
                    width=max(1, round(width * SS)),
                )
            pos += step
            left -= step
            if left <= 1e-6:
                on = not on
                left = (dash if on else gap) * SS
    return base


def blur(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius * SS))


def shift(image: Image.Image, dx: float, dy: float) -> Image.Image:
    """Move an image by (dx, dy) art pixels, filling with black (no wrap-around)."""
    out = Image.new(image.mode, image.size, 0)
    out.paste(image, (round(dx * SS), round(dy * SS)))
    return out


def intersect(a: Image.Image, b: Image.Image) -> Image.Image:
    return ImageChops.multiply(a, b)


def union(a: Image.Image, b: Image.Image) -> Image.Image:
    return ImageChops.lighter(a, b)


def subtract(a: Image.Image, b: Image.Image) -> Image.Image:
    return ImageChops.subtract(a, b)


def bevel(mask: Image.Image, radius: float, light: Point = (-0.6, -0.8)) -> Image.Image:
    """Relief of a shape lit from ``light``: 128 flat, brighter facing the light.

    The shape is treated as a height field (its blurred mask); the result is the
    directional derivative, so edges facing the light brighten and the far ones darken.
    """
    height = blur(mask, radius)
    d = max(1.0, radius / 3)
    ahead = shift(height, light[0] * d, light[1] * d)
    behind = shift(height, -light[0] * d, -light[1] * d)
    return ImageChops.subtract(behind, ahead, scale=2.0, offset=128)


def tone(parts: dict[str, Image.Image], expr: Callable[[dict[str, object]], object]) -> Image.Image:
    """Per-pixel arithmetic on L images (ImageMath), clipped to 0..255."""
    result = ImageMath.lambda_eval(lambda a: expr(a), **parts)
    return result.convert("L") if result.mode != "L" else result


def linear_gradient(p0: Point, p1: Point, v0: int, v1: int) -> Image.Image:
    """A linear ramp from v0 at p0 to v1 at p1 (art coordinates)."""
    small = 200
    scale = BIG / small
    ramp = Image.new("L", (small, small))
    x0, y0 = p0[0] * SS / scale, p0[1] * SS / scale
    dx, dy = (p1[0] - p0[0]) * SS / scale, (p1[1] - p0[1]) * SS / scale
    length2 = dx * dx + dy * dy or 1.0
    data = []
    for y in range(small):
        for x in range(small):
            t = ((x - x0) * dx + (y - y0) * dy) / length2
            t = 0.0 if t < 0 else 1.0 if t > 1 else t
            data.append(round(v0 + (v1 - v0) * t))
    ramp.putdata(data)
    return ramp.resize((BIG, BIG), Image.Resampling.BILINEAR)


def radial_gradient(
    centre: Point, radius: float, v0: int, v1: int, squash: float = 1.0
) -> Image.Image:
    small = 200
    scale = BIG / small
    cx, cy = centre[0] * SS / scale, centre[1] * SS / scale
    r = radius * SS / scale
    ramp = Image.new("L", (small, small))
    data = []
    for y in range(small):
        for x in range(small):
            t = math.hypot(x - cx, (y - cy) / squash) / r
            t = min(1.0, t)
            data.append(round(v0 + (v1 - v0) * t))
    ramp.putdata(data)
    return ramp.resize((BIG, BIG), Image.Resampling.BILINEAR)


def wrap_resize(small: Image.Image, size: int) -> Image.Image:
    """``small`` (square) enlarged to ``size`` with BICUBIC as if it repeated on every side,
    so the result tiles without a seam (``size`` a multiple of small's side)."""
    n = small.width
    assert small.height == n and size % n == 0, (n, size)
    k = size // n
    pad = 3  # BICUBIC reads two cells either side when enlarging
    padded = Image.new(small.mode, (n + 2 * pad, n + 2 * pad))
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            padded.paste(small, (pad + dx * n, pad + dy * n))
    big = padded.resize(((n + 2 * pad) * k, (n + 2 * pad) * k), Image.Resampling.BICUBIC)
    return big.crop((pad * k, pad * k, (pad + n) * k, (pad + n) * k))


def _cells(size: int, cell_px: float) -> int:
    """The number of noise cells across ``size``: a divisor of size near size / cell."""
    target = max(2.0, size / cell_px)
    divisors = [d for d in range(2, size + 1) if size % d == 0]
    return min(divisors, key=lambda d: (abs(math.log(d / target)), d))


def noise(seed: str, cell: float, size: int = BIG) -> Image.Image:
    """Smooth value noise around 128: random values every ``cell`` art px, interpolated.

    The noise wraps around (its right edge continues its left, its bottom its top), so a
    small texture made of it repeats without a visible grid.
    """
    rng = random.Random(seed)
    n = _cells(size, cell * SS)
    small = Image.frombytes("L", (n, n), rng.randbytes(n * n))
    return wrap_resize(small, size)


def fine_noise(seed: str, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def level(image: Image.Image, lo: int, hi: int) -> Image.Image:
    """Map 0..255 linearly onto lo..hi."""
    return image.point([round(lo + (hi - lo) * v / 255) for v in range(256)])


def scale_alpha(mask: Image.Image, factor: float) -> Image.Image:
    return mask.point([min(255, round(v * factor)) for v in range(256)])


def down(image: Image.Image) -> Image.Image:
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def save_la(path: Path, lum: Image.Image, alpha: Image.Image) -> None:
    """Save a tintable layer: luminance + alpha, brought down to 800 px."""
    layer = Image.merge("LA", (lum, alpha))
    layer = down(layer)
    path.parent.mkdir(parents=True, exist_ok=True)
    layer.save(path, optimize=True)


def save_rgba(path: Path, rgb: Image.Image, alpha: Image.Image) -> None:
    """Save a full-colour layer, brought down to 800 px."""
    layer = rgb.convert("RGB")
    layer.putalpha(alpha)
    layer = down(layer)
    path.parent.mkdir(parents=True, exist_ok=True)
    layer.save(path, optimize=True)


def save_tile(path: Path, image: Image.Image) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)


def flat(value: int) -> Image.Image:
    return canvas(value)


def colour_image(
    rgb: tuple[int, int, int], shade: Image.Image, neutral: int = NEUTRAL
) -> Image.Image:
    """A full-colour image: ``rgb`` where shade is neutral, darker below, lighter above."""
    bands = []
    for c in rgb:
        lut = []
        for v in range(256):
            if v <= neutral:
                lut.append(round(c * v / neutral))
            else:
                lut.append(round(c + (255 - c) * (v - neutral) / (255 - neutral)))
        bands.append(shade.point(lut))
    return Image.merge("RGB", bands)


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def drop_shadow(
    mask: Image.Image, dx: float, dy: float, radius: float, strength: float
) -> Image.Image:
    return scale_alpha(blur(shift(mask, dx, dy), radius), strength)


def rotate(image: Image.Image, angle: float, centre: Point = (400, 400)) -> Image.Image:
    return image.rotate(
        angle, resample=Image.Resampling.BICUBIC, center=(centre[0] * SS, centre[1] * SS)
    )


def rotate_point(p: Point, angle: float, centre: Point = (400, 400)) -> Point:
    """Where Image.rotate(angle) moves a point (counter-clockwise on screen)."""
    a = math.radians(angle)
    x, y = p[0] - centre[0], p[1] - centre[1]
    return (
        centre[0] + x * math.cos(a) + y * math.sin(a),
        centre[1] - x * math.sin(a) + y * math.cos(a),
    )
