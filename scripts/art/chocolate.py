"""Chocolate bar art: seen from above, half out of its wrapper, three sizes."""

from __future__ import annotations

import math
import random
import tomllib
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from . import common as c
from .common import Point

ANGLE = 7.0  # the whole bar is turned a little, counter-clockwise
CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "chocolate" / "product.toml"
# width, height, rows, columns (unturned, centred on 400, 400)
SIZES = {"g50": (300, 150, 2, 4), "g100": (470, 225, 3, 6), "g200": (610, 300, 4, 8)}
THICK = 14


def bar_box(size: str) -> tuple[float, float, float, float]:
    w, h, _, _ = SIZES[size]
    return 400 - w / 2, 400 - h / 2 - 10, 400 + w / 2, 400 + h / 2 - 10


def sleeve_box(size: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = bar_box(size)
    return x0 + (x1 - x0) * 0.44, y0 - 9, x1 + 8, y1 + THICK + 9


def turn(image: Image.Image) -> Image.Image:
    return c.rotate(image, ANGLE)


def rounded(
    box: tuple[float, float, float, float], radius: float, base: Image.Image | None = None
) -> Image.Image:
    mask = base if base is not None else c.canvas()
    ImageDraw.Draw(mask).rounded_rectangle([v * c.SS for v in box], radius=radius * c.SS, fill=255)
    return mask


def draw_bar(size: str, out: Path) -> list[dict[str, object]]:
    x0, y0, x1, y1 = bar_box(size)
    _, _, rows, cols = SIZES[size]
    top = rounded((x0, y0, x1, y1), 6)
    side = rounded((x0, y0 + THICK, x1, y1 + THICK), 6)
    squares = c.canvas()
    gap = 7
    cw, ch = (x1 - x0 - 2 * gap) / cols, (y1 - y0 - 2 * gap) / rows
    for r in range(rows):
        for k in range(cols):
            sx, sy = x0 + gap + k * cw, y0 + gap + r * ch
            rounded((sx + 4, sy + 4, sx + cw - 4, sy + ch - 4), 5, squares)
    inner = c.canvas()
    for r in range(rows):
        for k in range(cols):
            sx, sy = x0 + gap + k * cw, y0 + gap + r * ch
            rounded((sx + 13, sy + 13, sx + cw - 13, sy + ch - 13), 4, inner)
    mask = turn(ImageChops.lighter(top, side))
    top, side, squares, inner = turn(top), turn(side), turn(squares), turn(inner)
    parts = {
        "t": top,
        "s": c.bevel(squares, 3.5),
        "i": c.bevel(inner, 2.5),
        "e": c.bevel(top, 4),
        "g": c.linear_gradient((200, 250), (600, 560), 150, 110),
    }
    lum = c.tone(
        parts,
        lambda a: (
            (a["g"] + 40) + (a["s"] - 128) * 1.5 + (a["i"] - 128) * 0.8 + (a["e"] - 128) * 0.6
        ),
    )
    lum = Image.composite(lum, c.flat(95), top)  # the side of the bar is in shade
    shadow = c.drop_shadow(mask, 6, 14, 14, 0.55)
    name = f"bar_{size}.png"
    c.save_la(out / name, lum, mask)
    c.save_la(out / f"shadow_{size}.png", c.flat(20), shadow)
    when = f"size = '{size}'"
    return [
        {"file": f"shadow_{size}.png", "when": when, "tint": "#3a2a20"},
        {"file": name, "id": "bar", "when": when, "tint": "base"},
    ]


# --- toppings -----------------------------------------------------------------------


def blob(
    rng: random.Random, x: float, y: float, r: float, corners: int, jitter: float
) -> list[Point]:
    start = rng.uniform(0, math.tau)
    return [
        (
            x + r * (1 + rng.uniform(-jitter, jitter)) * math.cos(start + i * math.tau / corners),
            y + r * (1 + rng.uniform(-jitter, jitter)) * math.sin(start + i * math.tau / corners),
        )
        for i in range(corners)
    ]


def ellipse_pts(x: float, y: float, rx: float, ry: float, angle: float, n: int = 20) -> list[Point]:
    ca, sa = math.cos(angle), math.sin(angle)
    out = []
    for i in range(n):
        t = i * math.tau / n
        px, py = rx * math.cos(t), ry * math.sin(t)
        out.append((x + px * ca - py * sa, y + px * sa + py * ca))
    return out


STYLES = {
    "hazelnut": ("nut", 13, (10, 14)),
    "almond": ("sliver", 16, (13, 17)),
    "pistachio": ("chunk", 18, (6, 10)),
    "pecan": ("pecan", 10, (12, 15)),
    "peanut": ("nut", 16, (7, 10)),
    "raspberry": ("crumb", 16, (7, 11)),
    "strawberry": ("chunk", 14, (8, 12)),
    "orange_peel": ("strip", 16, (9, 13)),
    "cranberry": ("chunk", 16, (7, 10)),
    "chili": ("dust", 90, (1.5, 3.2)),
    "cinnamon": ("dust", 150, (1.2, 2.6)),
    "sea_salt": ("flake", 26, (4, 8)),
    "cardamom": ("seed", 30, (3, 5)),
    "rainbow_sprinkles": ("sprinkle", 70, (2.4, 2.8)),
    "gold_leaf": ("leaf", 9, (12, 22)),
    "cocoa_nibs": ("chunk", 34, (4, 7)),
    "toffee": ("cube", 16, (6, 9)),
    "caramel": ("drizzle", 4, (3, 4)),
    "milk_crumb": ("crumb", 22, (5, 8)),
    "white_chips": ("drop", 22, (5, 7)),
}
SPRINKLE_COLOURS = ["#e86fa8", "#f6c343", "#4fb3e8", "#7bd389", "#f28c38", "#ffffff", "#b07fe0"]


def piece_masks(
    name: str, count_scale: float = 1.0
) -> tuple[Image.Image, Image.Image, list[tuple[Image.Image, str]]]:
    """(pieces, highlights, extra coloured masks) for one topping, scattered over the bar."""
    style, count, (rmin, rmax) = STYLES[name]
    rng = random.Random(f"topping-{name}")
    x0, y0, x1, y1 = bar_box("g200")
    pieces, marks = c.canvas(), c.canvas()
    extras: list[tuple[Image.Image, str]] = []
    sprinkles = {colour: c.canvas() for colour in SPRINKLE_COLOURS}
    grow = 1.0 if style in ("dust", "sprinkle", "drizzle", "leaf") else 1.3
    for _ in range(max(1, round(count * count_scale * 1.7))):
        x, y = rng.uniform(x0 + 8, x1 - 8), rng.uniform(y0 + 8, y1 - 8)
        r = rng.uniform(rmin, rmax) * grow
        angle = rng.uniform(0, math.pi)
        if style == "nut":
            c.polygon(ellipse_pts(x, y, r, r * 0.85, angle), base=pieces)
            c.polygon(ellipse_pts(x + r * 0.15, y + r * 0.1, r * 0.55, r * 0.45, angle), base=marks)
        elif style == "sliver":
            c.polygon(ellipse_pts(x, y, r, r * 0.38, angle), base=pieces)
        elif style == "pecan":
            c.polygon(ellipse_pts(x, y, r, r * 0.6, angle), base=pieces)
            for k in (-0.45, 0.0, 0.45):
                px, py = x + math.cos(angle) * r * k, y + math.sin(angle) * r * k
                c.line(
                    [
                        (px - math.sin(angle) * r * 0.5, py + math.cos(angle) * r * 0.5),
                        (px + math.sin(angle) * r * 0.5, py - math.cos(angle) * r * 0.5),
                    ],
                    1.6,
                    base=marks,
                )
        elif style in ("chunk", "cube"):
            c.polygon(
                blob(rng, x, y, r, 4 if style == "cube" else rng.randint(5, 7), 0.3), base=pieces
            )
        elif style == "crumb":
            for _ in range(4):
                c.polygon(
                    blob(
                        rng,
                        x + rng.uniform(-r, r) * 0.5,
                        y + rng.uniform(-r, r) * 0.5,
                        r * 0.55,
                        6,
                        0.35,
                    ),
                    base=pieces,
                )
        elif style == "strip":
            c.polygon(ellipse_pts(x, y, r, r * 0.35, angle, 8), base=pieces)
        elif style == "dust":
            c.ellipse((x - r, y - r, x + r, y + r), base=pieces)
        elif style == "flake":
            c.polygon(blob(rng, x, y, r, rng.randint(4, 6), 0.45), base=pieces)
            c.line(blob(rng, x, y, r * 0.7, 3, 0.2), 0.8, base=marks)
        elif style == "seed":
            c.polygon(ellipse_pts(x, y, r, r * 0.6, angle, 12), base=pieces)
        elif style == "sprinkle":
            colour = rng.choice(SPRINKLE_COLOURS)
            dx, dy = math.cos(angle) * 5, math.sin(angle) * 5
            c.line([(x - dx, y - dy), (x + dx, y + dy)], r, base=sprinkles[colour])
            c.line([(x - dx, y - dy), (x + dx, y + dy)], r, base=pieces)
        elif style == "leaf":
            pass  # drawn by gold_leaf(): crumpled facets need more than a mask
        elif style == "drizzle":
            points = []
            sx = rng.uniform(x0, x0 + 60)
            for k in range(40):
                t = k / 39
                points.append(
                    (sx + (x1 - x0) * t * 0.95, y + 26 * math.sin(t * 11 + rng.uniform(0, 0.4)))
                )
            c.line(points, r, base=pieces)
        elif style == "drop":
            c.ellipse((x - r, y - r, x + r, y + r), base=pieces)
            c.ellipse((x - r * 0.45, y - r * 0.55, x - r * 0.05, y - r * 0.15), base=marks)
    if style == "sprinkle":
        extras = [(mask, colour) for colour, mask in sprinkles.items()]
    return turn(pieces), turn(marks), [(turn(mask), colour) for mask, colour in extras]


def _jagged(rng: random.Random, x: float, y: float, r: float) -> list[Point]:
    """A torn outline: many corners, each a little in or out, some deep nicks."""
    corners = rng.randint(13, 18)
    start = rng.uniform(0, math.tau)
    squash = rng.uniform(0.55, 0.9)
    turn_by = rng.uniform(0, math.pi)
    ct, st = math.cos(turn_by), math.sin(turn_by)
    out = []
    for i in range(corners):
        a = start + i * math.tau / corners + rng.uniform(-0.15, 0.15)
        k = rng.uniform(0.7, 1.1) * (0.55 if rng.random() < 0.15 else 1.0)
        px, py = r * k * math.cos(a), r * k * squash * math.sin(a)
        out.append((x + px * ct - py * st, y + px * st + py * ct))
    return out


def gold_leaf(name: str) -> tuple[Image.Image, Image.Image]:
    """(pieces, luminance) of thin crumpled metal flakes scattered over the bar.

    Each flake is a torn outline folded along a few random creases: every facet between
    creases catches the light at its own angle (a flat tone from mid to bright), a crease
    shows as a bright ridge beside a dark fold, and the edges curl a little darker.
    """
    style, count, (rmin, rmax) = STYLES[name]
    rng = random.Random(f"topping-{name}")
    x0, y0, x1, y1 = bar_box("g200")
    pieces, lum = c.canvas(), c.canvas(c.NEUTRAL)
    for _ in range(round(count * 1.7)):
        x, y = rng.uniform(x0 + 14, x1 - 14), rng.uniform(y0 + 14, y1 - 14)
        r = rng.uniform(rmin, rmax)
        outline = _jagged(rng, x, y, r)
        # some flakes shed a few small fragments beside them
        fragments = [
            _jagged(
                rng,
                x + rng.uniform(-1.6, 1.6) * r,
                y + rng.uniform(-1.3, 1.3) * r,
                rng.uniform(0.12, 0.3) * r,
            )
            for _ in range(rng.randint(0, 3))
        ]
        flake = c.polygon(outline)
        for fragment in fragments:
            c.polygon(fragment, base=flake)
        # facets: start from one tone, each crease lifts one side and lowers the other
        facets = c.canvas(round(rng.uniform(172, 212)))
        ridges, folds = c.canvas(), c.canvas()
        for _ in range(rng.randint(3, 5)):
            a = rng.uniform(0, math.pi)
            ox, oy = x + rng.uniform(-0.4, 0.4) * r, y + rng.uniform(-0.4, 0.4) * r
            dx, dy = math.cos(a) * r * 2, math.sin(a) * r * 2
            nx, ny = -math.sin(a) * r * 2, math.cos(a) * r * 2
            side = c.polygon(
                [
                    (ox - dx, oy - dy),
                    (ox + dx, oy + dy),
                    (ox + dx + nx, oy + dy + ny),
                    (ox - dx + nx, oy - dy + ny),
                ]
            )
            delta = rng.uniform(18, 42) * rng.choice((-1, 1))
            facets = c.tone({"f": facets, "s": side}, lambda v, d=delta: v["f"] + d * v["s"] / 255)
            c.line([(ox - dx, oy - dy), (ox + dx, oy + dy)], 0.5, base=ridges)
            c.line(
                [
                    (ox - dx + nx * 0.02, oy - dy + ny * 0.02),
                    (ox + dx + nx * 0.02, oy + dy + ny * 0.02),
                ],
                0.9,
                base=folds,
            )
        edge = c.subtract(flake, c.blur(flake, 1.2).point(lambda v: 255 if v > 200 else 0))
        tone = c.tone(
            {"f": facets, "r": ridges, "d": folds, "e": c.blur(edge, 0.6)},
            lambda v: v["f"] + v["r"] * 0.16 - v["d"] * 0.12 - v["e"] * 0.22,
        )
        lum = Image.composite(tone, lum, flake)
        pieces = ImageChops.lighter(pieces, flake)
    # a fine metallic shimmer over it all
    shimmer = c.noise("leaf-shimmer", 0.8)
    lum = c.tone({"l": lum, "n": shimmer}, lambda v: v["l"] + (v["n"] - 128) * 0.12)
    return turn(pieces), turn(lum)


def draw_topping(name: str, swatch: str, out: Path) -> list[dict[str, object]]:
    style, _, (rmin, rmax) = STYLES[name]
    pieces, marks, extras = piece_masks(name)
    rgb = c.hex_rgb(swatch)
    grain = c.noise(f"grain-{name}", 1.2)
    if style == "leaf":
        pieces, lum = gold_leaf(name)
    elif style in ("dust", "sprinkle", "drizzle"):
        relief = c.bevel(pieces, 0.8 if style == "dust" else 1.6)
        lum = c.tone(
            {"r": relief, "m": marks}, lambda a: c.NEUTRAL + (a["r"] - 128) * 2.0 + a["m"] * 0.25
        )
    else:
        # light and shade of a rounded piece: a broad dome, a crisp rim, a glint on top
        dome = c.bevel(pieces, max(2.2, (rmin + rmax) / 2 * 0.75))
        rim = c.bevel(pieces, 1.4)
        gloss = 0.9 if style in ("drop", "cube", "chunk", "crumb", "flake") else 0.45
        lum = c.tone(
            {"d": dome, "r": rim, "m": marks, "n": grain},
            lambda a: (
                c.NEUTRAL
                + (a["d"] - 128) * 1.8
                + (a["r"] - 128) * 0.6
                + ((a["d"] - 150) * (a["d"] > 150)) * 2.2 * gloss
                + (a["n"] - 128) * 0.22
                - a["m"] * (0.25 if style not in ("flake", "drop", "nut") else -0.2)
            ),
        )
    colour = c.colour_image(rgb, lum)
    if style == "nut":
        colour = Image.composite(
            c.colour_image(c.hex_rgb("#e8cf9f"), lum), colour, c.scale_alpha(c.blur(marks, 2), 0.4)
        )
    for mask, extra in extras:
        colour = Image.composite(c.colour_image(c.hex_rgb(extra), lum), colour, mask)
    if style == "leaf":  # thin foil lies flat: only a faint edge shadow
        shadow = c.drop_shadow(pieces, 0.6, 1.0, 0.8, 0.35)
    else:  # a soft shadow cast down-right and a dark contact line under each piece
        shadow = ImageChops.lighter(
            c.drop_shadow(pieces, 2.5, 4, 3, 0.5), c.drop_shadow(pieces, 0.8, 1.2, 0.8, 0.6)
        )
    alpha = ImageChops.lighter(pieces, shadow)
    colour = Image.composite(colour, Image.new("RGB", colour.size, (25, 12, 5)), pieces)
    if style == "flake":
        alpha = ImageChops.lighter(c.scale_alpha(pieces, 0.85), shadow)
    c.save_rgba(out / f"top_{name}.png", colour, alpha)
    # mixed in: the same pieces sunk under chocolate, only a few tips showing
    tips = ImageChops.multiply(
        pieces, c.level(c.noise(f"tips-{name}", 5), 0, 255).point(lambda v: 255 if v > 150 else 0)
    )
    tips = c.blur(tips, 0.6)
    c.save_rgba(out / f"mixed_{name}.png", colour, c.scale_alpha(tips, 0.9))
    when_top = f"toppings has '{name}' and topping_placement = 'on_top'"
    when_mixed = f"toppings has '{name}' and topping_placement = 'mixed_in'"
    return [
        {"file": f"top_{name}.png", "when": when_top, "clip": "bar"},
        {"file": f"mixed_{name}.png", "when": when_mixed, "clip": "bar"},
    ]


def draw_bumps(out: Path) -> dict[str, object]:
    rng = random.Random("bumps")
    x0, y0, x1, y1 = bar_box("g200")
    bumps = c.canvas()
    for _ in range(60):
        x, y, r = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(5, 10)
        c.polygon(blob(rng, x, y, r, 7, 0.25), base=bumps)
    bumps = turn(bumps)
    lum = c.tone({"r": c.bevel(bumps, 3.5)}, lambda a: c.NEUTRAL + (a["r"] - 128) * 1.4)
    c.save_la(out / "mixed_bumps.png", lum, c.blur(bumps, 1.5))
    return {
        "file": "mixed_bumps.png",
        "when": "topping_placement = 'mixed_in' and count(toppings) > 0",
        "tint": "base",
        "clip": "bar",
    }


# --- wrapper ------------------------------------------------------------------------


def draw_wrapper(size: str, out: Path) -> list[dict[str, object]]:
    x0, y0, x1, y1 = sleeve_box(size)
    sleeve = rounded((x0, y0, x1, y1), 5)
    fold = c.canvas()
    c.line([(x0 + 5, y0 + 3), (x0 + 5, y1 - 3)], 3, base=fold)
    crease = c.canvas()
    rng = random.Random(f"crease-{size}")
    for _ in range(5):
        cx = rng.uniform(x0 + 20, x1 - 20)
        c.line([(cx, y0), (cx + rng.uniform(-30, 30), y1)], 1.2, base=crease)
    mask = turn(sleeve)
    parts = {
        "r": c.bevel(turn(sleeve), 6),
        "f": c.blur(turn(fold), 2),
        "c": c.bevel(c.blur(turn(crease), 2), 3),
        "n": c.noise(f"paper-{size}", 9),
        "g": c.linear_gradient((x0, y0), (x1, y1), 140, 116),
    }
    lum = c.tone(
        parts,
        lambda a: (
            (a["g"] + 56)
            + (a["r"] - 128) * 0.9
            + (a["n"] - 128) * 0.07
            + (a["c"] - 128) * 0.5
            - a["f"] * 0.25
        ),
    )
    shadow = c.drop_shadow(mask, -6, 8, 9, 0.5)
    c.save_la(out / f"wrapper_{size}.png", lum, mask)
    c.save_la(out / f"wrapper_shadow_{size}.png", c.flat(20), shadow)
    when = f"size = '{size}'"
    return [
        {"file": f"wrapper_shadow_{size}.png", "when": when, "tint": "#2a1c12"},
        {"file": f"wrapper_{size}.png", "id": "wrapper", "when": when, "tint": "wrapper"},
    ]


def draw_patterns(out: Path) -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    tile = 128
    fibres = Image.new("L", (tile, tile), 128)
    rng = random.Random("kraft")
    draw = ImageDraw.Draw(fibres)
    for _ in range(160):
        x, y = rng.uniform(0, tile), rng.uniform(0, tile)
        a = rng.uniform(0, math.pi)
        draw.line(
            [(x, y), (x + 7 * math.cos(a), y + 7 * math.sin(a))],
            fill=rng.choice([90, 100, 170]),
            width=1,
        )
    c.save_tile(
        out / "pattern_kraft.png", Image.merge("LA", (fibres, Image.new("L", (tile, tile), 100)))
    )
    layers.append(
        {
            "file": "pattern_kraft.png",
            "when": "wrapper = 'kraft'",
            "tint": "#b0b0b0",
            "blend": "overlay",
            "clip": "wrapper",
            "tile": True,
        }
    )
    crinkle = c.level(
        ImageChops.add(c.noise("foil-a", 3, tile * 2), c.noise("foil-b", 1, tile * 2), scale=2),
        0,
        255,
    )
    crinkle = crinkle.resize((tile, tile), Image.Resampling.LANCZOS)
    c.save_tile(
        out / "pattern_foil.png", Image.merge("LA", (crinkle, Image.new("L", (tile, tile), 255)))
    )
    layers.append(
        {
            "file": "pattern_foil.png",
            "when": "wrapper = 'foil_gold'",
            "tint": "#c8c8c8",
            "blend": "overlay",
            "clip": "wrapper",
            "tile": True,
        }
    )
    # botanical: leaves and stems printed in two greens and cream
    rng = random.Random("botanical")
    leaves = {"#e9e2c8": c.canvas(), "#3f5f3a": c.canvas(), "#8aa878": c.canvas()}
    for _ in range(70):
        x, y = rng.uniform(150, 760), rng.uniform(200, 620)
        a = rng.uniform(0, math.pi)
        colour = rng.choice(list(leaves))
        c.polygon(
            ellipse_pts(x, y, rng.uniform(12, 22), rng.uniform(4, 7), a, 16), base=leaves[colour]
        )
        c.line([(x, y), (x - 24 * math.cos(a), y - 24 * math.sin(a))], 1.4, base=leaves[colour])
    rgb, alpha = Image.new("RGB", (c.BIG, c.BIG)), c.canvas()
    for colour, mask in leaves.items():
        rgb = Image.composite(Image.new("RGB", rgb.size, c.hex_rgb(colour)), rgb, mask)
        alpha = ImageChops.lighter(alpha, mask)
    c.save_rgba(out / "pattern_botanical.png", rgb, c.scale_alpha(alpha, 0.8))
    layers.append(
        {"file": "pattern_botanical.png", "when": "wrapper = 'botanical'", "clip": "wrapper"}
    )
    rng = random.Random("confetti")
    rgb, alpha = Image.new("RGB", (c.BIG, c.BIG)), c.canvas()
    for _ in range(260):
        x, y = rng.uniform(150, 760), rng.uniform(200, 620)
        colour = rng.choice(["#e94f7c", "#ffc93c", "#3fa7d6", "#59cd90", "#ffffff", "#a06cd5"])
        mask = c.canvas()
        if rng.random() < 0.5:
            r = rng.uniform(2.5, 5)
            c.ellipse((x - r, y - r, x + r, y + r), base=mask)
        else:
            a = rng.uniform(0, math.pi)
            c.line([(x, y), (x + 9 * math.cos(a), y + 9 * math.sin(a))], 3, base=mask)
        rgb = Image.composite(Image.new("RGB", rgb.size, c.hex_rgb(colour)), rgb, mask)
        alpha = ImageChops.lighter(alpha, mask)
    c.save_rgba(out / "pattern_confetti.png", rgb, alpha)
    layers.append(
        {"file": "pattern_confetti.png", "when": "wrapper = 'confetti'", "clip": "wrapper"}
    )
    soft = c.level(c.noise("matte", 2, tile), 110, 146)
    c.save_tile(
        out / "pattern_matte.png", Image.merge("LA", (soft, Image.new("L", (tile, tile), 255)))
    )
    layers.append(
        {
            "file": "pattern_matte.png",
            "when": "wrapper = 'matte_black'",
            "tint": "#808080",
            "blend": "overlay",
            "clip": "wrapper",
            "tile": True,
        }
    )
    diamonds = Image.new("L", (32, 32), 128)
    draw = ImageDraw.Draw(diamonds)
    draw.line([(0, 16), (16, 0), (32, 16), (16, 32), (0, 16)], fill=175, width=1)
    draw.line([(1, 17), (16, 2), (31, 17)], fill=90, width=1)
    c.save_tile(
        out / "pattern_giftbox.png", Image.merge("LA", (diamonds, Image.new("L", (32, 32), 200)))
    )
    layers.append(
        {
            "file": "pattern_giftbox.png",
            "when": "wrapper = 'gift_box'",
            "tint": "#909090",
            "blend": "overlay",
            "clip": "wrapper",
            "tile": True,
        }
    )
    return layers


def label_box(size: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = sleeve_box(size)
    w, h = x1 - x0, y1 - y0
    cx = x0 + w * (0.42 if size != "g50" else 0.5)
    # wide enough for the longest name the rules allow in the widest letters (16 "Ю",
    # at the name's smallest size)
    lw, lh = w * {"g50": 0.78, "g100": 0.74, "g200": 0.6}[size], h * 0.62
    return cx - lw / 2, (y0 + y1) / 2 - lh / 2, cx + lw / 2, (y0 + y1) / 2 + lh / 2


def draw_label(size: str, out: Path) -> list[dict[str, object]]:
    x0, y0, x1, y1 = label_box(size)
    panel = rounded((x0, y0, x1, y1), 4)
    border = c.canvas()
    ImageDraw.Draw(border).rounded_rectangle(
        [v * c.SS for v in (x0 + 5, y0 + 5, x1 - 5, y1 - 5)],
        radius=3 * c.SS,
        outline=255,
        width=round(1.2 * c.SS),
    )
    lum = c.tone(
        {"b": turn(border), "n": c.noise("label", 6)},
        lambda a: 236 + (a["n"] - 128) * 0.05 - a["b"] * 0.45,
    )
    rgb = c.colour_image((246, 238, 222), lum, 236)
    c.save_rgba(out / f"label_{size}.png", rgb, turn(panel))
    when = f"size = '{size}'"
    return [{"file": f"label_{size}.png", "when": when}]


def label_texts(size: str) -> list[dict[str, object]]:
    x0, y0, x1, y1 = label_box(size)
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2

    def slot(
        text: str,
        top: float,
        bottom: float,
        sizes: list[int],
        font: str,
        colour: str,
        **extra: object,
    ) -> dict[str, object]:
        centre = c.rotate_point((cx, (top + bottom) / 2), ANGLE)
        half_w, half_h = (w - 24) / 2, (bottom - top) / 2
        return {
            "text": text,
            "when": f"size = '{size}'",
            "box": [
                round(centre[0] - half_w, 1),
                round(centre[1] - half_h, 1),
                round(centre[0] + half_w, 1),
                round(centre[1] + half_h, 1),
            ],
            "angle": ANGLE,
            "font": font,
            "size": sizes,
            "colour": colour,
            **extra,
        }

    big = [9, 30] if size == "g50" else [9, 40]
    small = [7, 11] if size == "g50" else [8, 14]
    return [
        slot(
            "base",
            y0 + h * 0.1,
            y0 + h * 0.28,
            small,
            "DejaVuSans-Bold",
            "#8a5a3b",
            source="option_label",
            uppercase=True,
        ),
        slot(
            "name_on_wrapper",
            y0 + h * 0.3,
            y0 + h * 0.72,
            big,
            "DejaVuSerif-Italic",
            "#3b2216",
            lines=2,
        ),
        slot(
            "cocoa_origin",
            y0 + h * 0.74,
            y0 + h * 0.9,
            small,
            "DejaVuSans",
            "#6b5a4a",
            source="option_label",
        ),
    ]


def draw_badges(size: str, out: Path) -> list[dict[str, object]]:
    x0, y0, x1, y1 = sleeve_box(size)
    layers = []
    for i, (badge, colour, mark) in enumerate(
        (("nut_free", "#c9772b", "N"), ("vegan", "#4f8a3c", "V"))
    ):
        cx, cy = x1 - 26 - i * 34, y0 + 26
        if size == "g50":
            cx, cy = x1 - 20 - i * 28, y0 + 20
        r = 14 if size != "g50" else 11
        disc = c.ellipse((cx - r, cy - r, cx + r, cy + r))
        ring = c.ellipse((cx - r + 2.5, cy - r + 2.5, cx + r - 2.5, cy + r - 2.5))
        ring = ImageChops.subtract(
            ring, c.ellipse((cx - r + 3.7, cy - r + 3.7, cx + r - 3.7, cy + r - 3.7))
        )
        mark_mask = c.canvas()
        from PIL import ImageFont

        face = ImageFont.truetype(
            str(
                Path(__file__).resolve().parents[2]
                / "configurator"
                / "preview"
                / "fonts"
                / "DejaVuSans-Bold.ttf"
            ),
            round(r * 1.1 * c.SS),
        )
        ImageDraw.Draw(mark_mask).text(
            (cx * c.SS, cy * c.SS), mark, font=face, fill=255, anchor="mm"
        )
        lum = c.tone({"r": c.bevel(turn(disc), 2)}, lambda a: c.NEUTRAL + (a["r"] - 128) * 0.8)
        rgb = c.colour_image(c.hex_rgb(colour), lum)
        white = Image.new("RGB", rgb.size, (250, 246, 236))
        rgb = Image.composite(white, rgb, ImageChops.lighter(turn(ring), turn(mark_mask)))
        alpha = ImageChops.lighter(turn(disc), c.drop_shadow(turn(disc), 1, 2, 2, 0.4))
        rgb = Image.composite(rgb, Image.new("RGB", rgb.size, (20, 10, 5)), turn(disc))
        name = f"badge_{badge}_{size}.png"
        c.save_rgba(out / name, rgb, alpha)
        layers.append({"file": name, "when": f"size = '{size}' and labels has '{badge}'"})
    return layers


def draw_ribbon(size: str, out: Path) -> list[dict[str, object]]:
    x0, y0, x1, y1 = sleeve_box(size)
    rx = x1 - (x1 - x0) * 0.14
    band = c.polygon([(rx - 13, y0 - 4), (rx + 13, y0 - 4), (rx + 13, y1 + 4), (rx - 13, y1 + 4)])
    bow = c.canvas()
    by = y0 + (y1 - y0) * 0.5
    c.polygon(ellipse_pts(rx - 26, by - 8, 28, 13, -0.5), base=bow)
    c.polygon(ellipse_pts(rx + 26, by - 8, 28, 13, 0.5), base=bow)
    c.polygon([(rx - 6, by), (rx - 30, by + 60), (rx - 14, by + 62), (rx + 2, by + 6)], base=bow)
    c.polygon([(rx + 4, by), (rx + 26, by + 58), (rx + 40, by + 52), (rx + 10, by + 2)], base=bow)
    c.ellipse((rx - 11, by - 14, rx + 11, by + 10), base=bow)
    satin = ImageChops.lighter(band, bow)
    mask = turn(satin)
    sheen = c.linear_gradient((rx - 13, 0), (rx + 13, 0), 150, 110)
    lum = c.tone(
        {"r": c.bevel(mask, 4), "s": turn(sheen), "b": c.bevel(turn(bow), 6)},
        lambda a: a["s"] + 56 + (a["r"] - 128) * 1.2 + (a["b"] - 128) * 0.8,
    )
    alpha = ImageChops.lighter(mask, c.drop_shadow(mask, 2, 4, 3, 0.45))
    lum = Image.composite(lum, c.flat(15), mask)
    c.save_la(out / f"ribbon_{size}.png", lum, alpha)
    # twine: two thin strands with a twist and a simple knot
    twine = c.canvas()
    for dx in (-4, 4):
        c.line([(rx + dx, y0 - 4), (rx + dx, y1 + 4)], 3.2, base=twine)
    c.line(
        c.catmull(
            [(rx, by), (rx - 22, by - 20), (rx - 30, by + 6), (rx - 6, by + 4)], closed=False
        ),
        3.2,
        base=twine,
    )
    c.line(
        c.catmull(
            [(rx, by), (rx + 22, by - 20), (rx + 30, by + 6), (rx + 6, by + 4)], closed=False
        ),
        3.2,
        base=twine,
    )
    c.line([(rx, by), (rx - 12, by + 40)], 3, base=twine)
    c.line([(rx, by), (rx + 10, by + 44)], 3, base=twine)
    twine = turn(twine)
    twist = c.tone(
        {"r": c.bevel(twine, 1.2), "n": c.noise("twine", 1)},
        lambda a: c.NEUTRAL + (a["r"] - 128) * 1.5 + (a["n"] - 128) * 0.6,
    )
    alpha = ImageChops.lighter(twine, c.drop_shadow(twine, 1.5, 2.5, 2, 0.45))
    twist = Image.composite(twist, c.flat(15), twine)
    c.save_la(out / f"twine_{size}.png", twist, alpha)
    when = f"size = '{size}'"
    return [
        {
            "file": f"ribbon_{size}.png",
            "when": f"{when} and ribbon in ['red_satin', 'gold_satin']",
            "tint": "ribbon",
        },
        {"file": f"twine_{size}.png", "when": f"{when} and ribbon = 'twine'", "tint": "ribbon"},
    ]


def draw(out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    catalog = tomllib.loads(CATALOG.read_text(encoding="utf-8"))
    swatches = {
        option["id"]: option.get("swatch", "#888888")
        for attribute in catalog["attributes"]
        if attribute["id"] == "toppings"
        for option in attribute["options"]
    }
    layers: list[dict[str, object]] = []
    for size in SIZES:
        layers.extend(draw_bar(size, out))
    layers.append(draw_bumps(out))
    for name in STYLES:
        layers.extend(draw_topping(name, swatches[name], out))
    patterns = draw_patterns(out)
    for size in SIZES:
        layers.extend(draw_wrapper(size, out))
    layers.extend(patterns)
    for size in SIZES:
        layers.extend(draw_label(size, out))
        layers.extend(label_texts(size))
        layers.extend(draw_badges(size, out))
        if size != "g50":
            layers.extend(draw_ribbon(size, out))
    return {"art": {"size": 800, "background": "#f4efe6"}, "layers": layers}
