"""Ring art: a tiny painter's-algorithm renderer for the band, the stone and its setting.

The ring stands upright, seen from a little above (TILT). Surfaces are cut into small
quads, sorted back to front and filled with a luminance from their normal: metals
reflect a studio (soft boxes, a dark horizon), stones get a high-contrast facet pattern.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from . import common as c

TILT = math.radians(34)
CX, CY = 400, 432
R_OUT, R_IN = 186, 162
WIDTHS = {"w2": 24, "w3": 34, "w4": 44, "w5": 54, "w6": 64}
CARATS = {
    "ct_025": 0.25,
    "ct_050": 0.5,
    "ct_075": 0.75,
    "ct_100": 1.0,
    "ct_150": 1.5,
    "ct_200": 2.0,
}
CUTS = ("round", "princess", "oval", "emerald_cut", "pear", "cushion")
GEM_Y = R_OUT + 16  # the girdle height above the ring centre
FONT_DIR = Path(__file__).resolve().parents[2] / "configurator" / "domain" / "rendering" / "fonts"

Vec = tuple[float, float, float]
VIEW: Vec = (0.0, math.sin(TILT), math.cos(TILT))


def project(p: Vec) -> tuple[float, float]:
    x, y, z = p
    return CX + x, CY - y * math.cos(TILT) + z * math.sin(TILT)


def depth(p: Vec) -> float:
    return p[2] * math.cos(TILT) + p[1] * math.sin(TILT)


def norm(v: Vec) -> Vec:
    length = math.sqrt(sum(k * k for k in v)) or 1.0
    return (v[0] / length, v[1] / length, v[2] / length)


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def studio(n: Vec) -> int:
    """Luminance a polished metal surface with normal n shows (a reflected studio)."""
    d = dot(n, VIEW)
    r = (2 * d * n[0] - VIEW[0], 2 * d * n[1] - VIEW[1], 2 * d * n[2] - VIEW[2])
    e = 0.42 + 0.45 * max(0.0, min(1.0, (r[1] + 0.1) / 0.7))
    e -= 0.42 * math.exp(-(((r[1] - 0.02) / 0.13) ** 2))
    e += 0.55 * math.exp(-(((r[0] - 0.55) / 0.13) ** 2)) * (1 if r[1] > -0.3 else 0.3)
    e += 0.35 * math.exp(-(((r[0] + 0.5) / 0.22) ** 2))
    e -= 0.15 * max(0.0, -r[1])
    return max(0, min(255, round(35 + 205 * e)))


Quad = tuple[Sequence[Vec], Vec, int]


def paint(quads: list[Quad], edges: int | None = None) -> tuple[Image.Image, Image.Image]:
    """Draw quads back to front; returns (luminance, alpha) on the supersampled canvas."""
    lum, mask = c.canvas(), c.canvas()
    dl, dm = ImageDraw.Draw(lum), ImageDraw.Draw(mask)
    visible = [q for q in quads if dot(q[1], VIEW) > 0]
    visible.sort(key=lambda q: sum(depth(p) for p in q[0]) / len(q[0]))
    for points, _, value in visible:
        flat = [(x * c.SS, y * c.SS) for x, y in (project(p) for p in points)]
        outline = value if edges is None else edges
        dl.polygon(flat, fill=value, outline=outline)
        dm.polygon(flat, fill=255, outline=255)
    return lum, mask


def band_quads(width: float, gap: float = 0.0, steps: int = 240) -> list[Quad]:
    """The band: outer, inner, front and back faces, with softly rounded edges."""
    quads: list[Quad] = []
    half = width / 2
    zs = [-half + width * k / 8 for k in range(9)]
    for i in range(steps):
        a0, a1 = math.tau * i / steps, math.tau * (i + 1) / steps
        mid = (a0 + a1) / 2
        if gap and abs(math.atan2(math.sin(mid - math.pi / 2), math.cos(mid - math.pi / 2))) < gap:
            continue
        c0, s0, c1, s1 = math.cos(a0), math.sin(a0), math.cos(a1), math.sin(a1)
        for k in range(8):
            z0, z1 = zs[k], zs[k + 1]
            zm = (z0 + z1) / 2 / half
            bulge = 0.9 * zm**3
            n_out = norm((math.cos(mid), math.sin(mid), bulge))
            pts_out = [
                (R_OUT * c0, R_OUT * s0, z0),
                (R_OUT * c1, R_OUT * s1, z0),
                (R_OUT * c1, R_OUT * s1, z1),
                (R_OUT * c0, R_OUT * s0, z1),
            ]
            quads.append((pts_out, n_out, studio(n_out)))
            n_in = norm((-math.cos(mid), -math.sin(mid), bulge * 0.5))
            pts_in = [
                (R_IN * c0, R_IN * s0, z0),
                (R_IN * c1, R_IN * s1, z0),
                (R_IN * c1, R_IN * s1, z1),
                (R_IN * c0, R_IN * s0, z1),
            ]
            quads.append((pts_in, n_in, max(0, studio(n_in) - 30)))
        for z, sign in ((half, 1.0), (-half, -1.0)):
            n_face = norm((math.cos(mid) * 0.25, math.sin(mid) * 0.25, sign))
            pts_face = [
                (R_IN * c0, R_IN * s0, z),
                (R_OUT * c0, R_OUT * s0, z),
                (R_OUT * c1, R_OUT * s1, z),
                (R_IN * c1, R_IN * s1, z),
            ]
            quads.append((pts_face, n_face, studio(n_face)))
    return quads


def draw_band(out: Path) -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    for wid, width in WIDTHS.items():
        for tension in (False, True):
            lum, mask = paint(band_quads(width, gap=0.2 if tension else 0.0))
            name = f"band_{'tension_' if tension else ''}{wid}.png"
            c.save_la(out / name, lum, mask)
            cond = "setting = 'tension'" if tension else "setting != 'tension'"
            layers.append(
                {
                    "file": name,
                    "id": "band",
                    "when": f"band_width = '{wid}' and {cond}",
                    "tint": "metal",
                }
            )
    return layers


def draw_shadow(out: Path) -> dict[str, object]:
    bottom = CY + R_OUT * math.cos(TILT) + 30
    shadow = c.scale_alpha(
        c.blur(c.ellipse((CX - 210, bottom - 22, CX + 210, bottom + 26)), 14), 0.5
    )
    contact = c.scale_alpha(c.blur(c.ellipse((CX - 90, bottom - 12, CX + 90, bottom + 6)), 5), 0.45)
    c.save_la(out / "shadow.png", c.flat(30), ImageChops.lighter(shadow, contact))
    return {"file": "shadow.png", "tint": "#3a3430"}


def draw_finishes(out: Path) -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    # brushed: fine lines running round the band
    brushed = c.canvas(128)
    draw = ImageDraw.Draw(brushed)
    rng = random.Random("brushed")
    for k in range(520):
        radius = R_IN - 40 + k * 0.18
        shift_y = rng.uniform(-30, 30)
        ry = radius * math.cos(TILT)
        box = [
            (CX - radius) * c.SS,
            (CY - ry + shift_y) * c.SS,
            (CX + radius) * c.SS,
            (CY + ry + shift_y) * c.SS,
        ]
        draw.ellipse(box, outline=rng.choice([70, 100, 160, 190]), width=1)
    brushed = c.blur(brushed, 0.4)
    c.save_la(out / "finish_brushed.png", brushed, c.canvas(200))
    layers.append(
        {
            "file": "finish_brushed.png",
            "when": "band_finish = 'brushed'",
            "tint": "#b8b8b8",
            "blend": "soft_light",
            "clip": "band",
        }
    )
    # hammered: overlapping shallow dimples
    rng = random.Random("hammered")
    dimples = c.canvas()
    for _ in range(900):
        a = rng.uniform(0, math.tau)
        rad = rng.uniform(R_IN - 10, R_OUT + 10)
        z = rng.uniform(-35, 35)
        x, y = project((rad * math.cos(a), rad * math.sin(a), z))
        r = rng.uniform(5, 10)
        c.ellipse(
            (x - r, y - r * 0.8, x + r, y + r * 0.8), fill=rng.choice([255, 190, 120]), base=dimples
        )
    relief = c.bevel(dimples, 2.5)
    c.save_la(out / "finish_hammered.png", relief, c.canvas(255))
    layers.append(
        {
            "file": "finish_hammered.png",
            "when": "band_finish = 'hammered'",
            "tint": "#b8b8b8",
            "blend": "overlay",
            "clip": "band",
        }
    )
    # polished: crisp glints
    glint = c.canvas()
    for angle, z in ((62, 8), (118, -6), (250, 10), (290, -4)):
        a = math.radians(angle)
        x, y = project((R_OUT * math.cos(a), R_OUT * math.sin(a), z))
        c.ellipse((x - 10, y - 3, x + 10, y + 3), base=glint)
    glint = ImageChops.lighter(c.blur(glint, 1), c.scale_alpha(c.blur(glint, 7), 0.8))
    c.save_la(out / "finish_polished.png", c.flat(255), glint)
    layers.append(
        {
            "file": "finish_polished.png",
            "when": "band_finish = 'polished'",
            "tint": "#ffffff",
            "blend": "screen",
            "clip": "band",
        }
    )
    return layers


def draw_hallmarks(out: Path) -> list[dict[str, object]]:
    marks = {
        "925": ["silver"],
        "375": ["gold9_yellow", "gold9_white", "gold9_rose"],
        "750": ["gold18_yellow", "gold18_white", "gold18_rose"],
        "PT950": ["platinum"],
    }
    layers: list[dict[str, object]] = []
    face = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), round(9 * c.SS))
    for mark, metals in marks.items():
        a = math.radians(202)  # beyond the left end of the longest engraving
        x, y = project((R_IN * math.cos(a), R_IN * math.sin(a), 0))
        text = c.canvas()
        ImageDraw.Draw(text).text((x * c.SS, y * c.SS), mark, font=face, fill=255, anchor="mm")
        text = text.rotate(-64, resample=Image.Resampling.BICUBIC, center=(x * c.SS, y * c.SS))
        rgb = Image.new("RGB", text.size, (40, 36, 30))
        name = f"hallmark_{mark.lower()}.png"
        c.save_rgba(out / name, rgb, c.scale_alpha(text, 0.55))
        listed = ", ".join(f"'{m}'" for m in metals)
        layers.append({"file": name, "when": f"metal in [{listed}]"})
    return layers


def engraving_texts() -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    rx, ry = R_IN, R_IN * math.cos(TILT)
    radius = rx * rx / ry
    centre_y = CY + ry - radius
    for wid, width in WIDTHS.items():
        height = width * math.sin(TILT) * 0.95
        layers.append(
            {
                "text": "engraving",
                "when": f"band_width = '{wid}'",
                "arc": {
                    "cx": CX,
                    "cy": round(centre_y, 1),
                    "radius": round(radius, 1),
                    "start": 134,
                    "end": 46,
                    "height": round(height, 1),
                },
                "font": "DejaVuSerif-Italic",
                # 30 "Ю" (the widest band's longest engraving) fit at 8 px
                "size": [8, 24],
                "colour_from": "metal",
                "shade": 0.42,
                "effect": "deboss",
            }
        )
    return layers


# --- stones -------------------------------------------------------------------------


def outline(cut: str, phi: float) -> tuple[float, float]:
    """The girdle outline in the x-z plane, inside the unit circle."""
    cs, sn = math.cos(phi), math.sin(phi)
    if cut == "round":
        return cs, sn
    if cut == "oval":
        return cs, 0.72 * sn
    if cut == "princess":
        k = 1 / max(abs(cs), abs(sn)) / math.sqrt(2)
        return k * cs, k * sn
    if cut == "emerald_cut":
        k = 1 / max(abs(cs) / 1.0, abs(sn) / 0.7, (abs(cs) + abs(sn) / 0.7) / 1.55)
        return k * cs, k * sn
    if cut == "pear":
        return cs, 0.7 * sn * math.sqrt((1 + cs) / 2) * 1.15
    k = (abs(cs) ** 4 + abs(sn) ** 4) ** -0.25 / 2**0.25
    return k * cs, k * sn


def gem_radius(carat: str) -> float:
    return 24 * CARATS[carat] ** (1 / 3) / 0.25 ** (1 / 3) * 1.25


def facet_value(n: Vec, seed: int) -> int:
    rng = random.Random(seed)
    d = dot(n, VIEW)
    r = (2 * d * n[0] - VIEW[0], 2 * d * n[1] - VIEW[1], 2 * d * n[2] - VIEW[2])
    wave = 0.5 + 0.5 * math.sin(9 * r[0] + 5 * r[1] + 13 * r[2])
    base = 0.45 * wave + 0.55 * rng.random()
    return max(0, min(255, round(40 + 215 * base**1.3)))


def gem_quads(cut: str, rad: float, steps: int = 24) -> list[Quad]:
    quads: list[Quad] = []
    y0 = GEM_Y
    crown, table, pav = rad * 0.34, 0.56, rad * 0.85
    ring = [outline(cut, math.tau * i / steps) for i in range(steps)]
    girdle = [(rad * x, y0, rad * z) for x, z in ring]
    mid = [(rad * 0.8 * x, y0 + crown * 0.55, rad * 0.8 * z) for x, z in ring]
    top = [(rad * table * x, y0 + crown, rad * table * z) for x, z in ring]
    low = [(rad * 0.5 * x, y0 - pav * 0.55, rad * 0.5 * z) for x, z in ring]
    culet = (0.0, y0 - pav, 0.0)
    seed = 0

    def face(points: list[Vec], up: bool) -> None:
        nonlocal seed
        seed += 1
        n = norm(
            cross(
                (
                    points[1][0] - points[0][0],
                    points[1][1] - points[0][1],
                    points[1][2] - points[0][2],
                ),
                (
                    points[2][0] - points[0][0],
                    points[2][1] - points[0][1],
                    points[2][2] - points[0][2],
                ),
            )
        )
        if (n[1] < 0) == up:
            n = (-n[0], -n[1], -n[2])
        quads.append((points, n, facet_value(n, seed * 7919 + steps)))

    for i in range(steps):
        j = (i + 1) % steps
        face([girdle[i], girdle[j], mid[j], mid[i]], True) if cut == "emerald_cut" else (
            face([girdle[i], girdle[j], mid[j]], True),
            face([girdle[i], mid[j], mid[i]], True),
        )
        face([mid[i], mid[j], top[j], top[i]], True)
        face([girdle[i], low[i], low[j], girdle[j]], False)
        face([low[i], culet, low[j]], False)
    table_n: Vec = (0.0, 1.0, 0.0)
    quads.append((top, table_n, 150))
    return quads


def draw_gems(out: Path) -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    for cut in CUTS:
        for carat in CARATS:
            rad = gem_radius(carat)
            lum, mask = paint(gem_quads(cut, rad), edges=None)
            # the table: a soft window with a darker centre
            tx, ty = project((0, GEM_Y + rad * 0.34, 0))
            window = c.blur(
                c.ellipse((tx - rad * 0.35, ty - rad * 0.2, tx + rad * 0.35, ty + rad * 0.2)), 3
            )
            lum = Image.composite(c.flat(110), lum, ImageChops.multiply(window, c.canvas(120)))
            name = f"gem_{cut}_{carat}.png"
            c.save_la(out / name, lum, mask)
            layers.append(
                {
                    "file": name,
                    "id": "gem",
                    "when": f"gem != 'none' and cut = '{cut}' and carat = '{carat}'",
                    "tint": "gem",
                }
            )
    return layers


def sparkle_layers(out: Path) -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    for carat in CARATS:
        rad = gem_radius(carat)
        cx, cy = project((0, GEM_Y + rad * 0.2, 0))
        rng = random.Random(f"fire-{carat}")
        fire_rgb = Image.new("RGB", (c.BIG, c.BIG))
        fire_a = c.canvas()
        for _ in range(26):
            x, y = cx + rng.uniform(-rad, rad), cy + rng.uniform(-rad * 0.7, rad * 0.5)
            r = rng.uniform(1.5, 3.5)
            dot_mask = c.ellipse((x - r, y - r, x + r, y + r))
            colour = rng.choice(
                [(255, 80, 80), (80, 200, 255), (255, 220, 60), (120, 255, 140), (200, 120, 255)]
            )
            fire_rgb = Image.composite(Image.new("RGB", fire_rgb.size, colour), fire_rgb, dot_mask)
            fire_a = ImageChops.lighter(fire_a, dot_mask)
        c.save_rgba(out / f"fire_{carat}.png", fire_rgb, c.blur(fire_a, 0.5))
        layers.append(
            {
                "file": f"fire_{carat}.png",
                "when": f"gem = 'moissanite' and carat = '{carat}'",
                "clip": "gem",
            }
        )
        stars = c.canvas()
        for _ in range(4):
            x, y = cx + rng.uniform(-rad * 0.7, rad * 0.7), cy + rng.uniform(-rad * 0.5, rad * 0.3)
            size = rng.uniform(5, 9) * (rad / 30)
            c.line([(x - size, y), (x + size, y)], 1.2, base=stars)
            c.line([(x, y - size), (x, y + size)], 1.2, base=stars)
            c.ellipse((x - 2, y - 2, x + 2, y + 2), base=stars)
        stars = ImageChops.lighter(c.blur(stars, 0.6), c.scale_alpha(c.blur(stars, 3), 0.7))
        c.save_la(out / f"glint_{carat}.png", c.flat(255), stars)
        layers.append(
            {
                "file": f"glint_{carat}.png",
                "when": f"gem = 'diamond' and carat = '{carat}'",
                "tint": "#ffffff",
                "blend": "screen",
            }
        )
    return layers


# --- settings -----------------------------------------------------------------------


def cylinder(p0: Vec, p1: Vec, radius: float, steps: int = 16) -> list[Quad]:
    axis = norm((p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]))
    helper: Vec = (1.0, 0.0, 0.0) if abs(axis[0]) < 0.9 else (0.0, 0.0, 1.0)
    u = norm(cross(axis, helper))
    v = cross(axis, u)
    quads: list[Quad] = []
    for i in range(steps):
        a0, a1 = math.tau * i / steps, math.tau * (i + 1) / steps
        am = (a0 + a1) / 2
        d0 = tuple(radius * (math.cos(a0) * u[k] + math.sin(a0) * v[k]) for k in range(3))
        d1 = tuple(radius * (math.cos(a1) * u[k] + math.sin(a1) * v[k]) for k in range(3))
        n = norm(tuple(math.cos(am) * u[k] + math.sin(am) * v[k] for k in range(3)))  # type: ignore[arg-type]
        pts = [
            tuple(p0[k] + d0[k] for k in range(3)),
            tuple(p0[k] + d1[k] for k in range(3)),
            tuple(p1[k] + d1[k] for k in range(3)),
            tuple(p1[k] + d0[k] for k in range(3)),
        ]
        quads.append((pts, n, studio(n)))  # type: ignore[arg-type]
    return quads


def ring_wall(
    radius: float, y0: float, y1: float, steps: int = 64, front: bool | None = None
) -> list[Quad]:
    quads: list[Quad] = []
    for i in range(steps):
        a0, a1 = math.tau * i / steps, math.tau * (i + 1) / steps
        am = (a0 + a1) / 2
        if front is not None and (math.sin(am) > 0) != front:
            continue
        n = norm((math.cos(am), 0.15, math.sin(am)))
        pts = [
            (radius * math.cos(a0), y0, radius * math.sin(a0)),
            (radius * math.cos(a1), y0, radius * math.sin(a1)),
            (radius * math.cos(a1), y1, radius * math.sin(a1)),
            (radius * math.cos(a0), y1, radius * math.sin(a0)),
        ]
        quads.append((pts, n, studio(n)))
    return quads


def disc(radius: float, y: float, steps: int = 64) -> list[Quad]:
    quads: list[Quad] = []
    for i in range(steps):
        a0, a1 = math.tau * i / steps, math.tau * (i + 1) / steps
        n = norm((0.3 * math.cos((a0 + a1) / 2), 1.0, 0.3 * math.sin((a0 + a1) / 2)))
        pts = [
            (0.0, y, 0.0),
            (radius * math.cos(a0), y, radius * math.sin(a0)),
            (radius * math.cos(a1), y, radius * math.sin(a1)),
        ]
        quads.append((pts, n, studio(n)))
    return quads


def small_stones(
    points: list[tuple[float, float]], r: float, seed: str
) -> tuple[Image.Image, Image.Image]:
    rng = random.Random(seed)
    rgb = Image.new("RGB", (c.BIG, c.BIG))
    alpha = c.canvas()
    for x, y in points:
        mask = c.ellipse((x - r, y - r * 0.85, x + r, y + r * 0.85))
        shade = c.tone({"b": c.bevel(mask, r * 0.4)}, lambda a: 180 + (a["b"] - 128) * 2.0)
        sparkle = c.ellipse((x - r * 0.4 + rng.uniform(-1, 1), y - r * 0.4, x + r * 0.1, y))
        col = Image.merge("RGB", (shade, shade, ImageChops.add(shade, c.canvas(12))))
        col = Image.composite(Image.new("RGB", col.size, (255, 255, 255)), col, sparkle)
        rgb = Image.composite(col, rgb, mask)
        alpha = ImageChops.lighter(alpha, mask)
        rim = ImageChops.subtract(
            c.ellipse((x - r - 1.2, y - r - 1.2, x + r + 1.2, y + r + 1.2)), mask
        )
        rgb = Image.composite(Image.new("RGB", rgb.size, (90, 90, 90)), rgb, rim)
        alpha = ImageChops.lighter(alpha, rim)
    return rgb, alpha


def draw_settings(out: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    back: list[dict[str, object]] = []
    front: list[dict[str, object]] = []
    for carat in CARATS:
        rad = gem_radius(carat)
        when = f"carat = '{carat}' and gem != 'none'"
        # solitaire: a head under the stone and four claws
        head = ring_wall(rad * 0.45, R_OUT - 6, GEM_Y - rad * 0.5) + cylinder(
            (0, R_OUT - 4, 0), (0, GEM_Y - rad * 0.6, 0), rad * 0.3
        )
        claws_back, claws_front = [], []
        for k in (45, 135, 225, 315):
            a = math.radians(k)
            x, z = rad * 0.97 * math.cos(a), rad * 0.97 * math.sin(a)
            quads = cylinder(
                (x * 0.5, R_OUT - 2, z * 0.5), (x, GEM_Y + rad * 0.2, z), 2.6 + rad * 0.06
            )
            (claws_front if z > 0 else claws_back).extend(quads)
        lum, mask = paint(head + claws_back)
        c.save_la(out / f"solitaire_back_{carat}.png", lum, mask)
        lum, mask = paint(claws_front)
        c.save_la(out / f"solitaire_front_{carat}.png", lum, mask)
        back.append(
            {
                "file": f"solitaire_back_{carat}.png",
                "when": f"setting = 'solitaire' and {when}",
                "tint": "metal",
            }
        )
        front.append(
            {
                "file": f"solitaire_front_{carat}.png",
                "when": f"setting = 'solitaire' and {when}",
                "tint": "metal",
            }
        )
        # bezel: a collar of metal round the girdle
        for side, is_front in (("back", False), ("front", True)):
            walls = ring_wall(rad * 1.08, GEM_Y - rad * 0.35, GEM_Y + rad * 0.12, front=is_front)
            if not is_front:
                walls = walls + cylinder((0, R_OUT - 4, 0), (0, GEM_Y - rad * 0.3, 0), rad * 0.85)
            lum, mask = paint(walls)
            c.save_la(out / f"bezel_{side}_{carat}.png", lum, mask)
            (front if is_front else back).append(
                {
                    "file": f"bezel_{side}_{carat}.png",
                    "when": f"setting = 'bezel' and {when}",
                    "tint": "metal",
                }
            )
        # halo: a plate of small stones round the centre stone
        plate = disc(rad * 1.5, GEM_Y - rad * 0.08) + cylinder(
            (0, R_OUT - 4, 0), (0, GEM_Y - rad * 0.2, 0), rad * 0.6
        )
        lum, mask = paint(plate)
        c.save_la(out / f"halo_{carat}.png", lum, mask)
        count = max(12, round(rad * 0.7))
        points = [
            project(
                (
                    rad * 1.28 * math.cos(math.tau * i / count),
                    GEM_Y - rad * 0.05,
                    rad * 1.28 * math.sin(math.tau * i / count),
                )
            )
            for i in range(count)
        ]
        rgb, alpha = small_stones(points, max(3.0, rad * 0.16), f"halo-{carat}")
        c.save_rgba(out / f"halo_stones_{carat}.png", rgb, alpha)
        back.append(
            {"file": f"halo_{carat}.png", "when": f"setting = 'halo' and {when}", "tint": "metal"}
        )
        back.append({"file": f"halo_stones_{carat}.png", "when": f"setting = 'halo' and {when}"})
        # tension: the band's two ends press the stone from the sides
        clamps = []
        for sign in (-1, 1):
            clamps += cylinder((sign * (rad + 14), R_OUT - 10, 0), (sign * rad * 0.9, GEM_Y, 0), 9)
        lum, mask = paint(clamps)
        c.save_la(out / f"tension_{carat}.png", lum, mask)
        front.append(
            {
                "file": f"tension_{carat}.png",
                "when": f"setting = 'tension' and {when}",
                "tint": "metal",
            }
        )
    return back, front


def draw_pave(out: Path) -> list[dict[str, object]]:
    layers: list[dict[str, object]] = []
    for wid, width in WIDTHS.items():
        points = []
        for deg in range(22, 159, 8):
            if abs(deg - 90) < 16:
                continue
            a = math.radians(deg)
            for z in (0.0,) if width < 40 else (-width * 0.22, width * 0.22):
                points.append(project((R_OUT * math.cos(a), R_OUT * math.sin(a), z)))
        rgb, alpha = small_stones(points, 4.2 if width < 40 else 3.8, f"pave-{wid}")
        name = f"pave_{wid}.png"
        c.save_rgba(out / name, rgb, alpha)
        layers.append(
            {"file": name, "when": f"setting = 'pave' and gem != 'none' and band_width = '{wid}'"}
        )
    return layers


def draw(out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    layers: list[dict[str, object]] = [draw_shadow(out)]
    layers.extend(draw_band(out))
    layers.extend(draw_finishes(out))
    layers.extend(draw_hallmarks(out))
    layers.extend(engraving_texts())
    layers.extend(draw_pave(out))
    back, front = draw_settings(out)
    layers.extend(back)
    layers.extend(draw_gems(out))
    layers.extend(sparkle_layers(out))
    layers.extend(front)
    return {"art": {"size": 800, "background": "#f2f0ed"}, "layers": layers}
