"""Sneaker art: side view, toe to the right, three cuts (low, mid, high)."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from . import common as c
from .common import Point

GROUND = 612
CUTS = ("low", "mid", "high")

# Per cut: heel top, the collar line from the heel to the tongue, the tongue tip and
# where the lacing starts (the eyestay runs from there down to the vamp).
COLLAR: dict[str, dict[str, list[Point]]] = {
    "low": {
        "back": [(100, 560), (92, 500), (97, 440), (112, 400)],
        "collar": [(112, 400), (165, 410), (225, 438), (262, 425), (286, 402)],
        "tongue": [(286, 402), (292, 372), (318, 362), (340, 376)],
        "lace_top": [(336, 396)],
    },
    "mid": {
        "back": [(100, 560), (90, 490), (94, 400), (108, 330)],
        "collar": [(108, 330), (160, 334), (215, 352), (250, 340), (272, 318)],
        "tongue": [(272, 318), (278, 288), (304, 278), (328, 292)],
        "lace_top": [(324, 314)],
    },
    "high": {
        "back": [(100, 560), (88, 480), (92, 360), (106, 250)],
        "collar": [(106, 250), (160, 250), (215, 262), (248, 252), (266, 232)],
        "tongue": [(266, 232), (272, 202), (298, 194), (322, 208)],
        "lace_top": [(318, 230)],
    },
}
LACE_END: Point = (478, 488)


def union(a: Image.Image, b: Image.Image) -> Image.Image:
    return ImageChops.lighter(a, b)


VAMP: list[Point] = [(478, 488), (548, 500), (612, 506), (668, 516), (708, 534), (726, 558)]


def eyestay(cut: str) -> list[Point]:
    """Points along the lacing line from the top eyelet down to the vamp."""
    (x0, y0) = COLLAR[cut]["lace_top"][0]
    x1, y1 = LACE_END
    count = {"low": 5, "mid": 7, "high": 9}[cut]
    out = []
    for i in range(count):
        t = i / (count - 1)
        # a gentle curve: steeper near the top
        out.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * (t**0.85)))
    return out


# Seen a little from above: beyond the near (lateral) eyestay the tongue shows, and
# beyond it the far eyestay. FAR is how far the far eyestay's inner edge lies from the
# near one at the top of the lacing; the throat narrows towards the toe.
FAR: Point = (17.0, -29.0)


def _far(point: Point, t: float, amount: float) -> Point:
    k = amount * (1 - 0.55 * t)
    return point[0] + FAR[0] * k, point[1] + FAR[1] * k


def lace_line(cut: str) -> list[tuple[Point, float]]:
    """(point, t) along the near eyestay edge, t from 0 at the top to 1 at the vamp."""
    line = eyestay(cut)
    return [(p, i / (len(line) - 1)) for i, p in enumerate(line)]


def near_eyelets(cut: str) -> list[Point]:
    return [(x + 9 - 3 * t, y + 9 - 2 * t) for (x, y), t in lace_line(cut)]


def far_eyelets(cut: str) -> list[Point]:
    return [_far((x + 4, y + 2), t, 1.32) for (x, y), t in lace_line(cut)]


def upper_outline(cut: str) -> list[Point]:
    """The near side of the upper: heel, collar, the near eyestay, vamp, toe, sole line."""
    parts = COLLAR[cut]
    collar_end = parts["collar"][-1]
    lace = eyestay(cut)
    throat = (collar_end[0] * 0.4 + lace[0][0] * 0.6, collar_end[1] * 0.6 + lace[0][1] * 0.4 - 2)
    top = parts["back"] + parts["collar"][1:] + [throat]
    return top + lace[:1] + [lace[len(lace) // 2]] + VAMP + [(700, 574), (300, 575), (110, 572)]


def tongue_outline(cut: str) -> list[Point]:
    """The tongue: padded, rising above the collar, lying between the two eyestays."""
    parts = COLLAR[cut]
    (cx, cy) = parts["collar"][-1]
    tip = parts["tongue"]
    line = lace_line(cut)
    far_edge = [_far(p, t, 1.0) for p, t in line]
    under = [(x - 8, y + 10) for (x, y), _ in reversed(line)]
    top = [(cx - 6, cy + 8), (tip[1][0] - 4, tip[1][1] - 2), tip[2], (tip[3][0] + 8, tip[3][1] - 2)]
    return top + far_edge[:1] + far_edge[1:] + [(LACE_END[0] + 14, LACE_END[1] + 2)] + under


def far_eyestay_outline(cut: str) -> list[Point]:
    line = lace_line(cut)
    inner = [_far(p, t, 0.92) for p, t in line]
    outer = [_far(p, t, 1.7) for p, t in line]
    end = (LACE_END[0] + 30, LACE_END[1] + 6)
    return inner + [end] + list(reversed(outer))


def sole_top() -> list[Point]:
    return [(96, 560), (300, 566), (520, 566), (660, 560), (722, 554)]


def draw_upper(cut: str, out: Path) -> dict[str, object]:
    outline = upper_outline(cut)
    body = c.polygon(c.catmull(outline, steps=12))
    tongue = c.polygon(c.catmull(tongue_outline(cut), steps=10))
    far_side = c.polygon(c.catmull(far_eyestay_outline(cut), steps=8))
    mask = union(union(body, tongue), far_side)
    relief = c.bevel(body, 14)
    soft = c.bevel(body, 40)
    # panels: heel counter, quarter, eyestay band, vamp seam
    seams = c.canvas()
    back_top = COLLAR[cut]["back"][-1]
    c.line(
        c.catmull([(104, 470), (170, 478), (235, 520), (262, 572)], closed=False), 2.2, base=seams
    )
    lace = eyestay(cut)
    band = [(x + 24, y + 20) for x, y in lace]
    c.line(c.catmull(band + [(526, 522)], closed=False), 2.2, base=seams)
    c.line(c.catmull([(330, 575), (360, 520), (420, 478)], closed=False), 2.0, base=seams)
    collar_pad = [(x, y + 14) for x, y in COLLAR[cut]["collar"]]
    c.line(c.catmull([back_top] + collar_pad, closed=False), 1.8, base=seams)
    stitches = c.canvas()
    for path in (
        [(108, 462), (172, 470), (240, 512), (268, 568)],
        [(x + 31, y + 26) for x, y in lace] + [(532, 528)],
        [(x, y + 22) for x, y in COLLAR[cut]["collar"]],
        [(x + 3, y + 3) for x, y in lace],  # along the eyestay's edge
    ):
        c.dashed(c.catmull(path, closed=False), 1.3, 5, 4, stitches)
    seam_shadow = c.blur(seams, 1.5)
    # the collar's padding: a soft roll just under its edge
    roll = c.canvas()
    c.line(
        c.catmull([back_top] + [(x, y + 6) for x, y in COLLAR[cut]["collar"]], closed=False),
        9,
        base=roll,
    )
    roll = c.intersect(c.blur(roll, 3), body)
    lum = c.tone(
        {"r": relief, "s": soft, "seam": seam_shadow, "st": stitches, "roll": roll},
        lambda a: (
            c.NEUTRAL
            + (a["r"] - 128) * 0.9
            + (a["s"] - 128) * 0.7
            - a["seam"] * 0.45
            + a["st"] * 0.12
            + a["roll"] * 0.1
        ),
    )
    # the tongue: padded, in the shadow of the near eyestay along its edge
    # a stitched label at the top of the tongue
    tx, ty = COLLAR[cut]["tongue"][2]
    label = c.polygon(
        [(tx - 12, ty + 10), (tx + 12, ty + 12), (tx + 11, ty + 27), (tx - 13, ty + 25)]
    )
    label_stitch = c.canvas()
    c.dashed(
        [
            (tx - 10, ty + 12),
            (tx + 10, ty + 14),
            (tx + 9, ty + 25),
            (tx - 11, ty + 23),
            (tx - 10, ty + 12),
        ],
        0.9,
        2.5,
        2,
        label_stitch,
    )
    tongue_lum = c.tone(
        {
            "lb": c.bevel(label, 2),
            "ls": label_stitch,
            "r": c.bevel(tongue, 9),
            "sh": c.blur(c.shift(body, -3, -5), 4),
            "fs": c.blur(c.shift(far_side, -2, 3), 3),
        },
        lambda a: (
            c.NEUTRAL
            + 10
            + (a["r"] - 128) * 1.3
            - a["sh"] * 0.45
            - a["fs"] * 0.25
            + (a["lb"] - 128) * 1.2
            + a["ls"] * 0.15
        ),
    )
    far_edge = c.canvas()
    c.dashed(
        c.catmull([_far(p, t, 1.3) for p, t in lace_line(cut)], closed=False), 1.1, 4, 3, far_edge
    )
    far_lum = c.tone(
        {"r": c.bevel(far_side, 4), "e": far_edge},
        lambda a: c.NEUTRAL - 34 + (a["r"] - 128) * 0.9 + a["e"] * 0.08,
    )
    lum = Image.composite(lum, Image.composite(far_lum, tongue_lum, far_side), body)
    # a soft top light, shading towards the sole and under the ankle
    light = c.linear_gradient((0, 250), (0, 580), 150, 116)
    lum = ImageChops.add(lum, light, scale=1.0, offset=-128)
    lum = ImageChops.multiply(lum, c.linear_gradient((0, 300), (0, 575), 255, 205))
    lum = ImageChops.multiply(lum, c.linear_gradient((90, 0), (260, 0), 222, 255))
    toe = c.scale_alpha(c.blur(c.ellipse((560, 498, 700, 536)), 14), 0.3)
    lum = Image.composite(c.flat(238), lum, toe)
    name = f"upper_{cut}.png"
    c.save_la(out / name, lum, mask)
    return {"file": name, "id": "upper", "when": f"silhouette = '{cut}'", "tint": "upper_colour"}


def draw_lining(cut: str, out: Path) -> list[dict[str, object]]:
    """The inside of the heel, seen above the collar, and a shearling trim."""
    parts = COLLAR[cut]
    collar = parts["back"][-1:] + parts["collar"][1:] + parts["tongue"][1:2]
    inner = [(x + 10, y - 22) for x, y in collar[:-1]]
    inner_shape = collar + list(reversed(inner)) + [(collar[0][0] + 4, collar[0][1] + 30)]
    mask = c.polygon(c.catmull(inner_shape, steps=12))
    depth = c.linear_gradient((0, collar[0][1] - 20), (0, collar[0][1] + 40), 150, 90)
    lum = ImageChops.add(depth, c.bevel(mask, 6), offset=-128)
    files = []
    name = f"lining_{cut}.png"
    c.save_la(out / name, lum, mask)
    files.append({"file": name, "id": "lining", "when": f"silhouette = '{cut}'", "tint": "lining"})
    # shearling trim: a fluffy roll along the collar, over the upper
    rng = random.Random(f"shearling-{cut}")
    fluff = c.canvas()
    path = c.catmull(parts["back"][-1:] + parts["collar"][1:] + parts["tongue"][1:2], closed=False)
    for x, y in path[::2]:
        for _ in range(3):
            r = rng.uniform(5, 9)
            ox, oy = rng.uniform(-4, 4), rng.uniform(-6, 3)
            c.ellipse((x + ox - r, y + oy - r, x + ox + r, y + oy + r), base=fluff)
    curls = c.noise(f"curl-{cut}", 2.2)
    lum = c.tone(
        {"b": c.bevel(fluff, 3), "n": curls},
        lambda a: 200 + (a["b"] - 128) * 1.2 + (a["n"] - 128) * 0.5,
    )
    name = f"lining_shearling_{cut}.png"
    c.save_la(out / name, lum, fluff)
    files.append(
        {"file": name, "when": f"silhouette = '{cut}' and lining = 'shearling'", "tint": "lining"}
    )
    return files


def draw_lining_textures(out: Path) -> list[dict[str, object]]:
    layers = []
    weave = c.canvas(128)
    draw = ImageDraw.Draw(weave)
    for i in range(0, c.BIG, 6):
        draw.line([(i, 0), (i + c.BIG, c.BIG)], fill=96, width=2)
    c.save_la(out / "lining_textile.png", weave, c.canvas(110))
    layers.append(
        {
            "file": "lining_textile.png",
            "when": "lining = 'textile'",
            "tint": "#9a9a9a",
            "blend": "multiply",
            "clip": "lining",
            "opacity": 0.5,
        }
    )
    sheen = c.linear_gradient((150, 300), (260, 420), 255, 0)
    c.save_la(out / "lining_leather.png", c.flat(255), sheen)
    layers.append(
        {
            "file": "lining_leather.png",
            "when": "lining = 'leather'",
            "tint": "#ffffff",
            "blend": "screen",
            "clip": "lining",
            "opacity": 0.35,
        }
    )
    return layers


def draw_materials(out: Path) -> list[dict[str, object]]:
    """Surface overlays clipped to the upper: grain, nap, gloss, weave, knit."""
    layers: list[dict[str, object]] = []
    tile = 96
    # leather grain: fine cellular noise
    grain = c.wrap_resize(c.fine_noise("leather", (tile, tile)), tile * 2)
    grain = c.level(grain, 70, 220).reduce(2)  # 2x2 averages: still wraps around
    rgba = Image.merge("LA", (grain, Image.new("L", (tile, tile), 90)))
    c.save_tile(out / "mat_leather.png", rgba)
    layers.append(
        {
            "file": "mat_leather.png",
            "when": "upper_material = 'leather'",
            "tint": "#bcbcbc",
            "blend": "overlay",
            "clip": "upper",
            "tile": True,
        }
    )
    # leather sheen along the top of the quarter and the toe
    sheen = c.canvas()
    c.line(c.catmull([(560, 512), (620, 515), (680, 526)], closed=False), 9, base=sheen)
    c.line(c.catmull([(104, 520), (100, 470)], closed=False), 6, base=sheen)
    sheen = c.scale_alpha(c.blur(sheen, 9), 0.6)
    c.save_la(out / "mat_leather_sheen.png", c.flat(255), sheen)
    layers.append(
        {
            "file": "mat_leather_sheen.png",
            "when": "upper_material in ['leather', 'patent']",
            "tint": "#ffffff",
            "blend": "screen",
            "clip": "upper",
        }
    )
    # suede: soft nap, mottled
    nap = ImageChops.add(c.noise("suede-a", 6, 128), c.noise("suede-b", 1.4, 128), scale=2.0)
    nap = c.level(nap, 60, 200)
    c.save_tile(out / "mat_suede.png", Image.merge("LA", (nap, Image.new("L", (128, 128), 150))))
    layers.append(
        {
            "file": "mat_suede.png",
            "when": "upper_material = 'suede'",
            "tint": "#b0b0b0",
            "blend": "soft_light",
            "clip": "upper",
            "tile": True,
        }
    )
    # patent: sharp mirror streaks
    gloss = c.canvas()
    for path, width in (
        ([(130, 430), (200, 440), (300, 452)], 7),
        ([(380, 470), (470, 500), (600, 522), (690, 538)], 8),
        ([(110, 470), (104, 530)], 5),
        ([(520, 540), (650, 548)], 3),
    ):
        c.line(c.catmull(path, closed=False), width, base=gloss)
    gloss = union(c.blur(gloss, 1.2), c.scale_alpha(c.blur(gloss, 10), 0.7))
    c.save_la(out / "mat_patent.png", c.flat(255), gloss)
    layers.append(
        {
            "file": "mat_patent.png",
            "when": "upper_material = 'patent'",
            "tint": "#ffffff",
            "blend": "screen",
            "clip": "upper",
        }
    )
    # canvas: plain weave
    weave = Image.new("L", (tile, tile), 128)
    draw = ImageDraw.Draw(weave)
    for i in range(0, tile, 4):
        draw.line([(i, 0), (i, tile)], fill=88, width=1)
        draw.line([(0, i + 2), (tile, i + 2)], fill=170, width=1)
    c.save_tile(
        out / "mat_canvas.png", Image.merge("LA", (weave, Image.new("L", (tile, tile), 150)))
    )
    layers.append(
        {
            "file": "mat_canvas.png",
            "when": "upper_material = 'canvas'",
            "tint": "#b8b8b8",
            "blend": "overlay",
            "clip": "upper",
            "tile": True,
        }
    )
    # knit: rows of V stitches
    knit = Image.new("L", (tile, tile), 128)
    draw = ImageDraw.Draw(knit)
    for row in range(0, tile, 8):
        for col in range(0, tile, 8):
            draw.line([(col, row), (col + 4, row + 7)], fill=215, width=2)
            draw.line([(col + 4, row + 7), (col + 8, row)], fill=70, width=2)
    c.save_tile(out / "mat_knit.png", Image.merge("LA", (knit, Image.new("L", (tile, tile), 170))))
    layers.append(
        {
            "file": "mat_knit.png",
            "when": "upper_material = 'knit'",
            "tint": "#b4b4b4",
            "blend": "overlay",
            "clip": "upper",
            "tile": True,
        }
    )
    return layers


def draw_toe_cap(out: Path) -> list[dict[str, object]]:
    shape = [
        (588, 500),
        (640, 506),
        (684, 518),
        (712, 536),
        (728, 562),
        (690, 575),
        (600, 575),
        (568, 540),
    ]
    mask = c.polygon(c.catmull(shape, steps=12))
    edge = c.canvas()
    c.dashed(c.catmull([(592, 512), (578, 540), (590, 570)], closed=False), 1.3, 4, 3, edge)
    lum = c.tone(
        {"r": c.bevel(mask, 10), "e": edge},
        lambda a: c.NEUTRAL + (a["r"] - 128) * 1.1 - a["e"] * 0.35,
    )
    c.save_la(out / "toe_cap.png", lum, mask)
    metal = c.canvas()
    c.line([(600, 514), (650, 516), (700, 532)], 5, base=metal)
    metal = c.blur(metal, 2.5)
    c.save_la(out / "toe_cap_metal.png", c.flat(255), metal)
    return [
        {"file": "toe_cap.png", "id": "toe_cap", "when": "toe_cap != 'none'", "tint": "toe_cap"},
        {
            "file": "toe_cap_metal.png",
            "when": "toe_cap = 'silver'",
            "tint": "#ffffff",
            "blend": "screen",
            "clip": "toe_cap",
        },
    ]


def draw_heel_tab(cut: str, out: Path) -> list[dict[str, object]]:
    back = COLLAR[cut]["back"]
    top = back[-1]
    x, y = top
    shape = [
        (x - 6, y - 26),
        (x + 18, y - 24),
        (x + 22, y + 4),
        (x + 14, y + 70),
        (x - 12, y + 72),
        (x - 16, y + 20),
    ]
    mask = c.polygon(c.catmull(shape, steps=10))
    stitch = c.canvas()
    c.dashed([(top[0] + 12, top[1] - 16), (top[0] + 8, top[1] + 64)], 1.2, 4, 3, stitch)
    c.dashed([(top[0] - 4, top[1] - 18), (top[0] - 8, top[1] + 64)], 1.2, 4, 3, stitch)
    lum = c.tone(
        {"r": c.bevel(mask, 6), "s": stitch},
        lambda a: c.NEUTRAL + (a["r"] - 128) * 1.1 + a["s"] * 0.15,
    )
    name = f"heel_tab_{cut}.png"
    c.save_la(out / name, lum, mask)
    foil = c.canvas()
    c.line([(top[0] + 2, top[1] - 18), (top[0] - 2, top[1] + 66)], 4, base=foil)
    c.save_la(out / f"heel_tab_foil_{cut}.png", c.flat(255), c.blur(foil, 2))
    return [
        {"file": name, "id": "heel_tab", "when": f"silhouette = '{cut}'", "tint": "heel_tab"},
        {
            "file": f"heel_tab_foil_{cut}.png",
            "when": f"silhouette = '{cut}' and heel_tab = 'gold'",
            "tint": "#ffffff",
            "blend": "screen",
            "clip": "heel_tab",
        },
    ]


def _cord(
    points: list[Point], width: float, base: Image.Image, closed: bool = False
) -> Image.Image:
    return c.line(c.catmull(points, closed=closed, steps=10), width, base=base)


def _lace_tone(over: Image.Image, under: Image.Image, width: float, seed: str) -> Image.Image:
    """Round cords lit from the top left: the crossings on top brighter, those below in
    their shadow; a fine weave along them."""
    weave = c.noise(seed, 1.2)
    shadow_over = c.blur(c.shift(over, 1.5, 2.5), 2)
    return c.tone(
        {
            "o": c.bevel(over, width / 2.2),
            "u": c.bevel(under, width / 2.2),
            "n": weave,
            "om": over,
            "sh": shadow_over,
        },
        lambda a: (
            c.NEUTRAL
            + 6
            + ((a["o"] - 128) * 1.4 + 10) * a["om"] / 255
            + ((a["u"] - 128) * 1.2 - 12 - a["sh"] * 0.25) * (255 - a["om"]) / 255
            + (a["n"] - 128) * 0.2
        ),
    )


def draw_eyelets_and_laces(cut: str, out: Path) -> list[dict[str, object]]:
    near, far = near_eyelets(cut), far_eyelets(cut)
    eyelets_rgb = c.canvas(0)
    eyelets_a = c.canvas(0)
    for (x, y), r in [(p, 6.0) for p in near] + [(p, 4.2) for p in far]:
        c.ellipse((x - r, y - r, x + r, y + r), fill=255, base=eyelets_a)
        c.ellipse((x - r, y - r, x + r, y + r), fill=150, base=eyelets_rgb)
        c.ellipse((x - r * 0.9, y - r * 0.95, x + r * 0.6, y + r * 0.5), fill=225, base=eyelets_rgb)
        c.ellipse(
            (x - r * 0.55, y - r * 0.55, x + r * 0.55, y + r * 0.55), fill=30, base=eyelets_rgb
        )
    eyelets_rgb = c.blur(eyelets_rgb, 0.4)
    c.save_la(out / f"eyelets_{cut}.png", eyelets_rgb, eyelets_a)
    # criss-cross: from each eyelet over the tongue to the next one on the other side;
    # the crossings from the near side lie on top
    width = 5.2
    over, under = c.canvas(), c.canvas()
    for i in range(len(near) - 1):
        _cord([far[i], near[i + 1]], width, under)
        _cord([near[i], far[i + 1]], width, over)
    _cord([near[-1], far[-1]], width, under)  # the bottom bar, tucked under
    _cord([near[0], far[0]], width, over)
    # the bow above the top crossing: two loops and two tails falling over the quarter
    bx, by = (near[0][0] + far[0][0]) / 2 - 2, (near[0][1] + far[0][1]) / 2 - 4
    for loop in (
        [(bx, by), (bx - 22, by - 26), (bx - 40, by - 22), (bx - 30, by - 6), (bx, by)],
        [(bx, by), (bx + 12, by - 30), (bx + 30, by - 34), (bx + 30, by - 14), (bx, by)],
    ):
        _cord(loop, width * 0.9, over)
    for tail in (
        [(bx, by), (bx - 10, by + 26), (bx - 20, by + 52), (bx - 30, by + 70)],
        [(bx, by), (bx + 6, by + 28), (bx + 2, by + 56), (bx + 8, by + 78)],
    ):
        _cord(tail, width * 0.9, over)
    knot = c.ellipse((bx - 6, by - 6, bx + 6, by + 6))
    over = union(over, knot)
    under = c.subtract(under, over)
    laces = union(over, under)
    lum = _lace_tone(over, under, width, f"lace-{cut}")
    shadow = c.drop_shadow(laces, 2, 3, 2.5, 0.5)
    alpha = union(laces, shadow)
    lum = Image.composite(lum, c.flat(20), laces)
    c.save_la(out / f"laces_{cut}.png", lum, alpha)
    layers: list[dict[str, object]] = [
        {
            "file": f"eyelets_{cut}.png",
            "when": f"silhouette = '{cut}' and laces != 'elastic'",
            "tint": "#c8c8cc",
        },
        {
            "file": f"laces_{cut}.png",
            "id": "laces",
            "when": f"silhouette = '{cut}' and laces != 'elastic'",
            "tint": "laces",
        },
    ]
    return layers


def draw_elastic(out: Path) -> list[dict[str, object]]:
    """Slip-on cords (low cut only): a thin zigzag between the eyestays and a toggle."""
    near, far = near_eyelets("low"), far_eyelets("low")
    width = 3.6
    over, under = c.canvas(), c.canvas()
    for i in range(len(near) - 1):
        _cord([far[i], near[i + 1]], width, under)
        _cord([near[i], far[i + 1]], width, over)
    # both ends pulled through a toggle stopper above the top crossing
    tx, ty = (near[0][0] + far[0][0]) / 2 - 8, (near[0][1] + far[0][1]) / 2 - 10
    _cord([near[0], (tx + 2, ty + 6)], width, over)
    _cord([far[0], (tx + 4, ty + 4)], width, over)
    _cord([(tx, ty), (tx - 12, ty + 26), (tx - 18, ty + 44)], width, over)
    toggle = c.polygon(
        [(tx - 26, ty + 38), (tx - 8, ty + 34), (tx - 4, ty + 54), (tx - 22, ty + 58)]
    )
    over = union(over, toggle)
    under = c.subtract(under, over)
    cord = union(over, under)
    lum = _lace_tone(over, under, width, "elastic")
    alpha = union(cord, c.drop_shadow(cord, 2, 3, 2, 0.45))
    lum = Image.composite(lum, c.flat(20), cord)
    c.save_la(out / "laces_elastic.png", lum, alpha)
    return [
        {"file": "laces_elastic.png", "id": "laces", "when": "laces = 'elastic'", "tint": "laces"}
    ]


def draw_reflective(out: Path) -> dict[str, object]:
    sparkle = c.fine_noise("reflective", (64, 64)).point(lambda v: 255 if v > 200 else 0)
    c.save_tile(
        out / "laces_reflective.png", Image.merge("LA", (Image.new("L", (64, 64), 255), sparkle))
    )
    return {
        "file": "laces_reflective.png",
        "when": "laces = 'reflective'",
        "tint": "#ffffff",
        "blend": "screen",
        "clip": "laces",
        "tile": True,
    }


def draw_soles(out: Path) -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    top = sole_top()
    for kind, bottom_drop in (("cup", 0), ("crepe", 4), ("foam", 10)):
        bottom = GROUND + bottom_drop
        outline = top + [
            (734, 572),
            (726, bottom - 12),
            (700, bottom),
            (140, bottom),
            (98, bottom - 6),
            (86, 586),
        ]
        mask = c.polygon(c.catmull(outline, steps=12))
        parts = {"r": c.bevel(mask, 7), "m": mask}
        details = c.canvas()
        if kind == "cup":
            c.line(c.catmull([(100, 578), (400, 582), (728, 574)], closed=False), 1.6, base=details)
            c.dashed(
                c.catmull([(106, 570), (400, 574), (716, 566)], closed=False), 1.2, 4, 3, details
            )
            tread = c.canvas()
            for x in range(110, 720, 9):
                c.line([(x, bottom - 7), (x + 3, bottom - 1)], 2.4, base=tread)
            parts["t"] = tread
        elif kind == "crepe":
            parts["t"] = c.noise("crepe", 3.5)
        else:
            c.line(
                c.catmull(
                    [(96, 592), (250, 600), (420, 588), (580, 600), (730, 584)], closed=False
                ),
                2,
                base=details,
            )
            parts["t"] = c.canvas()
        parts["d"] = c.blur(details, 0.8)
        if kind == "crepe":
            lum = c.tone(
                parts,
                lambda a: c.NEUTRAL + (a["r"] - 128) * 1.0 + (a["t"] - 128) * 0.18 - a["d"] * 0.3,
            )
        else:
            lum = c.tone(
                parts, lambda a: c.NEUTRAL + (a["r"] - 128) * 1.0 - a["d"] * 0.3 - a["t"] * 0.25
            )
        lum = ImageChops.multiply(lum, c.linear_gradient((0, 560), (0, bottom), 255, 205))
        name = f"sole_{kind}.png"
        c.save_la(out / name, lum, mask)
        when = {
            "cup": "sole in ['rubber_white', 'rubber_black', 'gum']",
            "crepe": "sole = 'crepe'",
            "foam": "sole = 'foam'",
        }[kind]
        layers.append({"file": name, "id": "sole", "when": when, "tint": "sole"})
    gum = c.level(c.noise("gum", 2.0, 128), 90, 170)
    c.save_tile(out / "sole_gum.png", Image.merge("LA", (gum, Image.new("L", (128, 128), 130))))
    layers.append(
        {
            "file": "sole_gum.png",
            "when": "sole = 'gum'",
            "tint": "#d09050",
            "blend": "soft_light",
            "clip": "sole",
            "tile": True,
        }
    )
    return layers


def draw_shadow(out: Path) -> dict[str, object]:
    mask = c.ellipse((70, GROUND - 14, 760, GROUND + 20))
    shadow = c.scale_alpha(c.blur(mask, 12), 0.55)
    contact = c.scale_alpha(c.blur(c.ellipse((100, GROUND - 6, 730, GROUND + 8)), 4), 0.5)
    c.save_la(out / "shadow.png", c.flat(30), union(shadow, contact))
    return {"file": "shadow.png", "tint": "#403830", "blend": "normal"}


def draw(out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    layers: list[dict[str, object]] = [draw_shadow(out)]
    linings = {cut: draw_lining(cut, out) for cut in CUTS}
    for cut in CUTS:
        layers.extend(linings[cut][:1])
    layers.extend(draw_lining_textures(out))
    for cut in CUTS:
        layers.append(draw_upper(cut, out))
    layers.extend(draw_materials(out))
    layers.extend(draw_toe_cap(out))
    soles = draw_soles(out)
    layers.extend(soles)
    for cut in CUTS:
        layers.extend(draw_heel_tab(cut, out))
    for cut in CUTS:
        layers.extend(linings[cut][1:])
    for cut in CUTS:
        layers.extend(draw_eyelets_and_laces(cut, out))
    layers.extend(draw_elastic(out))
    layers.append(draw_reflective(out))
    layers.append(
        {
            "text": "monogram",
            "box": [150, 488, 250, 530],
            "angle": 4,
            "font": "DejaVuSerif",
            "size": [16, 34],
            "colour_from": "upper_colour",
            "shade": 0.55,
            "effect": "deboss",
            "uppercase": False,
        }
    )
    return {"art": {"size": 800, "background": "#f3efe8"}, "layers": layers}
