"""A brute-force oracle for the engine, written apart from it.

Random small catalogs are built here as plain Python structures with their own
expression trees; the oracle enumerates every full configuration and answers each
question by definition. Nothing from ``configurator.domain.engine`` is used to decide truth.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Expression trees: ("true",) ("false",) ("or", a, b) ("and", a, b) ("not", a)
# ("eq", attr, opt) ("ne", attr, opt) ("in", attr, (opts)) ("has", attr, opt)
# ("count", attr, op, n) ("len", attr, op, n) ("num", attr, op, n)
Tree = tuple[Any, ...]
OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def render(tree: Tree) -> str:
    head = tree[0]
    if head in ("true", "false"):
        return head
    if head in ("or", "and"):
        return f"({render(tree[1])} {head} {render(tree[2])})"
    if head == "not":
        return f"not {render(tree[1])}"
    if head == "eq":
        return f"{tree[1]} = '{tree[2]}'"
    if head == "ne":
        return f"{tree[1]} != '{tree[2]}'"
    if head == "in":
        return f"{tree[1]} in [{', '.join(repr(v) for v in tree[2])}]"
    if head == "has":
        return f"{tree[1]} has '{tree[2]}'"
    if head in ("count", "len"):
        return f"{head}({tree[1]}) {tree[2]} {tree[3]}"
    return f"{tree[1]} {tree[2]} {tree[3]}"


def holds(tree: Tree, config: dict[str, Any]) -> bool:
    head = tree[0]
    if head == "true":
        return True
    if head == "false":
        return False
    if head == "or":
        return holds(tree[1], config) or holds(tree[2], config)
    if head == "and":
        return holds(tree[1], config) and holds(tree[2], config)
    if head == "not":
        return not holds(tree[1], config)
    value = config.get(tree[1])
    if head == "eq":
        return value == tree[2]
    if head == "ne":
        return value != tree[2]
    if head == "in":
        return value in tree[2]
    if head == "has":
        return tree[2] in (value or ())
    if head == "count":
        return OPS[tree[2]](len(value or ()), tree[3])
    if head == "len":
        return OPS[tree[2]](len(value or ""), tree[3])
    if value is None:
        return tree[2] == "!="  # unset: comparisons are false, != is true
    return OPS[tree[2]](value, tree[3])


@dataclass
class Attr:
    id: str
    kind: str
    required: bool = False
    options: list[str] = field(default_factory=list)
    prices: list[int] = field(default_factory=list)
    low: int = 0  # multi min / number min
    high: int = 0  # multi max / number max / text max_length

    def values(self) -> list[Any]:
        """Every value a full configuration can give this attribute."""
        if self.kind == "single":
            return [None, *self.options]
        if self.kind == "number":
            return [None, *range(self.low, self.high + 1)]
        if self.kind == "multi":
            subsets = itertools.chain.from_iterable(
                itertools.combinations(self.options, k) for k in range(len(self.options) + 1)
            )
            return [frozenset(s) for s in subsets]
        texts = [""] + [
            "".join(letters)
            for n in range(1, self.high + 1)
            for letters in itertools.product("ab", repeat=n)
        ]
        return texts


@dataclass
class Rule:
    kind: str
    id: str
    when: Tree | None = None
    then: Tree | None = None
    expr: Tree | None = None
    attributes: tuple[str, ...] = ()
    allowed: tuple[tuple[str, ...], ...] = ()
    add: int = 0
    attribute: str = ""
    max_length: int | None = None
    pattern: str | None = None


@dataclass
class Model:
    attrs: list[Attr]
    rules: list[Rule]
    base_price: int = 1000

    def document(self) -> dict[str, Any]:
        attributes = []
        for a in self.attrs:
            entry: dict[str, Any] = {"id": a.id, "kind": a.kind, "required": a.required}
            if a.kind in ("single", "multi"):
                entry["options"] = [
                    {"id": o, "label": o.upper(), "price": p}
                    for o, p in zip(a.options, a.prices, strict=True)
                ]
            if a.kind in ("multi", "number"):
                entry["min"], entry["max"] = a.low, a.high
            if a.kind == "text":
                entry["max_length"] = a.high
            attributes.append(entry)
        rules = []
        for r in self.rules:
            entry = {"id": r.id, "kind": r.kind, "message": f"Rule {r.id} says no."}
            if r.kind == "constraint":
                entry["expr"] = render(r.expr)
            elif r.kind in ("requires", "excludes"):
                entry["when"], entry["then"] = render(r.when), render(r.then)
            elif r.kind == "price":
                entry["when"], entry["add"] = render(r.when), r.add
            elif r.kind == "table":
                entry["attributes"] = list(r.attributes)
                entry["allowed"] = [list(row) for row in r.allowed]
            else:
                entry["when"], entry["attribute"] = render(r.when), r.attribute
                if r.max_length is not None:
                    entry["max_length"] = r.max_length
                if r.pattern is not None:
                    entry["pattern"] = r.pattern
            rules.append(entry)
        return {
            "product": {"slug": "random", "name": "Random", "currency": "EUR",
                        "base_price": self.base_price},
            "attributes": attributes,
            "rules": rules,
        }  # fmt: skip

    # -- truth by definition -----------------------------------------------------

    def configs(self) -> Iterator[dict[str, Any]]:
        names = [a.id for a in self.attrs]
        for values in itertools.product(*(a.values() for a in self.attrs)):
            yield dict(zip(names, values, strict=True))

    def rule_holds(self, rule: Rule, config: dict[str, Any]) -> bool:
        if rule.kind == "constraint":
            return holds(rule.expr, config)
        if rule.kind == "requires":
            return not holds(rule.when, config) or holds(rule.then, config)
        if rule.kind == "excludes":
            return not (holds(rule.when, config) and holds(rule.then, config))
        if rule.kind == "table":
            row = tuple(config[name] for name in rule.attributes)
            return None in row or row in rule.allowed
        if rule.kind == "text":
            if not holds(rule.when, config):
                return True
            text = config[rule.attribute]
            if rule.max_length is not None and len(text) > rule.max_length:
                return False
            return not (text and rule.pattern and not re.fullmatch(rule.pattern, text))
        return True

    def limit_holds(self, attr: Attr, config: dict[str, Any]) -> bool:
        value = config[attr.id]
        if attr.kind == "multi":
            low = max(attr.low, 1 if attr.required else 0)
            return low <= len(value) <= attr.high
        if attr.kind == "text":
            return not attr.required or value != ""
        return not attr.required or value is not None

    def valid(self, config: dict[str, Any], rules: set[str] | None = None,
              limits: set[str] | None = None) -> bool:  # fmt: skip
        return all(
            self.rule_holds(r, config) for r in self.rules if rules is None or r.id in rules
        ) and all(
            self.limit_holds(a, config) for a in self.attrs if limits is None or a.id in limits
        )

    def valid_configs(self) -> list[dict[str, Any]]:
        return [c for c in self.configs() if self.valid(c)]

    def attr(self, name: str) -> Attr:
        return next(a for a in self.attrs if a.id == name)

    def extends(self, config: dict[str, Any], choices: dict[str, Any]) -> bool:
        for name, value in choices.items():
            kind = self.attr(name).kind
            if kind == "multi":
                if not set(value) <= config[name]:
                    return False
            elif config[name] != value:
                return False
        return True

    def context(self, choices: dict[str, Any], name: str) -> dict[str, Any]:
        """The choices an option of ``name`` is judged against."""
        if self.attr(name).kind == "multi":
            return choices
        return {k: v for k, v in choices.items() if k != name}

    def price(self, config: dict[str, Any]) -> int:
        total = self.base_price
        for a in self.attrs:
            value = config.get(a.id)
            for option, price in zip(a.options, a.prices, strict=True):
                if option == value or (isinstance(value, (list, frozenset)) and option in value):
                    total += price
        for r in self.rules:
            if r.kind == "price" and holds(r.when, config):
                total += r.add
        return total

    def full(self, choices: dict[str, Any]) -> dict[str, Any]:
        """Choices read as a full configuration (unchosen attributes unset)."""
        config: dict[str, Any] = {}
        for a in self.attrs:
            value = choices.get(a.id)
            if a.kind == "multi":
                config[a.id] = frozenset(value or ())
            elif a.kind == "text":
                config[a.id] = value or ""
            else:
                config[a.id] = value
        return config
