"""Render a dozen varied valid designs per product into docs/previews.png.

    python scripts/contact_sheet.py [--per-product 12] [--out docs/previews.png]

Designs are random valid completions from the engine (seeded, so the sheet is
reproducible), with a few shopper texts added where the product takes one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from configurator.domain.engine import compile_catalog, load_catalog  # noqa: E402
from configurator.domain.rendering import load_art, render  # noqa: E402
from configurator.domain.rendering.text import font  # noqa: E402

PRODUCTS = [
    ("shoes", "monogram", ["AB", "JMK", "", "Z", "", "MW"]),
    ("chocolate", "name_on_wrapper", ["For Ada", "Happy Birthday!", "", "Merci!", "Grandma"]),
    ("jewellery", "engraving", ["Always", "12.06.21", "", "A & M", "Forever yours"]),
]
TILE = 300


def designs(folder: str, text_attr: str, texts: list[str], count: int) -> list[Image.Image]:
    """``count`` random valid designs, a shopper's text on most of them. A text the rules
    refuse for a design (too long, wrong letters) is left off; a text the rules allow but
    the picture refuses stops the script (that is a defect of the art)."""
    catalog = load_catalog(ROOT / "catalog" / folder)
    engine = compile_catalog(catalog)
    art = load_art(ROOT / "catalog" / folder / "art")
    pictures = []
    for seed in range(count):
        choices = engine.complete({}, "random", seed=seed)
        text = texts[seed % len(texts)]
        if text and engine.configure({**choices, text_attr: text}, explain=False)["complete"]:
            choices[text_attr] = text
        pictures.append(render(art, catalog, choices, "300"))
    return pictures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-product", type=int, default=12)
    parser.add_argument("--out", default=str(ROOT / "docs" / "previews.png"))
    args = parser.parse_args()
    columns = 6
    rows_per = (args.per_product + columns - 1) // columns
    header = 44
    sheet = Image.new(
        "RGB", (columns * TILE, len(PRODUCTS) * (rows_per * TILE + header)), (250, 248, 244)
    )
    draw = ImageDraw.Draw(sheet)
    y = 0
    for folder, attr, texts in PRODUCTS:
        name = load_catalog(ROOT / "catalog" / folder).name
        draw.text(
            (16, y + 30), name, font=font("DejaVuSans-Bold", 24), fill=(40, 36, 32), anchor="ls"
        )
        y += header
        for i, picture in enumerate(designs(folder, attr, texts, args.per_product)):
            sheet.paste(picture, ((i % columns) * TILE, y + (i // columns) * TILE))
        y += rows_per * TILE
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    print(f"wrote {args.out} ({sheet.width}x{sheet.height})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
