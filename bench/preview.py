"""Benchmark of the preview renderer (issue 4).

    python bench/preview.py            # 60 new configurations per product
    python bench/preview.py --quick    # 15

For each seed product, in one run: cold renders (configurations never drawn before,
layers already decoded in memory) at 800 px and 300 px including encoding (WebP q80
method 0, and JPEG q85), and the naive way on the same configurations (decode the
visible layer files from disk, composite at 800 px, encode WebP q80 at the default
effort) with the ratio, and a cached preview read back from the file store. Medians and
output sizes are printed; nothing is asserted. Cached serving under gunicorn, beside
hello world, is measured by bench/http_load.py.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from configurator.domain.engine import compile_catalog, load_catalog  # noqa: E402
from configurator.domain.engine.expr import evaluate  # noqa: E402
from configurator.domain.rendering import (  # noqa: E402
    FileStore,
    encode,
    get_or_make,
    load_art,
    preview_key,
    render,
)
from configurator.domain.rendering.manifest import ImageLayer, hex_colour  # noqa: E402
from configurator.domain.rendering.render import _layer_colour, _values  # noqa: E402

FOLDERS = {"sneaker": "shoes", "chocolate-bar": "chocolate", "ring": "jewellery"}


def naive(art, catalog, choices) -> bytes:  # type: ignore[no-untyped-def]
    """Per request: decode each visible layer file, tint, composite, encode WebP q80."""
    values = _values(choices)
    canvas = Image.new("RGBA", (art.size, art.size), hex_colour(art.background) + (255,))
    for layer in art.layers:
        if not isinstance(layer, ImageLayer):
            continue
        if layer.when is not None and not evaluate(layer.when.expr, values):
            continue
        image = Image.open(art.folder / layer.file)
        image.load()
        if layer.tile:
            continue  # texture overlays: left out, which only flatters the naive way
        if layer.tint:
            lum, alpha = image.convert("LA").split()
            colour = Image.new("RGB", image.size, hex_colour(_layer_colour(layer, catalog, values)))
            rgb = Image.composite(colour, Image.new("RGB", image.size), lum)
            image = rgb.convert("RGBA")
            image.putalpha(alpha)
        canvas.alpha_composite(image.convert("RGBA"))
    buffer = io.BytesIO()
    canvas.convert("RGB").save(buffer, "WEBP", quality=80)
    return buffer.getvalue()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_product(slug: str, folder: str, count: int, totals: dict[str, list[float]]) -> None:
    """Time every step for one product and print its rows."""
    catalog = load_catalog(ROOT / "catalog" / folder)
    engine = compile_catalog(catalog)
    started = time.perf_counter()
    art = load_art(ROOT / "catalog" / folder / "art")
    load_ms = (time.perf_counter() - started) * 1000
    configs = [engine.complete({}, "random", seed=1000 + i) for i in range(count)]
    rows: dict[str, tuple[list[float], list[int]]] = {}

    def run(name: str, make) -> None:  # type: ignore[no-untyped-def]
        times, sizes = [], []
        for choices in configs:
            t = time.perf_counter()
            data = make(choices)
            times.append(time.perf_counter() - t)
            sizes.append(len(data))
        rows[name] = (times, sizes)

    run(
        "800 px render + WebP q80 (m0)",
        lambda ch: encode(render(art, catalog, ch, "800"), "webp"),
    )
    run("800 px render + JPEG q85", lambda ch: encode(render(art, catalog, ch, "800"), "jpeg"))
    run(
        "300 px render + WebP q80 (m0)",
        lambda ch: encode(render(art, catalog, ch, "300"), "webp"),
    )
    run("300 px render + JPEG q85", lambda ch: encode(render(art, catalog, ch, "300"), "jpeg"))
    run(
        "card render + JPEG q85",
        lambda ch: encode(render(art, catalog, ch, "card", price="EUR 99.00"), "jpeg"),
    )
    run("800 px render only", lambda ch: render(art, catalog, ch, "800").tobytes()[:0])
    run("naive 800: decode+composite+WebP", lambda ch: naive(art, catalog, ch))
    with tempfile.TemporaryDirectory() as folder_name:
        store = FileStore(folder_name)
        keys = {}
        for index, choices in enumerate(configs):
            keys[id(choices)] = key = preview_key(f"{index:064x}", "800", "webp")
            store.put(key, encode(render(art, catalog, choices, "800"), "webp"))

        def never() -> bytes:
            raise AssertionError("a cached preview was drawn again")

        run("cached 800 (FileStore hit)", lambda ch: get_or_make(store, keys[id(ch)], never))
    print(f"{slug:14} {'load art (decode + pre-resize)':34} {load_ms:10.0f}")
    for name, (times, sizes) in rows.items():
        kb = statistics.median(sizes) / 1024 if any(sizes) else 0
        ms = median_ms(times)
        print(f"{slug:14} {name:34} {ms:10.{3 if ms < 1 else 1}f} {kb:10.1f}")
        totals.setdefault(name, []).append(median_ms(times))
    naive_ms = median_ms(rows["naive 800: decode+composite+WebP"][0])
    for name in ("800 px render + WebP q80 (m0)", "800 px render + JPEG q85"):
        ratio = naive_ms / median_ms(rows[name][0])
        print(f"{slug:14} {'ratio naive / ' + name[:22]:34} {ratio:10.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 15 if args.quick else 60
    print(f"{'product':14} {'step':34} {'median ms':>10} {'median KB':>10}")
    totals: dict[str, list[float]] = {}
    for slug, folder in FOLDERS.items():
        bench_product(slug, folder, count, totals)
    print(
        "\ncached serving over HTTP (gunicorn -w 2, next to hello world): "
        "python bench/http_load.py (docs/performance-http.md)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
