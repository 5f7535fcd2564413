"""Attributes the rules derive: a table whose column is a function of its other columns.

Large product models are mostly derived codes (a harness variant follows from engine,
market and trim). Knowing which attributes a table determines lets the availability
search change one choice in a valid configuration and recompute what follows from
it in Python, instead of asking the solver for a new configuration.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass

from configurator.domain.engine.choices import rule_holds
from configurator.domain.engine.encode import expression_attributes, functional_column
from configurator.domain.engine.expr import Value
from configurator.domain.engine.model import Catalog, Rule, tuple_getter


@dataclass(frozen=True)
class Derivation:
    """``attribute`` is ``lookup[values of key]`` wherever every attribute is set."""

    attribute: str
    key: tuple[str, ...]
    lookup: dict[tuple[str, ...], str]
    key_of: Callable[[Mapping[str, Value]], tuple[Value, ...]]


class Derivations:
    """Derived attributes of a catalog and moves between valid configurations.

    A configuration here maps every attribute to its value (None when unset)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        kinds = {a.id: a.kind for a in catalog.attributes}
        required = {a.id for a in catalog.attributes if a.required}
        self.rules_of: dict[str, list[Rule]] = {a.id: [] for a in catalog.attributes}
        self._names: dict[int, list[str]] = {}
        textual: set[str] = set()
        for rule in catalog.rules:
            if rule.kind == "price":
                continue
            names = rule_attributes(rule)
            self._names[rule.index] = sorted(names)
            for name in names:
                self.rules_of[name].append(rule)
            if rule.kind == "text" or any(kinds[n] == "text" for n in names):
                textual.update(names)
        self.derivations: dict[str, Derivation] = {}
        for rule in catalog.rules:
            if rule.kind != "table" or len(rule.attributes) < 2:
                continue
            column = functional_column(rule)
            if column is None:
                continue
            name = rule.attributes[column]
            if name in self.derivations or name not in required:
                continue
            key = rule.attributes[:column] + rule.attributes[column + 1 :]
            lookup = {row[:column] + row[column + 1 :]: row[column] for row in rule.allowed}
            self.derivations[name] = Derivation(name, key, lookup, tuple_getter(key))
        self._order = self._acyclic_order()
        self.dependents: dict[str, list[str]] = {a.id: [] for a in catalog.attributes}
        for derivation in self.derivations.values():
            for name in derivation.key:
                self.dependents[name].append(derivation.attribute)
        # A move may change an attribute only if no rule it reaches reads a text.
        self.movable = {
            a.id
            for a in catalog.attributes
            if a.kind == "single" and not (self.descendants(a.id) & textual)
        }
        self._closed_kinds = all(kinds[n] == "single" for n in kinds)

    def _acyclic_order(self) -> dict[str, int]:
        """Rank of every attribute so that a derived one comes after its key; derivations
        that would close a cycle are dropped."""
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str) -> bool:
            if state.get(name) == 1:
                return False
            if state.get(name) == 2:
                return True
            state[name] = 1
            derivation = self.derivations.get(name)
            if derivation is not None and not all(visit(k) for k in derivation.key):
                del self.derivations[name]
            state[name] = 2
            order.append(name)
            return True

        for attribute in self.catalog.attributes:
            visit(attribute.id)
        return {name: rank for rank, name in enumerate(order)}

    def descendants(self, name: str) -> set[str]:
        found = {name}
        stack = [name]
        while stack:
            for child in self.dependents[stack.pop()]:
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def determined_by(self, fixed: set[str]) -> bool:
        """Whether the attributes in ``fixed`` leave exactly one candidate for all others
        (every other attribute is a required single the rules derive)."""
        return self._closed_kinds and all(
            name in fixed or name in self.derivations for name in self.dependents
        )

    def move(
        self,
        config: MutableMapping[str, Value],
        name: str,
        value: str,
        locked: set[str],
        worth: Callable[[dict[str, str]], bool] | None = None,
    ) -> dict[str, str] | None:
        """The changes that set ``name`` to ``value`` in a valid ``config`` and recompute
        what derives from it, if the result is valid, leaves ``locked`` alone and (when
        given) is ``worth`` checking. ``config`` is changed while this runs, then restored."""
        saved: dict[str, Value] = {}
        try:
            if not self._derive(config, name, value, locked, saved):
                return None
            changes = {attribute: str(config[attribute]) for attribute in saved}
            if worth is not None and not worth(changes):
                return None
            return changes if self._valid(config, saved) else None
        finally:
            config.update(saved)

    def _derive(self, config: MutableMapping[str, Value], name: str, value: str,
                locked: set[str], saved: dict[str, Value]) -> bool:  # fmt: skip
        saved[name] = config[name]
        config[name] = value
        queued = set(self.dependents[name])
        queue = [(self._order[d], d) for d in queued]
        heapq.heapify(queue)
        while queue:
            _, derived = heapq.heappop(queue)
            derivation = self.derivations[derived]
            new = derivation.lookup.get(derivation.key_of(config))  # type: ignore[arg-type]
            if new is None:
                return False  # no row has this key (or part of it is unset)
            if new == config[derived]:
                continue
            if derived in locked:
                return False
            saved.setdefault(derived, config[derived])
            config[derived] = new
            for child in self.dependents[derived]:
                if child not in queued:
                    queued.add(child)
                    heapq.heappush(queue, (self._order[child], child))
        return True

    def _valid(self, config: Mapping[str, Value], changed: Iterable[str]) -> bool:
        """Whether the rules over the changed attributes hold (the others did before)."""
        checked: set[int] = set()
        for name in changed:
            for rule in self.rules_of[name]:
                if rule.index in checked:
                    continue
                checked.add(rule.index)
                if rule.kind == "table":
                    if not rule_holds(rule, config):
                        return False
                elif not rule_holds(rule, {n: config[n] for n in self._names[rule.index]}):
                    return False
        return True


def rule_attributes(rule: Rule) -> set[str]:
    if rule.kind == "table":
        return set(rule.attributes)
    names: set[str] = set()
    for expr in (rule.expr, rule.when, rule.then):
        if expr is not None:
            names |= expression_attributes(expr)
    if rule.attribute is not None:
        names.add(rule.attribute)
    return names
