"""Names in Latin with accents, Greek and Cyrillic (and whatever else the seed patterns
take) are drawn with their own glyphs, never as the font's empty box, and always fit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from configurator.domain.engine.choices import text_matches
from configurator.domain.engine.expr import evaluate
from configurator.domain.rendering import render
from configurator.domain.rendering import text as texts
from configurator.domain.rendering.manifest import TextLayer
from configurator.domain.rendering.render import _values

from .conftest import PRODUCTS, Product, get_product
from .test_text_limits import _situations

TEXTS = {"chocolate-bar": "name_on_wrapper", "ring": "engraving", "sneaker": "monogram"}
NAMES = {
    "chocolate-bar": ["Für Zoë", "José", "Ελένη", "Жанна"],
    "ring": ["Für Zoë", "José", "Ελένη", "Жанна"],
    "sneaker": ["Zoë", "José", "Ελέ", "Жан"],  # four letters at most
}
NOT_IN_ANY_FONT = "\ue000"  # a private-use code point: drawn as the font's .notdef box


def layers_of(product: Product, attribute: str) -> list[TextLayer]:
    return [
        layer
        for layer in product.art.layers
        if isinstance(layer, TextLayer) and layer.attribute == attribute and layer.source == "value"
    ]


def accepted(pattern: str | None) -> list[str]:
    """Every character of the Basic Multilingual Plane the pattern takes on its own."""
    return [
        char
        for char in map(chr, range(0x20, 0x10000))
        if not "\ud800" <= char <= "\udfff" and text_matches(pattern, char)
    ]


def ink(mask: Image.Image) -> int:
    return sum(mask.point(lambda value: 255 if value > 96 else 0).histogram()[255:])


@pytest.mark.parametrize(
    ("slug", "name"), [(slug, name) for slug, names in NAMES.items() for name in names]
)
def test_a_name_is_drawn_in_its_own_letters(slug: str, name: str) -> None:
    product = get_product(slug)
    attribute = TEXTS[slug]
    choices = product.valid({attribute: name})
    assert product.engine.configure(choices, explain=False)["complete"], name
    plain = render(product.art, product.catalog, {**choices, attribute: None}, "800")
    drawn = render(product.art, product.catalog, choices, "800")
    assert ImageChops.difference(drawn.convert("RGB"), plain.convert("RGB")).getbbox()
    # With boxes for glyphs, every letter would look the same: reversed, nothing changes.
    backwards = render(product.art, product.catalog, {**choices, attribute: name[::-1]}, "800")
    assert drawn.tobytes() != backwards.tobytes()
    for layer in layers_of(product, attribute):
        box = texts.text_mask(layer.font, 40, NOT_IN_ANY_FONT)
        for char in set(name) - {" "}:
            alone = texts.text_mask(layer.font, 40, char)
            assert ink(alone) > 0, f"{char!r} has no ink in {layer.font}"
            assert alone.tobytes() != box.tobytes(), f"{char!r} is a box in {layer.font}"


@pytest.mark.parametrize("slug", sorted(PRODUCTS))
def test_every_character_a_seed_pattern_takes_has_a_glyph_of_its_own(slug: str) -> None:
    """Not only in the font's map: drawn with ink, and not the .notdef box."""
    product = get_product(slug)
    attribute = product.catalog.attribute(TEXTS[slug])
    assert attribute is not None and attribute.pattern
    chars = [char for char in accepted(attribute.pattern) if char != " "]
    assert len(chars) > 900  # Latin, Greek, Cyrillic, Armenian and Georgian letters
    for font in {layer.font for layer in layers_of(product, attribute.id)}:
        assert texts.missing_glyphs(font, "".join(chars)) == []
        box = texts.text_mask(font, 20, NOT_IN_ANY_FONT).tobytes()
        blank = [char for char in chars if ink(texts.text_mask(font, 20, char)) == 0]
        boxed = [char for char in chars if texts.text_mask(font, 20, char).tobytes() == box]
        assert (blank, boxed) == ([], []), font


def _cases() -> list[tuple[str, dict[str, Any], int, str, TextLayer]]:
    """(product, situation, longest length, pattern, a layer drawing the text there)."""
    cases = []
    for slug, attribute in sorted(TEXTS.items()):
        product = get_product(slug)
        for situation in _situations(product, attribute):
            limits = product.engine.configure(situation, explain=False)["attributes"][attribute]
            for layer in layers_of(product, attribute):
                if layer.when is None or evaluate(layer.when.expr, _values(situation)):
                    case = (slug, situation, limits["max_length"], limits["pattern"], layer)
                    cases.append(case)
    return cases


CASES = _cases()
ALPHABETS = {pattern: accepted(pattern) for pattern in {case[3] for case in CASES}}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CASES), st.data())
def test_any_text_the_rules_allow_is_drawn_and_fits(
    case: tuple[str, dict[str, Any], int, str, TextLayer], data: st.DataObject
) -> None:
    slug, situation, length, pattern, layer = case
    text = data.draw(st.text(st.sampled_from(ALPHABETS[pattern]), min_size=1, max_size=length))
    product = get_product(slug)
    attribute = TEXTS[slug]
    answer = product.engine.configure({**situation, attribute: text}, explain=False)
    assert answer["consistent"], f"{text!r} should be allowed with {situation}"
    assert texts.missing_glyphs(layer.font, text) == []
    size, lines = texts.layout(layer, text.upper() if layer.uppercase else text, attribute)
    assert layer.size_min <= size <= layer.size_max
    width, height = texts.room(layer)
    drawn_width, drawn_height = texts.measure_lines(layer.font, size, lines)
    assert drawn_width <= width and drawn_height <= height


def test_the_cases_cover_every_text_layer() -> None:
    covered = {(slug, id(layer)) for slug, _, _, _, layer in CASES}
    every = {
        (slug, id(layer)) for slug in TEXTS for layer in layers_of(get_product(slug), TEXTS[slug])
    }
    assert covered == every
    assert len(ALPHABETS) == 5  # each text's own pattern; with foil, with embossing
