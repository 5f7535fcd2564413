"""The engine against a brute-force oracle on random small catalogs."""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.domain.engine import (
    CatalogError,
    Engine,
    catalog_to_document,
    compile_catalog,
    parse_catalog,
)
from tests.domain.engine.oracle import Model
from tests.domain.engine.strategies import choice_sequences, choices, derived_models, models

SETTINGS = settings(
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def build(model: Model, search: str | None = None, helper: bool = False) -> Engine | None:
    """The compiled engine, or None when the oracle agrees no configuration is valid."""
    try:
        return compile_catalog(parse_catalog(model.document()), search, helper)
    except CatalogError as error:
        valid = model.valid_configs()
        if any("no valid configuration" in p for p in error.problems):
            assert not valid, f"engine refused a satisfiable catalog: {error.problems}"
            return None
        raise


def possible(model: Model, choices: dict[str, Any], rules: set[str] | None = None,
             limits: set[str] | None = None, **target: Any) -> bool:  # fmt: skip
    """Whether some configuration valid under the given rules/limits extends the choices."""
    return any(
        model.extends(config, choices)
        and model.valid(config, rules, limits)
        and _has(model, config, target)
        for config in model.configs()
    )


def _has(model: Model, config: dict[str, Any], target: dict[str, Any]) -> bool:
    if not target:
        return True
    name, value = target["attr"], target["value"]
    if model.attr(name).kind == "multi":
        return value in config[name]
    return config[name] == value


def check_reason(
    model: Model, reason: dict[str, Any], context: dict[str, Any], **target: Any
) -> None:
    """A reason makes the target impossible, and without any one part it becomes possible."""
    rules, picked, limits = (
        set(reason["rules"]),
        list(reason["choices"]),
        set(reason.get("limits", [])),
    )
    assert set(picked) <= set(context)
    kept = {name: context[name] for name in picked}
    assert not possible(model, kept, rules, limits, **target), reason
    for rule in rules:
        assert possible(model, kept, rules - {rule}, limits, **target), (rule, reason)
    for limit in limits:
        assert possible(model, kept, rules, limits - {limit}, **target), (limit, reason)
    for name in picked:
        fewer = {k: v for k, v in kept.items() if k != name}
        assert possible(model, fewer, rules, limits, **target), (name, reason)
    assert reason["message"]


@SETTINGS
@given(data=st.data())
def test_availability_reasons_and_price_match_the_oracle(data: st.DataObject) -> None:
    model = data.draw(models())
    engine = build(model, data.draw(st.sampled_from(["probe", "witness"])))
    if engine is None:
        return
    if engine._witnesses is not None:
        # the rules of a reason: relaxed tables checked on models, or held exactly
        engine._witnesses.lessons_before_exact = data.draw(st.sampled_from([8, 0]))
    picked = data.draw(choices(model))
    answer = engine.configure(picked)
    valid = model.valid_configs()
    consistent = any(model.extends(c, picked) for c in valid)
    assert answer["consistent"] == consistent
    assert answer["complete"] == model.valid(model.full(picked))
    assert answer["price"]["amount"] == model.price(model.full(picked))
    assert answer["price"]["amount"] == sum(line["amount"] for line in answer["price"]["lines"])
    for attr in model.attrs:
        context = model.context(picked, attr.id)
        extensions = [c for c in valid if model.extends(c, context)]
        shown = answer["attributes"][attr.id]
        if attr.kind in ("single", "multi"):
            for option in attr.options:
                expected = any(
                    (option in c[attr.id]) if attr.kind == "multi" else c[attr.id] == option
                    for c in extensions
                )
                entry = shown["options"][option]
                assert entry["available"] == expected, (attr.id, option, picked)
                if not expected:
                    check_reason(model, entry["reason"], context, attr=attr.id, value=option)
        elif attr.kind == "number":
            allowed = sorted({c[attr.id] for c in extensions if c[attr.id] is not None})
            assert shown["allowed"] == allowed
        else:
            assert shown["max_length"] == max((len(c[attr.id]) for c in extensions), default=0)


@SETTINGS
@given(data=st.data())
def test_reasons_kept_from_earlier_answers_stay_minimal(data: st.DataObject) -> None:
    """An engine reuses a reason while the choices it names stand: over a shopper's
    session (choices added one by one, changed, then let go one by one) every reason
    shown must be a minimal one for the choices of that moment."""
    model = data.draw(models())
    engine = build(model, data.draw(st.sampled_from(["probe", "witness"])))
    if engine is None:
        return
    first, second = data.draw(choices(model)), data.draw(choices(model))
    steps = [dict(list(first.items())[:n]) for n in range(len(first) + 1)]
    steps += [{**first, **dict(list(second.items())[:n])} for n in range(1, len(second) + 1)]
    last = list(steps[-1].items())
    steps += [dict(last[n:]) for n in range(1, len(last))]
    for picked in steps:
        answer = engine.configure(picked)
        for attr in model.attrs:
            for option, entry in answer["attributes"][attr.id].get("options", {}).items():
                if not entry["available"]:
                    context = model.context(picked, attr.id)
                    check_reason(model, entry["reason"], context, attr=attr.id, value=option)


def expected_availability(model: Model, picked: dict[str, Any]) -> dict[str, set[str]]:
    """Per single attribute, the options some valid configuration has with the others."""
    valid = model.valid_configs()
    return {
        attr.id: {
            c[attr.id]
            for c in valid
            if model.extends(c, model.context(picked, attr.id)) and c[attr.id] is not None
        }
        for attr in model.attrs
    }


@SETTINGS
@given(data=st.data())
def test_witness_search_over_a_session_matches_the_oracle(data: st.DataObject) -> None:
    """One engine answers a shopper's successive questions: witnesses kept from earlier
    answers, moves of a choice through derived attributes and learnt clauses must never
    make an answer wrong."""
    session_matches_the_oracle(data, helper=False)


@SETTINGS
@given(data=st.data())
def test_a_witness_search_sharing_its_work_with_a_helper_matches_the_oracle(
    data: st.DataObject,
) -> None:
    """Half of every search done by a forked copy, whatever its size: the options it
    covers, the witnesses and the lessons it sends back must never make an answer wrong."""
    session_matches_the_oracle(data, helper=True)


def session_matches_the_oracle(data: st.DataObject, helper: bool) -> None:
    model = data.draw(derived_models())
    engine = build(model, "witness", helper)
    if engine is None:
        return
    if helper:
        assert engine._witnesses is not None and engine._witnesses._helper is not None
        engine._witnesses.min_shared = 1
        engine._witnesses.min_shared_seconds = 0
    for picked in data.draw(choice_sequences(model)):
        answer = engine.configure(picked, explain=False)
        expected = expected_availability(model, picked)
        for attr in model.attrs:
            shown = answer["attributes"][attr.id]["options"]
            offered = {option for option, entry in shown.items() if entry["available"]}
            assert offered == expected[attr.id], (attr.id, picked)


@SETTINGS
@given(data=st.data())
def test_conflicts_and_repairs_are_minimal(data: st.DataObject) -> None:
    model = data.draw(models())
    engine = build(model)
    if engine is None:
        return
    picked = data.draw(choices(model))
    changed = data.draw(st.sampled_from([None, *picked]))
    answer = engine.configure(picked, changed=changed)
    if answer["consistent"]:
        assert answer["conflict"] is None and answer["repair"] is None
        return
    check_reason(model, answer["conflict"], picked)
    change = answer["repair"]["change"]
    repaired = answer["repair"]["choices"]
    assert possible(model, repaired), "the repaired choices must be consistent"
    for name, value in picked.items():
        if name not in change:
            expected = (sorted(value) or None) if isinstance(value, list) else value
            assert repaired.get(name) == expected  # an empty multi is the same as unchosen
    chosen = list(picked)
    for size in range(len(change)):
        for dropped in itertools.combinations(chosen, size):
            if changed is not None and changed not in change and changed in dropped:
                continue  # the engine keeps the latest choice when it can
            kept = {k: v for k, v in picked.items() if k not in dropped}
            assert not possible(model, kept), (
                f"dropping {dropped} is a smaller repair than {change}"
            )


@SETTINGS
@given(data=st.data())
def test_cheapest_completion_is_valid_and_cheapest(data: st.DataObject) -> None:
    model = data.draw(models())
    engine = build(model)
    if engine is None:
        return
    picked = data.draw(choices(model))
    if not possible(model, picked):
        return
    # texts cannot be invented: a completion leaves unchosen texts empty
    blank = {a.id: "" for a in model.attrs if a.kind == "text" and a.id not in picked}
    if not possible(model, picked | blank):
        return
    completed = engine.complete(picked, "cheapest")
    config = model.full(completed)
    assert model.valid(config) and model.extends(config, picked | blank)
    cheapest = min(
        model.price(c) for c in model.valid_configs() if model.extends(c, picked | blank)
    )
    assert model.price(config) == cheapest
    surprise = model.full(engine.complete(picked, "random", seed=data.draw(st.integers(0, 99))))
    assert model.valid(surprise) and model.extends(surprise, picked | blank)


@SETTINGS
@given(data=st.data())
def test_explain_agrees_with_configure(data: st.DataObject) -> None:
    model = data.draw(models())
    engine = build(model)
    if engine is None:
        return
    picked = data.draw(choices(model))
    answer = engine.configure(picked, explain=False)
    for attr in model.attrs:
        if attr.kind not in ("single", "multi"):
            continue
        for option in attr.options:
            shown = answer["attributes"][attr.id]["options"][option]
            assert "reason" not in shown
            told = engine.explain(picked, attr.id, option)
            assert told["available"] == shown["available"]
            if not told["available"]:
                check_reason(
                    model,
                    told["reason"],
                    model.context(picked, attr.id),
                    attr=attr.id,
                    value=option,
                )


@SETTINGS
@given(model=models())
def test_document_round_trip(model: Model) -> None:
    catalog = parse_catalog(model.document())
    assert parse_catalog(catalog_to_document(catalog)) == catalog


@pytest.mark.parametrize("size", [3, 6])
def test_count_rules_on_larger_multis(size: int) -> None:
    document = {
        "product": {"slug": "bar", "name": "Bar", "currency": "EUR", "base_price": 0},
        "attributes": [
            {"id": "t", "kind": "multi", "min": 1, "max": size - 1,
             "options": [{"id": f"o{i}", "price": i} for i in range(size)]},
        ],
        "rules": [{"id": "two", "kind": "constraint", "expr": "count(t) != 2"}],
    }  # fmt: skip
    engine = compile_catalog(parse_catalog(document))
    answer = engine.configure({"t": ["o0", "o1"]})
    assert answer["consistent"] is (size - 1 >= 3)
    assert engine.complete({}, "cheapest") == {"t": ["o0"]}
