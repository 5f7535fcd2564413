"""Hypothesis strategies for small random catalogs (every attribute and rule kind)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from tests.domain.engine.oracle import Attr, Model, Rule, Tree

CMPS = ["=", "!=", "<", "<=", ">", ">="]
MAX_CONFIGS = 1500


@st.composite
def attributes(draw: st.DrawFn, index: int) -> Attr:
    kind = draw(st.sampled_from(["single", "single", "multi", "number", "text"]))
    name = f"a{index}"
    required = draw(st.booleans())
    if kind in ("single", "multi"):
        size = draw(st.integers(2, 3))
        options = [f"{name}o{i}" for i in range(size)]
        prices = draw(
            st.lists(st.sampled_from([0, 0, 100, 250, -50]), min_size=size, max_size=size)
        )
        attr = Attr(name, kind, required, options, prices)
        if kind == "multi":
            attr.low = draw(st.integers(0, 1))
            attr.high = draw(st.integers(max(attr.low, 1), size))
        return attr
    if kind == "number":
        low = draw(st.integers(0, 2))
        return Attr(name, kind, required, low=low, high=low + draw(st.integers(0, 3)))
    return Attr(name, kind, required, high=draw(st.integers(1, 3)))


def atom(draw: st.DrawFn, attrs: list[Attr]) -> Tree:
    a = draw(st.sampled_from(attrs))
    if a.kind == "single":
        choice = draw(st.sampled_from(["eq", "ne", "in"]))
        if choice == "in":
            values = draw(st.lists(st.sampled_from(a.options), min_size=1, max_size=2, unique=True))
            return ("in", a.id, tuple(values))
        return (choice, a.id, draw(st.sampled_from(a.options)))
    if a.kind == "multi":
        if draw(st.booleans()):
            return ("has", a.id, draw(st.sampled_from(a.options)))
        return ("count", a.id, draw(st.sampled_from(CMPS)), draw(st.integers(0, len(a.options))))
    if a.kind == "number":
        return ("num", a.id, draw(st.sampled_from(CMPS)), draw(st.integers(a.low - 1, a.high + 1)))
    return ("len", a.id, draw(st.sampled_from(CMPS)), draw(st.integers(0, a.high + 1)))


def expression(draw: st.DrawFn, attrs: list[Attr], depth: int = 2) -> Tree:
    shape = draw(
        st.sampled_from(["atom", "atom", "and", "or", "not", "const"] if depth else ["atom"])
    )
    if shape == "atom":
        return atom(draw, attrs)
    if shape == "const":
        return (draw(st.sampled_from(["true", "false"])),)
    if shape == "not":
        return ("not", expression(draw, attrs, depth - 1))
    return (shape, expression(draw, attrs, depth - 1), expression(draw, attrs, depth - 1))


@st.composite
def rules(draw: st.DrawFn, attrs: list[Attr], index: int) -> Rule:
    singles = [a for a in attrs if a.kind == "single"]
    texts = [a for a in attrs if a.kind == "text"]
    kinds = ["constraint", "requires", "excludes", "price"]
    kinds += ["table"] * bool(singles) + ["text"] * bool(texts)
    kind = draw(st.sampled_from(kinds))
    rule_id = f"r{index}"
    if kind == "constraint":
        return Rule(kind, rule_id, expr=expression(draw, attrs))
    if kind in ("requires", "excludes"):
        return Rule(kind, rule_id, when=expression(draw, attrs), then=expression(draw, attrs))
    if kind == "price":
        return Rule(
            kind, rule_id, when=expression(draw, attrs), add=draw(st.sampled_from([150, 400, -100]))
        )
    if kind == "table":
        listed = draw(
            st.lists(st.sampled_from(singles), min_size=1, max_size=3, unique_by=lambda a: a.id)
        )
        if len(listed) > 1 and draw(st.booleans()):
            # the last attribute derived from the others, as product codes are
            keys = list(itertools.product(*(a.options for a in listed[:-1])))
            kept = draw(
                st.lists(st.sampled_from(keys), min_size=1, max_size=len(keys), unique=True)
            )
            allowed = [(*key, draw(st.sampled_from(listed[-1].options))) for key in kept]
        else:
            rows = list(itertools.product(*(a.options for a in listed)))
            allowed = draw(st.lists(st.sampled_from(rows), max_size=len(rows), unique=True))
        return Rule(kind, rule_id, attributes=tuple(a.id for a in listed), allowed=tuple(allowed))
    text = draw(st.sampled_from(texts))
    max_length = draw(st.one_of(st.none(), st.integers(0, text.high)))
    pattern = draw(st.sampled_from([None, "^a*$"])) if max_length is not None else "^a*$"
    return Rule(kind, rule_id, when=expression(draw, attrs, 1), attribute=text.id,
                max_length=max_length, pattern=pattern)  # fmt: skip


@st.composite
def models(draw: st.DrawFn) -> Model:
    attrs = [draw(attributes(i)) for i in range(draw(st.integers(2, 4)))]
    size = 1
    for a in attrs:
        size *= len(a.values())
    assume(size <= MAX_CONFIGS)
    count = draw(st.integers(0, 5))
    return Model(attrs, [draw(rules(attrs, i + 1)) for i in range(count)])


@st.composite
def choices(draw: st.DrawFn, model: Model) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for a in model.attrs:
        if not draw(st.booleans()):
            continue
        if a.kind == "single":
            picked[a.id] = draw(st.sampled_from(a.options))
        elif a.kind == "multi":
            picked[a.id] = sorted(
                draw(st.sets(st.sampled_from(a.options), max_size=len(a.options)))
            )
        elif a.kind == "number":
            picked[a.id] = draw(st.integers(a.low, a.high))
        else:
            picked[a.id] = draw(st.text(alphabet="ab", min_size=1, max_size=a.high))
    return picked


@st.composite
def derived_models(draw: st.DrawFn) -> Model:
    """Product-like catalogs: single attributes, some derived from others by tables
    (as a car's codes follow from its features), plus a few other rules."""
    count = draw(st.integers(3, 5))
    attrs = []
    for index in range(count):
        size = draw(st.integers(2, 3))
        options = [f"a{index}o{i}" for i in range(size)]
        attrs.append(Attr(f"a{index}", "single", draw(st.booleans()), options, [0] * size))
    rules_: list[Rule] = []
    for index in range(1, count):
        if not draw(st.booleans()):
            continue
        derived = attrs[index]
        parents = draw(
            st.lists(
                st.sampled_from(attrs[:index]), min_size=1, max_size=2, unique_by=lambda a: a.id
            )
        )
        keys = list(itertools.product(*(a.options for a in parents)))
        kept = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=len(keys), unique=True))
        allowed = tuple((*key, draw(st.sampled_from(derived.options))) for key in kept)
        names = (*(a.id for a in parents), derived.id)
        rules_.append(Rule("table", f"r{len(rules_) + 1}", attributes=names, allowed=allowed))
    for _ in range(draw(st.integers(0, 2))):
        rules_.append(draw(rules(attrs, len(rules_) + 1)))
    return Model(attrs, rules_)


@st.composite
def choice_sequences(draw: st.DrawFn, model: Model) -> list[dict[str, Any]]:
    """A shopper's successive choices: each step sets, changes or clears one attribute."""
    steps: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 6))):
        attr = draw(st.sampled_from(model.attrs))
        if attr.id in current and draw(st.booleans()):
            del current[attr.id]
        else:
            current[attr.id] = draw(st.sampled_from(attr.options))
        steps.append(dict(current))
    return steps
