"""Unit tests of shop.services.choices_from_form: the no-JavaScript form's fields read
into raw choices, and a message per field that cannot be used. No app, no database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from configurator.domain.engine import Catalog, load_catalog
from configurator.web.storefront.services import choices_from_form

SEED_DIR = Path(__file__).resolve().parents[3] / "catalog"


@pytest.fixture(scope="module")
def sneaker() -> Catalog:
    return load_catalog(SEED_DIR / "shoes")


@pytest.fixture(scope="module")
def chocolate() -> Catalog:
    return load_catalog(SEED_DIR / "chocolate")


def read(catalog: Catalog, *fields: tuple[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    return choices_from_form(catalog, MultiDict(list(fields)))


def test_fields_become_raw_choices(sneaker: Catalog, chocolate: Catalog) -> None:
    choices, errors = read(
        sneaker, ("c-upper_material", "suede"), ("c-size", " 42 "), ("c-monogram", "AB")
    )
    assert errors == {}
    assert choices == {"upper_material": "suede", "size": 42, "monogram": "AB"}
    choices, errors = read(chocolate, ("c-toppings", "hazelnut"), ("c-toppings", "sea_salt"))
    assert errors == {}
    assert choices == {"toppings": ["hazelnut", "sea_salt"]}


def test_empty_fields_are_not_chosen(sneaker: Catalog) -> None:
    choices, errors = read(sneaker, ("c-upper_material", ""), ("c-size", "  "), ("c-monogram", ""))
    assert (choices, errors) == ({}, {})


def test_numbers_keep_their_fraction(sneaker: Catalog) -> None:
    assert read(sneaker, ("c-size", "42.5"))[0] == {"size": 42.5}
    assert read(sneaker, ("c-size", "4.2e1"))[0] == {"size": 42}
    # Out of the attribute's range is still a number: the engine answers it as a conflict.
    assert read(sneaker, ("c-size", "99"))[0] == {"size": 99}


@pytest.mark.parametrize(
    "text",
    [
        "Infinity",
        "-Infinity",
        "inf",
        "NaN",
        "sNaN",
        "1e999999",
        "-1e999999",
        "1e16",
        "9" * 40,
        "forty-two",
        "42,5",
        "0x2a",
    ],
)
def test_numbers_that_are_no_size_are_refused_beside_the_field(sneaker: Catalog, text: str) -> None:
    started = time.process_time()
    choices, errors = read(sneaker, ("c-size", text), ("c-upper_material", "suede"))
    assert time.process_time() - started < 1  # "1e999999" once took ~28 s of CPU
    assert errors == {"size": "Size (EU): enter a number from 36 to 47."}
    assert choices == {"upper_material": "suede"}  # the other fields are kept


def test_unknown_options_are_refused_with_a_short_echo(
    sneaker: Catalog, chocolate: Catalog
) -> None:
    choices, errors = read(sneaker, ("c-upper_material", "tweed"), ("c-laces", "white"))
    assert errors == {"upper_material": "Upper material: we have no option “tweed”."}
    assert choices == {"laces": "white"}
    _, errors = read(chocolate, ("c-toppings", "hazelnut"), ("c-toppings", "x" * 5000))
    assert errors["toppings"] == (
        "Toppings: we have no option “xxxxxxxxxxxxxxxxxxxxxxx…” (5000 characters)."
    )


@pytest.mark.parametrize(
    ("text", "fault"),
    [("A\x00B", "contains a NUL character"), ("A\ud800", "is not valid Unicode text")],
)
def test_texts_that_are_no_text_are_refused_beside_the_field(
    sneaker: Catalog, text: str, fault: str
) -> None:
    choices, errors = read(sneaker, ("c-monogram", text), ("c-size", "42"))
    assert set(errors) == {"monogram"}
    assert errors["monogram"].startswith(f"Monogram on the heel {fault}")
    assert choices == {"size": 42}


def test_texts_beyond_their_limits_are_kept_for_the_engine(sneaker: Catalog) -> None:
    # Too long or the wrong characters: a conflict with the attribute's limits (and a
    # message beside the field on the page), not a refusal here.
    assert read(sneaker, ("c-monogram", "12"))[0] == {"monogram": "12"}
    assert read(sneaker, ("c-monogram", "A" * 5000))[0] == {"monogram": "A" * 5000}
