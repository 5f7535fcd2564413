"""Draw the preview art of the seed catalogs (reproducible: same files on every run).

    python scripts/draw_art.py                 # all products
    python scripts/draw_art.py sneaker ring    # some of them

Writes catalog/<folder>/art/*.png and catalog/<folder>/art/manifest.toml. The drawing
is supersampled and brought down once with LANCZOS; the renderer never supersamples.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.art import chocolate, ring, sneaker  # noqa: E402

PRODUCTS = {
    "sneaker": (sneaker, ROOT / "catalog" / "shoes" / "art"),
    "chocolate-bar": (chocolate, ROOT / "catalog" / "chocolate" / "art"),
    "ring": (ring, ROOT / "catalog" / "jewellery" / "art"),
}

HEADER = """\
# Preview art of this catalog, drawn by scripts/draw_art.py (do not edit by hand:
# change the script and run it again). Format: docs/previews.md.
"""


def main(argv: list[str]) -> int:
    names = argv or list(PRODUCTS)
    for name in names:
        module, out = PRODUCTS[name]
        for old in out.glob("*.png"):
            old.unlink()
        manifest = module.draw(out)
        (out / "manifest.toml").write_text(HEADER + tomli_w.dumps(manifest), encoding="utf-8")
        total = sum(path.stat().st_size for path in out.iterdir())
        print(f"{name}: {len(list(out.glob('*.png')))} files, {total / 1024:.0f} KB in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
