"""Values outside an attribute's own limits are conflicts with a repair, not refusals."""

from __future__ import annotations

import re

import pytest

from configurator.domain.engine import ChoiceError, Engine, compile_catalog, parse_catalog

DOCUMENT = {
    "product": {"slug": "ring", "name": "Ring", "currency": "EUR", "base_price": 100},
    "attributes": [
        {"id": "metal", "options": [{"id": "gold"}, {"id": "silver"}]},
        {"id": "size", "kind": "number", "min": 44, "max": 50, "step": 2, "required": True},
        {"id": "engraving", "kind": "text", "max_length": 5, "pattern": "^[A-Z ]*$"},
    ],
    "rules": [
        {"id": "big-gold", "kind": "requires", "when": "size >= 48", "then": "metal = 'gold'"},
    ],
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return compile_catalog(parse_catalog(DOCUMENT))


@pytest.mark.parametrize(
    ("choices", "attribute", "sentence"),
    [
        ({"size": 45}, "size", "Size goes from 44 to 50 in steps of 2."),
        ({"size": 52}, "size", "Size goes from 44 to 50 in steps of 2."),
        ({"engraving": "TOO LONG"}, "engraving", "Engraving allows at most 5 characters."),
        (
            {"engraving": "abc"},
            "engraving",
            "Engraving: “a”, “b” and “c” can’t be used; use capital letters A–Z and spaces",
        ),
        # "$" matches before a final newline: the whole text must match, not a prefix.
        (
            {"engraving": "AB\n"},
            "engraving",
            "Engraving: U+000A can’t be used; use capital letters A–Z and spaces",
        ),
    ],
)
def test_out_of_limit_values_are_conflicts(
    engine: Engine, choices: dict[str, object], attribute: str, sentence: str
) -> None:
    answer = engine.configure({"metal": "silver", **choices}, changed=attribute)
    assert answer["consistent"] is False and answer["complete"] is False
    assert answer["conflict"]["limits"] == [attribute]
    assert answer["conflict"]["choices"] == [attribute]
    assert answer["conflict"]["message"] == sentence
    assert answer["repair"]["change"] == [attribute]
    repaired = engine.configure(answer["repair"]["choices"])
    assert repaired["consistent"] is True
    assert repaired["attributes"]["metal"]["options"]["silver"]["available"] is True


def test_explain_refuses_a_value_outside_the_range(engine: Engine) -> None:
    with pytest.raises(ChoiceError) as caught:
        engine.explain({}, "size", value=45)
    assert (caught.value.status, caught.value.field) == (422, "value")
    with pytest.raises(ChoiceError) as caught:
        engine.explain({}, "size", value="big")
    assert (caught.value.status, caught.value.field) == (400, "value")


def test_number_reasons_name_the_rule(engine: Engine) -> None:
    told = engine.explain({"metal": "silver"}, "size", value=48)
    assert told["available"] is False
    assert told["reason"]["rules"] == ["big-gold"] and told["reason"]["choices"] == ["metal"]
    assert engine.configure({"metal": "silver"})["attributes"]["size"]["allowed"] == [44, 46]


@pytest.mark.parametrize(
    ("choices", "changed", "expected"),
    [
        ({"metal": "gold", "size": 52}, "size", 50),  # just above the range: the largest size
        ({"metal": "gold", "size": 43}, "size", 44),
        ({"metal": "gold", "size": 47}, "size", 46),  # off the step: the nearer size below
        ({"metal": "silver", "size": 52}, "size", 46),  # silver stops at 46
    ],
)
def test_a_repaired_number_is_the_nearest_that_fits(
    engine: Engine, choices: dict[str, object], changed: str, expected: int
) -> None:
    answer = engine.configure(choices, changed=changed)
    assert answer["repair"]["change"] == ["size"]
    assert answer["repair"]["choices"]["size"] == expected


# A text rule's pattern, and two patterns at once on one text.
WITH_TEXT_RULE = {
    "product": {"slug": "tag", "name": "Tag", "currency": "EUR", "base_price": 100},
    "attributes": [
        {"id": "style", "options": [{"id": "plain"}, {"id": "caps"}]},
        {"id": "label", "kind": "text", "max_length": 8, "pattern": "^[A-Za-z]*$"},
        {"id": "code", "kind": "text", "max_length": 8, "pattern": "[0-9]+"},
    ],
    "rules": [
        {
            "id": "caps-only",
            "kind": "text",
            "when": "style = 'caps'",
            "attribute": "label",
            "pattern": "^[A-Z]*$",
            "message": "Capitals only on this style.",
        },
    ],
}


@pytest.fixture(scope="module")
def tag() -> Engine:
    return compile_catalog(parse_catalog(WITH_TEXT_RULE))


@pytest.mark.parametrize(
    ("choices", "valid"),
    [
        ({"style": "caps", "label": "AB"}, True),
        ({"style": "caps", "label": "AB\n"}, False),  # passed re.search with "^...$"
        ({"style": "caps", "label": "Ab"}, False),
        ({"style": "plain", "label": "Ab\n"}, False),
        ({"style": "plain", "code": "123"}, True),
        ({"style": "plain", "code": "12a"}, False),  # an unanchored pattern: the whole text
        ({"style": "plain", "code": "123\n"}, False),
    ],
)
def test_a_text_is_valid_only_when_the_whole_of_it_matches(
    tag: Engine, choices: dict[str, object], valid: bool
) -> None:
    answer = tag.configure(choices)
    assert answer["consistent"] is valid and answer["complete"] is valid


def test_the_patterns_a_text_must_match_together_are_one_pattern(tag: Engine) -> None:
    """The answer's pattern for a text under a text rule as well as its own pattern
    accepts exactly what both accept, read as a whole match."""
    pattern = tag.configure({"style": "caps"})["attributes"]["label"]["pattern"]
    assert tag.configure({"style": "plain"})["attributes"]["label"]["pattern"] == "^[A-Za-z]*$"
    for text, expected in [("AB", True), ("", True), ("Ab", False), ("A1", False), ("AB\n", False)]:
        assert (re.fullmatch(pattern, text) is not None) is expected, text
