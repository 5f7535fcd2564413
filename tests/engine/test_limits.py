"""Values outside an attribute's own limits are conflicts with a repair, not refusals."""

from __future__ import annotations

import pytest

from configurator.engine import ChoiceError, Engine, compile_catalog, parse_catalog

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
        ({"engraving": "abc"}, "engraving", "Engraving contains characters that are not allowed."),
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
