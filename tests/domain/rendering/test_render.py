"""Rendering the seed catalogs: every option shows, in the region its layers own."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from PIL import Image, ImageChops

from configurator.domain.engine.expr import walk
from configurator.domain.rendering import PreviewError, encode, load_art, render
from configurator.domain.rendering.manifest import ImageLayer, TextLayer
from configurator.domain.rendering.render import _scaled
from tests.domain.rendering.conftest import PRODUCTS, ROOT, Product, get_product


def _mentions(layer: ImageLayer | TextLayer, attribute: str) -> bool:
    names = set()
    if layer.when is not None:
        names |= {getattr(node, "attr", None) for node in walk(layer.when.expr)}
    if isinstance(layer, ImageLayer) and layer.tint:
        names.add(layer.tint)
    if isinstance(layer, TextLayer):
        names |= {layer.attribute, layer.colour_from}
    return attribute in names


def _owned_box(product: Product, attribute: str) -> tuple[int, int, int, int]:
    """Union of the boxes of every layer whose condition, tint or text names the attribute."""
    boxes = []
    for layer in product.art.layers:
        if not _mentions(layer, attribute):
            continue
        if isinstance(layer, ImageLayer):
            x, y, image = _scaled(product.art, layer.index, 800)
            boxes.append((x, y, x + image.width, y + image.height))
        elif layer.arc is not None:
            arc = layer.arc
            r = arc.radius + layer.box[3]
            boxes.append(
                (int(arc.cx - r), int(arc.cy - r), int(arc.cx + r) + 1, int(arc.cy + r) + 1)
            )
        else:
            x0, y0, x1, y1 = layer.box
            pad = max(x1 - x0, y1 - y0) / 2
            boxes.append((int(x0 - pad), int(y0 - pad), int(x1 + pad) + 1, int(y1 + pad) + 1))
    assert boxes, f"no layer of the art draws {attribute}"
    return (min(b[0] for b in boxes) - 2, min(b[1] for b in boxes) - 2,
            max(b[2] for b in boxes) + 2, max(b[3] for b in boxes) + 2)  # fmt: skip


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for slug in sorted(PRODUCTS):
        product = get_product(slug)
        for attribute in product.catalog.attributes:
            if attribute.kind in ("single", "multi"):
                cases.extend((slug, attribute.id, option.id) for option in attribute.options)
    return cases


def _defaults(product: Product) -> dict[str, Any]:
    """The catalog's defaults, so that e.g. toppings are there to be placed."""
    found: dict[str, Any] = {}
    for attribute in product.catalog.attributes:
        if attribute.default is not None and attribute.kind in ("single", "multi"):
            default = attribute.default
            found[attribute.id] = list(default) if isinstance(default, list | tuple) else default
    return found


def _alternative(
    product: Product, base: dict[str, Any], attribute: str, value: Any
) -> dict[str, Any]:
    """``base`` with one attribute changed; attributes it leaves unset are filled validly."""
    changed = {**base, attribute: value}
    filled = product.engine.complete(changed, "cheapest")
    for key, filler in filled.items():
        if key not in changed or changed[key] is None:
            changed[key] = filler
    return changed


@pytest.mark.parametrize(("slug", "attribute_id", "option_id"), _cases())
def test_every_option_changes_the_picture_in_its_region(
    slug: str, attribute_id: str, option_id: str
) -> None:
    """Render a valid design with the option, then the same design with each other option
    (multi: without it); the pictures differ, and only inside the layers that name the
    attribute (or the attributes that had to be filled in)."""
    product = get_product(slug)
    attribute = product.catalog.attribute(attribute_id)
    assert attribute is not None
    wanted: Any = [option_id] if attribute.kind == "multi" else option_id
    start = {k: v for k, v in _defaults(product).items() if k != attribute_id}
    try:
        choices = product.engine.complete({**start, attribute_id: wanted}, "cheapest")
    except Exception:  # pragma: no cover - defaults clash: start from the option alone
        choices = product.engine.complete({attribute_id: wanted}, "cheapest")
    chosen = choices.get(attribute_id)
    if not (chosen == option_id or (isinstance(chosen, list) and option_id in chosen)):
        choices = product.engine.complete({attribute_id: wanted}, "cheapest")
        chosen = choices.get(attribute_id)
    assert chosen == option_id or (isinstance(chosen, list) and option_id in chosen), (
        f"no valid {slug} has {attribute_id}={option_id}"
    )
    if attribute.kind == "multi":
        rest = sorted(set(choices[attribute_id]) - {option_id})
        alternatives = [{**choices, attribute_id: rest}]
    else:
        alternatives = [
            _alternative(product, choices, attribute_id, o.id)
            for o in attribute.options
            if o.id != option_id
        ]
    picture = render(product.art, product.catalog, choices, "800")
    for alternative in alternatives:
        compared = render(product.art, product.catalog, alternative, "800")
        changed = (
            ImageChops.difference(picture, compared)
            .convert("L")
            .point(lambda v: 255 if v > 0 else 0)
        )
        count = changed.histogram()[255]
        label = f"{slug}: {attribute_id}={option_id} vs {alternative[attribute_id]}"
        assert count >= 40, f"{label}: only {count} pixels differ"
        box = changed.getbbox()
        assert box is not None
        touched = [attribute_id] + [
            key
            for key in alternative
            if key != attribute_id and choices.get(key) != alternative[key]
        ]
        boxes = [_owned_box(product, key) for key in touched if _has_layers(product, key)]
        owned = (
            min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes),
        )  # fmt: skip
        inside = owned[0] <= box[0] and owned[1] <= box[1]
        assert inside and box[2] <= owned[2] and box[3] <= owned[3], (
            f"{label}: changed pixels {box} outside the layers of {touched} {owned}"
        )


def _has_layers(product: Product, attribute: str) -> bool:
    return any(_mentions(layer, attribute) for layer in product.art.layers)


def test_same_configuration_gives_identical_bytes(product: Product) -> None:
    choices = product.engine.complete({}, "random", seed=11)
    first = encode(render(product.art, product.catalog, choices, "800"), "webp")
    again = encode(render(product.art, product.catalog, choices, "800"), "webp")
    folder = product.art.folder
    fresh = load_art(folder)
    other = encode(
        render(fresh, product.catalog, dict(reversed(list(choices.items()))), "800"), "webp"
    )
    assert first == again == other
    assert product.art.version == fresh.version


@pytest.mark.parametrize("size", ["800", "300", "card"])
@pytest.mark.parametrize("fmt", ["webp", "jpeg", "png"])
def test_sizes_and_formats(size: str, fmt: str) -> None:
    product = get_product("ring")
    image = render(product.art, product.catalog, product.valid({}), size, price="EUR 1,234.00")
    expected = {"800": (800, 800), "300": (300, 300), "card": (1200, 630)}[size]
    assert image.size == expected
    data = encode(image, fmt)
    decoded = Image.open(__import__("io").BytesIO(data))
    assert decoded.size == expected
    assert decoded.format == {"webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}[fmt]
    if size == "800" and fmt in ("webp", "jpeg"):
        assert len(data) < 60 * 1024


def test_catalog_document_accepted() -> None:
    import tomllib

    product = get_product("chocolate-bar")
    document = tomllib.loads((ROOT / "catalog" / "chocolate" / "product.toml").read_text())
    choices = product.valid({})
    a = render(product.art, document, choices, "300")
    b = render(product.art, product.catalog, choices, "300")
    assert a.tobytes() == b.tobytes()


def test_art_matches_catalog(product: Product) -> None:
    assert product.art.check(product.catalog) == []


def test_unknown_size_refused() -> None:
    product = get_product("ring")
    with pytest.raises(PreviewError, match="size"):
        render(product.art, product.catalog, {}, "1600")


@pytest.mark.parametrize(
    "title",
    [
        "The Extraordinarily Long Name Of A Hand Made To Order Product That Goes On And On "
        "Well Past Anything A Card Could Hold In Three Lines",
        "Supercalifragilisticexpialidocious" * 5,
    ],
)
def test_a_product_name_too_long_for_the_share_card_is_shortened(title: str) -> None:
    renders = importlib.import_module(
        "configurator.domain.rendering.render"
    )  # the module, not render()
    product = get_product("ring")
    card = render(product.art, product.catalog, product.valid({}), "card", title=title, price="€1")
    assert card.size == (1200, 630)
    size, rows = renders._wrap_title(title, 1200 - 60 - (renders.CARD_ART + 70))
    assert size == min(renders.TITLE_SIZES) and len(rows) == 3
    assert rows[-1].endswith("\u2026")
    face = renders.texts.font("DejaVuSans-Bold", size)
    assert all(face.getlength(row) <= 1200 - 60 - (renders.CARD_ART + 70) for row in rows)
    # a name that fits keeps every word and no ellipsis
    assert renders._wrap_title("Custom Ring", 500) == (56, ["Custom Ring"])
