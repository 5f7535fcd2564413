"""Texts in any script: compared in NFC, and refused naming the characters at fault."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.domain.engine import Engine, compile_catalog, config_hash, load_catalog
from configurator.domain.engine.choices import allowed_characters, refused_characters, text_matches
from configurator.domain.engine.reasons import characters_refusal

SEED = Path(__file__).resolve().parents[3] / "catalog"
NAMES = ["Für Zoë", "José", "Ελένη", "Жанна", "Łukasz", "Ștefan", "Nguyễn", "Անի", "ნინო"]
CAPITAL_NAMES = ["FÜR ZOË", "JOSÉ", "ΈΛΕΝΑ", "ЖАННА", "ŁUKASZ", "ȘTEFAN", "ԱՆԻ", "ĐÔNG"]


@pytest.fixture(scope="module")
def chocolate() -> Engine:
    return _chocolate()


def accepted(pattern: str | None) -> list[str]:
    """Every character of the Basic Multilingual Plane the pattern takes on its own."""
    return [
        char
        for char in map(chr, range(0x20, 0x10000))
        if not "\ud800" <= char <= "\udfff" and text_matches(pattern, char)
    ]


def seed_text_patterns() -> list[tuple[str, str, str]]:
    found = []
    for folder in ("chocolate", "jewellery", "shoes"):
        catalog = load_catalog(SEED / folder)
        found += [(folder, a.id, a.pattern) for a in catalog.attributes if a.pattern]
        found += [(folder, r.name, r.pattern) for r in catalog.rules if r.pattern]
    return found


@pytest.mark.parametrize(("folder", "name", "pattern"), seed_text_patterns())
def test_seed_patterns_take_names_in_latin_greek_cyrillic_and_more(
    folder: str, name: str, pattern: str
) -> None:
    names = CAPITAL_NAMES if name == "monogram-embossed" else NAMES
    for text in names:
        text = text if text_matches(pattern, " ") else text.replace(" ", "")
        assert text_matches(pattern, text), f"{folder} {name} refuses {text!r}"
    for refused in ("✈", "€", "漢", "\u0308", "\u00a0", "ǅ", "×", "\U0001f48d"):
        assert not text_matches(pattern, f"ZOE{refused}"), f"{folder} {name} takes {refused!r}"
    if name == "monogram-embossed":
        assert not text_matches(pattern, "Zoë")


def test_a_decomposed_text_is_the_same_choice_as_the_composed_one(chocolate: Engine) -> None:
    composed, decomposed = "Für Zoë", unicodedata.normalize("NFD", "Für Zoë")
    assert composed != decomposed and len(decomposed) == 9
    canonical = chocolate.canonical({"name_on_wrapper": decomposed})
    assert canonical == chocolate.canonical({"name_on_wrapper": composed})
    assert canonical["name_on_wrapper"] == composed
    foil = {"wrapper": "foil_gold", "size": "g100"}
    answer = chocolate.configure({**foil, "name_on_wrapper": decomposed})
    assert answer["consistent"] is True  # the foil rule's letters, once composed
    assert answer == chocolate.configure({**foil, "name_on_wrapper": composed})


WRAPPER_LETTERS = accepted(load_catalog(SEED / "chocolate").attribute("name_on_wrapper").pattern)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(WRAPPER_LETTERS), max_size=16))
def test_nfc_and_nfd_forms_give_one_canonical_configuration(text: str) -> None:
    engine = _chocolate()
    nfc, nfd = (unicodedata.normalize(form, text) for form in ("NFC", "NFD"))
    canonical = engine.canonical({"name_on_wrapper": nfd})
    assert canonical == engine.canonical({"name_on_wrapper": nfc})
    assert canonical.get("name_on_wrapper", "") == nfc
    assert config_hash("chocolate-bar", 1, canonical) == config_hash(
        "chocolate-bar", 1, engine.canonical({"name_on_wrapper": nfc})
    )
    answer = engine.configure({"name_on_wrapper": nfd}, explain=False)
    assert answer == engine.configure({"name_on_wrapper": nfc}, explain=False)
    assert answer["consistent"] is True  # whatever the pattern takes, in either form


_engines: dict[str, Engine] = {}


def _chocolate() -> Engine:
    """The chocolate's engine, compiled once (hypothesis runs outside the fixtures)."""
    if "chocolate" not in _engines:
        _engines["chocolate"] = compile_catalog(load_catalog(SEED / "chocolate"))
    return _engines["chocolate"]


@pytest.mark.parametrize(
    ("pattern", "text", "refused"),
    [
        ("^[A-Z ]*$", "AB", []),
        ("^[A-Z ]*$", "aBc", ["a", "c"]),
        ("^[A-Z ]*$", "A✈B✈€", ["✈", "€"]),
        ("^[A-Z ]*$", "AB\n", ["\n"]),
        ("^[A-Z]+$", "✈", ["✈"]),  # nothing left is still the characters' fault
        ("^[A-Z][a-z]*$", "Ab1", ["1"]),  # "b" is refused alone, not here
        ("^[A-Z]{2}$", "ABC", []),  # the length is wrong, not a character
        (None, "✈", []),
    ],
)
def test_refused_characters_are_those_at_fault(
    pattern: str | None, text: str, refused: list[str]
) -> None:
    assert refused_characters(pattern, text) == refused


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("^[A-Za-z0-9 '&.!-]*$", "letters A–Z and a–z, digits, spaces and ! & ' - ."),
        ("^[A-Z ]*$", "capital letters A–Z and spaces"),
        ("^[0-9]*$", "digits"),
        ("^[A-Za-zÀ-ÖØ-öø-ɏΆ-ώЀ-џԱ-Ֆա-և ]*$", "letters and spaces"),
        ("^[A-ZÀ-ÖØ-ÞΑ-ΩЀ-ЯԱ-ՖŁŽȘÑ]*$", "capital letters"),
        ("^[A-Z][a-z]*$", None),  # not a set of characters: nothing to list
        ("^[0-5]*$", None),  # some digits: not said as "digits"
        (None, None),
    ],
)
def test_allowed_characters_in_words(pattern: str | None, words: str | None) -> None:
    assert allowed_characters(pattern) == words


def test_the_refusal_names_invisible_characters_by_code_point() -> None:
    assert characters_refusal("Name", "^[A-Za-z ]*$", "Zoë\u00a0\u200b✈") == (
        "Name: “ë”, U+00A0, U+200B and “✈” can’t be used; use letters A–Z and a–z and spaces"
    )
    assert characters_refusal("Name", "^[A-Z][a-z]*$", "Ab1") == "Name: “1” can’t be used."
    assert characters_refusal("Initials", "^[A-Z]*$", "A B") == (
        "Initials: “ ” can’t be used; use capital letters A–Z"
    )
    assert characters_refusal("Name", "^[A-Z]{2}$", "ABC") is None


def test_the_conflict_and_the_rule_reason_name_the_characters(chocolate: Engine) -> None:
    answer = chocolate.configure({"name_on_wrapper": "Zoë ✈ €"})
    assert answer["conflict"]["message"] == (
        "Name on the wrapper: “✈” and “€” can’t be used; "
        "use letters, digits, spaces and ! & ' ’ - ."
    )
    answer = chocolate.configure({"name_on_wrapper": "Zoë 2"}, explain=True)
    reason = answer["attributes"]["wrapper"]["options"]["foil_gold"]["reason"]
    assert reason["rules"] == ["foil-name-letters"]
    assert reason["message"] == (
        "Names stamped on gold foil use letters and spaces only. “2” can’t be used."
    )
