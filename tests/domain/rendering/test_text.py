"""Texts on products: shrunk to fit down to a minimum size, refused beyond; never cut."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from PIL import ImageChops

from configurator.domain.rendering import PreviewError, render
from configurator.domain.rendering import text as texts
from configurator.domain.rendering.manifest import TextLayer
from tests.domain.rendering.conftest import get_product


def _layer(product_slug: str, attribute: str, when_has: str) -> TextLayer:
    art = get_product(product_slug).art
    for layer in art.layers:
        if (
            isinstance(layer, TextLayer)
            and layer.attribute == attribute
            and (layer.when is None or when_has in layer.when.text)
        ):
            return layer
    raise AssertionError(f"no text layer for {attribute}")


@pytest.mark.parametrize(
    ("slug", "attribute", "when", "short", "long"),
    [
        ("ring", "engraving", "w3", "Ada", "Forever & always, M+J"),
        ("chocolate-bar", "name_on_wrapper", "g50", "Ada", "WWWWWWWWWW"),
        ("sneaker", "monogram", "", "A", "MMMM"),
    ],
)
def test_longer_text_is_drawn_smaller_and_within_its_room(
    slug, attribute, when, short, long
) -> None:
    layer = _layer(slug, attribute, when)
    small, large = texts.fit(layer, long, attribute), texts.fit(layer, short, attribute)
    assert small < large
    width, height = texts.room(layer)
    for string, size in ((short, large), (long, small)):
        w, h = texts.measure(layer.font, size, string)
        assert w <= width and h <= height
        assert size >= layer.size_min


def test_text_that_cannot_fit_is_refused_with_the_attribute() -> None:
    product = get_product("ring")
    choices = product.valid({"band_width": "w2", "gem": "none"})
    choices["engraving"] = "W" * 40  # over the band's room even in the smallest letters
    with pytest.raises(PreviewError) as caught:
        render(product.art, product.catalog, choices, "800")
    assert caught.value.attribute == "engraving"
    assert "too long" in caught.value.message


def test_refusal_does_not_depend_on_output_size() -> None:
    product = get_product("ring")
    choices = product.valid({"band_width": "w2", "gem": "none"})
    choices["engraving"] = "W" * 40
    for size in ("300", "card"):
        with pytest.raises(PreviewError):
            render(product.art, product.catalog, choices, size)


def test_engraving_is_drawn_on_the_band() -> None:
    product = get_product("ring")
    choices = product.valid({"band_width": "w4"})
    plain = render(product.art, product.catalog, choices, "800")
    engraved = render(product.art, product.catalog, {**choices, "engraving": "Always yours"}, "800")
    box = ImageChops.difference(plain, engraved).getbbox()
    assert box is not None
    # along the inside of the band, below the ring's centre
    assert box[1] > 500 and box[3] < 700 and box[2] - box[0] > 80


def test_unicode_is_shaped_not_dropped() -> None:
    layer = _layer("ring", "engraving", "w5")
    size = texts.fit(layer, "Zoë & José", "engraving")
    w_plain, _ = texts.measure(layer.font, size, "Zoe & Jose")
    w_accent, _ = texts.measure(layer.font, size, "Zoë & José")
    assert abs(w_plain - w_accent) <= 2


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block runs longer than ``seconds``."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _fit_or_refuse(layer: TextLayer, string: str) -> int | None:
    try:
        return texts.fit(layer, string, layer.attribute)
    except PreviewError:
        return None


@pytest.mark.parametrize(
    ("slug", "attribute", "when", "string"),
    [
        ("chocolate-bar", "name_on_wrapper", "g100", "MMMMMMMMMMMM"),
        ("ring", "engraving", "w6", "W" * 26),
    ],
)
def test_fitting_ends_for_the_audit_strings(slug, attribute, when, string) -> None:
    layer = _layer(slug, attribute, when)
    with deadline(5):
        size = _fit_or_refuse(layer, string)
    assert size is None or layer.size_min <= size <= layer.size_max


@pytest.mark.parametrize("wide", ["W", "M", "@", "m"])
def test_fitting_ends_for_every_length_and_room(wide: str) -> None:
    """Whatever the text and the room, fitting measures at most once per size."""
    base = _layer("chocolate-bar", "name_on_wrapper", "g100")
    with deadline(20):
        for width in (5, 40, 90, 139, 200):
            for low, high in ((12, 40), (9, 30), (10, 11), (12, 12)):
                layer = replace(base, box=(0, 0, width, 60), size_min=low, size_max=high)
                for length in range(1, 31):
                    size = _fit_or_refuse(layer, wide * length)
                    if size is not None:
                        assert low <= size <= high
                        assert texts.measure(layer.font, size, wide * length)[0] <= width


def test_text_that_misses_at_the_minimum_is_refused_not_retried() -> None:
    # 11 "M" at 12 px are a little wider than the room, at 11 px they would fit: the
    # minimum is 12, so the text is refused (the old loop went back to 12 forever).
    base = _layer("chocolate-bar", "name_on_wrapper", "g100")
    at_min = texts.measure(base.font, 12, "M" * 11)[0]
    layer = replace(base, box=(0, 0, at_min - 1, 60), size_min=12, size_max=40)
    assert texts.measure(layer.font, 11, "M" * 11)[0] <= at_min - 1
    with deadline(5), pytest.raises(PreviewError) as caught:
        texts.fit(layer, "M" * 11, "Name on the wrapper")
    assert caught.value.attribute == "name_on_wrapper"


def test_a_long_name_goes_on_two_lines_where_the_art_allows() -> None:
    layer = _layer("chocolate-bar", "name_on_wrapper", "g100")
    assert layer.lines == 2
    one_line = replace(layer, lines=1)
    size, lines = texts.layout(layer, "Happy Birthday!", "Name")
    assert lines == ("Happy", "Birthday!")
    assert size >= texts.fit(one_line, "Happy Birthday!", "Name") * 4 / 3
    width, height = texts.room(layer)
    w, h = texts.measure_lines(layer.font, size, lines)
    assert w <= width and h <= height
    # a short name stays on one line, a single word is never broken
    assert texts.layout(layer, "Ada", "Name")[1] == ("Ada",)
    assert texts.layout(layer, "W" * 16, "Name")[1] == ("W" * 16,)


def test_two_lines_are_drawn_inside_the_label() -> None:
    product = get_product("chocolate-bar")
    choices = product.valid({"size": "g100"})
    plain = render(product.art, product.catalog, choices, "800")
    named = render(product.art, product.catalog, {**choices, "name_on_wrapper": "Happy Birthday!"})
    box = ImageChops.difference(plain, named).getbbox()
    layer = _layer("chocolate-bar", "name_on_wrapper", "g100")
    assert box is not None
    x0, y0, x1, y1 = layer.box
    slack = (x1 - x0) * 0.1  # the box turns by 7 degrees
    assert x0 - slack <= box[0] and box[2] <= x1 + slack
    assert y0 - slack <= box[1] and box[3] <= y1 + slack
    assert box[3] - box[1] > 1.4 * texts.measure(layer.font, 30, "Happy")[1]  # two rows


def test_a_character_the_font_lacks_is_refused_naming_the_field() -> None:
    product = get_product("ring")
    choices = product.valid({"band_width": "w4", "gem": "none"})
    for text, missing in (("Zoë 漢字", "漢"), ("love \U0001f48d", "\U0001f48d")):
        with pytest.raises(PreviewError) as caught:
            render(product.art, product.catalog, {**choices, "engraving": text}, "800")
        assert caught.value.attribute == "engraving"
        assert missing in caught.value.message and "Engraving" in caught.value.message
    # letters it has, accents and joiners included, are drawn
    render(product.art, product.catalog, {**choices, "engraving": "Zoë\u200d & José"}, "800")


def test_glyph_coverage_is_read_from_the_font() -> None:
    have = texts.covered("DejaVuSerif-Italic")
    assert {ord(c) for c in "AZaz09&ëé"} <= have
    assert ord("漢") not in have and 0x1F48D not in have
    assert texts.missing_glyphs("DejaVuSans", "Жж Ωω") == []
