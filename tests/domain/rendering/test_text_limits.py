"""Whatever text the catalog's rules allow, the picture can draw (never sold unseen).

For every seed catalog and every text attribute, each situation the text rules tell
apart (the options of the attributes their conditions and the art's conditions name)
is asked of the engine for its longest allowed length and pattern; the widest string
the pattern allows, at that length, must render without refusal.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from configurator.domain.engine.expr import Expr, evaluate, walk
from configurator.domain.rendering import PreviewError, render
from configurator.domain.rendering import text as texts
from configurator.domain.rendering.manifest import TextLayer
from configurator.domain.rendering.render import _values
from tests.domain.rendering.conftest import PRODUCTS, Product, get_product

# Candidates for "the widest character": Latin, Greek, Cyrillic, Armenian and Georgian
# letters, digits and punctuation (the seed patterns take letters of all of these
# scripts); whatever a pattern allows of them is measured.
SCRIPTS = [*range(0x21, 0x590), *range(0x10A0, 0x1100), *range(0x1E00, 0x1F00), 0x2019]
CANDIDATES = [char for char in map(chr, SCRIPTS) if char.isprintable()]


def _names(expr: Expr) -> set[str]:
    return {name for node in walk(expr) if isinstance(name := getattr(node, "attr", None), str)}


def _situations(product: Product, attribute: str) -> list[dict[str, Any]]:
    """Consistent choices of every single attribute that a text rule or text layer of
    ``attribute`` depends on, in every combination."""
    names: set[str] = set()
    for layer in product.art.layers:
        if isinstance(layer, TextLayer) and layer.attribute == attribute and layer.when:
            names |= _names(layer.when.expr)
    for rule in product.catalog.rules:
        if rule.kind == "text" and rule.attribute == attribute and rule.when is not None:
            names |= _names(rule.when)
    ordered = sorted(names)
    options = []
    for name in ordered:
        found = product.catalog.attribute(name)
        assert found is not None and found.kind == "single", name
        options.append([option.id for option in found.options])
    situations = []
    for combination in itertools.product(*options):
        choices = dict(zip(ordered, combination, strict=True))
        if product.engine.configure(choices, explain=False)["consistent"]:
            situations.append(choices)
    return situations


def _widest(layer: TextLayer, pattern: str | None, length: int) -> str:
    allowed = [c for c in CANDIDATES if pattern is None or re.search(pattern, c)]
    allowed = [c for c in allowed if not texts.missing_glyphs(layer.font, c)]
    assert allowed, "the pattern allows no character the font has"
    size = round(layer.size_min)
    return max(
        (c * length for c in allowed),
        key=lambda s: texts.measure(layer.font, size, s.upper() if layer.uppercase else s)[0],
    )


def _cases() -> list[tuple[str, str, dict[str, Any], int, str]]:
    """(product, attribute, situation, longest allowed length, widest such string)."""
    cases = []
    for slug in sorted(PRODUCTS):
        product = get_product(slug)
        for attribute in product.catalog.attributes:
            if attribute.kind != "text":
                continue
            layers = [
                layer
                for layer in product.art.layers
                if isinstance(layer, TextLayer)
                and layer.attribute == attribute.id
                and layer.source == "value"
            ]
            assert layers, f"{slug}: nothing draws {attribute.id}"
            for situation in _situations(product, attribute.id):
                answer = product.engine.configure(situation, explain=False)
                limits = answer["attributes"][attribute.id]
                length, pattern = limits["max_length"], limits["pattern"]
                drawn = [
                    layer
                    for layer in layers
                    if layer.when is None or evaluate(layer.when.expr, _values(situation))
                ]
                for layer in drawn:
                    widest = _widest(layer, pattern, length)
                    cases.append((slug, attribute.id, situation, length, widest))
    return cases


CASES = _cases()


def test_the_cases_cover_every_text_and_every_length_limit() -> None:
    seen = {(slug, attribute, length) for slug, attribute, _, length, _ in CASES}
    assert {(s, a) for s, a, _ in seen} == {
        ("chocolate-bar", "name_on_wrapper"),
        ("ring", "engraving"),
        ("sneaker", "monogram"),
    }
    assert {length for s, _, length in seen if s == "ring"} == {10, 15, 20, 25, 30}
    assert {length for s, _, length in seen if s == "chocolate-bar"} == {10, 16}
    assert {length for s, _, length in seen if s == "sneaker"} == {3, 4}


@pytest.mark.parametrize(
    ("slug", "attribute", "situation", "length", "widest"),
    CASES,
    ids=[f"{c[0]}-{'-'.join(c[2].values())}-{c[3]}{c[4][0]}" for c in CASES],
)
def test_the_widest_allowed_text_is_drawn(
    slug: str, attribute: str, situation: dict[str, Any], length: int, widest: str
) -> None:
    product = get_product(slug)
    choices = product.engine.complete({**situation, attribute: widest}, "cheapest")
    answer = product.engine.configure(choices, explain=False)
    assert answer["complete"], f"{widest!r} should be a valid {attribute} with {situation}"
    plain = render(product.art, product.catalog, {**choices, attribute: None}, "800")
    try:
        drawn = render(product.art, product.catalog, choices, "800")
    except PreviewError as error:  # pragma: no cover - the failure this test is about
        pytest.fail(f"{slug} {situation}: the rules allow {widest!r}, the picture: {error}")
    assert drawn.tobytes() != plain.tobytes()
    # every shorter text of the same letters fits too (and is never refused)
    for shorter in range(1, length):
        for layer in product.art.layers:
            if (
                isinstance(layer, TextLayer)
                and layer.attribute == attribute
                and (layer.when is None or evaluate(layer.when.expr, _values(choices)))
            ):
                string = widest[:shorter]
                size = texts.fit(layer, string.upper() if layer.uppercase else string, attribute)
                assert layer.size_min <= size <= layer.size_max


def test_every_option_label_the_art_writes_fits() -> None:
    """Labels written on the product (the chocolate's kind and origin) always fit."""
    for slug in sorted(PRODUCTS):
        product = get_product(slug)
        for layer in product.art.layers:
            if not isinstance(layer, TextLayer) or layer.source != "option_label":
                continue
            attribute = product.catalog.attribute(layer.attribute)
            assert attribute is not None
            for option in attribute.options:
                label = option.label.upper() if layer.uppercase else option.label
                assert texts.fit(layer, label, attribute.label) >= layer.size_min
