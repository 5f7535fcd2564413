"""The compiled engine of one catalog version: availability, reasons, repair, completion.

One incremental SAT solver holds the catalog's clauses for the life of the engine;
every question is asked with assumptions (rule and limit selectors plus the shopper's
choices), so nothing is rebuilt between interactions. Assumption cores name the rules,
limits and choices behind a "no", and are shrunk to a minimal set by deletion.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any

from pysat.examples.rc2 import RC2
from pysat.formula import WCNF
from pysat.solvers import Solver

from configurator.domain.engine.choices import (
    Choices,
    parse_choices,
    parse_value,
    patterns_together,
    to_json,
    violations,
    within_limits,
)
from configurator.domain.engine.encode import CandidateKey, Encoding, encode
from configurator.domain.engine.errors import CatalogError, ChoiceError
from configurator.domain.engine.expr import Value
from configurator.domain.engine.loader import number_to_json
from configurator.domain.engine.model import Attribute, Catalog, Rule
from configurator.domain.engine.mus import keys_in_core, minimal_subset
from configurator.domain.engine.pricing import price_json
from configurator.domain.engine.reasons import reason_json
from configurator.domain.engine.rotation import Rotation
from configurator.domain.engine.witnesses import WitnessSearch

SOLVER_NAME = "cadical195"
# Options times lean clauses below which availability probes option by option (see
# ``availability_search``).
PROBE_WORK = 120_000

GroupKey = tuple[str, str]  # ("rule", "3") / ("limit", attr) / ("choice", attr)
# Minimal reasons kept per option: one stays minimal while the choices it names stand.
REASONS_KEPT = 4


class Engine:
    """Answers configuration questions for one immutable catalog."""

    def __init__(self, catalog: Catalog, search: str | None = None, helper: bool = False) -> None:
        """``search`` is "probe" (a solver call per option, best on small catalogs) or
        "witness" (``WitnessSearch``) to force an availability search (tests,
        benchmarks); by default what a probe question would cost decides
        (``availability_search``). ``helper``: the witness search, if there is one,
        shares its large searches with a forked copy."""
        self.catalog = catalog
        self._attributes = {attribute.id: attribute for attribute in catalog.attributes}
        self._rules = {rule.index: rule for rule in catalog.rules}
        self._lock = threading.RLock()
        lean = encode(catalog, relax_tables=True, native_at_most_one=True)
        if search is None:
            search = availability_search(catalog, len(lean.clauses))
        self._witnesses = WitnessSearch(catalog, helper, lean) if search == "witness" else None
        # The exact formula (for conflicts, repairs, completions and the baseline) is built
        # at its first use when the witness search answers availability and reasons: on a
        # large catalog it is most of a compile (a draft linted as a merchant types, an
        # engine nobody asks for a repair, never need it).
        self._encoding: Encoding | None = None
        self._exact: Solver | None = None
        # the attribute variables, numbered alike in both encodings (declared first)
        self._variables = lean if self._witnesses is not None else self.encoding
        self._candidates = {a.id: self._variables.candidates(a) for a in catalog.attributes}
        # on small catalogs a solver call costs less than judging rules in Python
        self._rotation = Rotation(catalog, lean) if self._witnesses is not None else None
        # per target literal: (the choices a reason names, with their literals; its keys)
        self._known: dict[int, deque[tuple[dict[str, list[int]], list[GroupKey]]]] = {}
        # Small catalogs probe availability on a second solver with every rule and limit
        # a unit clause: with no selectors to assume, a probe costs about a third less.
        self._prober = (
            Solver(
                name=SOLVER_NAME,
                bootstrap_with=self.encoding.clauses + [[s] for s in self._selectors],
            )
            if self._witnesses is None
            else None
        )
        valid = self._solve([]) if self._witnesses is None else self._witnesses.consistent({})
        if not valid:
            raise CatalogError(
                [f"{catalog.slug}: the rules leave no valid configuration at all"]
                + self._conflict_lines({}, fixed=[])
            )

    # -- solver plumbing ---------------------------------------------------------

    @property
    def encoding(self) -> Encoding:
        """The catalog's exact CNF (built at its first use on large catalogs)."""
        with self._lock:
            if self._encoding is None:
                self._encoding = encode(self.catalog)
                lean = self._witnesses.encoding if self._witnesses is not None else None
                assert lean is None or lean.option_var == self._encoding.option_var
            return self._encoding

    @cached_property
    def _selector_groups(self) -> list[tuple[GroupKey, list[int]]]:
        return self.encoding.selector_groups()

    @cached_property
    def _selectors(self) -> list[int]:
        return [lits[0] for _, lits in self._selector_groups]

    @property
    def _solver(self) -> Solver:
        """The incremental solver on the exact formula (started at its first use)."""
        with self._lock:
            if self._exact is None:
                self._exact = Solver(name=SOLVER_NAME, bootstrap_with=self.encoding.clauses)
            return self._exact

    def define(self, make: Callable[[], int]) -> int:
        """A literal built by the encoding after start-up, its new clauses passed to the solver."""
        start = len(self.encoding.clauses)
        lit = make()
        for clause in self.encoding.clauses[start:]:
            self._solver.add_clause(clause)
            if self._prober is not None:
                self._prober.add_clause(clause)
        return lit

    def _solve(self, assumptions: list[int]) -> bool:
        return bool(self._solver.solve(assumptions=self._selectors + assumptions))

    @property
    def selectors(self) -> list[int]:
        """The rule and limit selectors; assuming them all true switches every rule on."""
        return list(self._selectors)

    def satisfiable(self, assumptions: list[int], without_rule: int | None = None) -> bool:
        """Whether the catalog (less one rule, if given) allows the assumptions."""
        with self._lock:
            if without_rule is None:
                return self._solve(assumptions)
            dropped = self.encoding.rule_selector[without_rule]
            selectors = [s for s in self._selectors if s != dropped]
            assert self._solver is not None
            return bool(self._solver.solve(assumptions=selectors + assumptions))

    def _model(self) -> list[int]:
        """The last model, indexed by variable - 1 (variables in no clause read false)."""
        model = self._solver.get_model() or []
        return model + [-var for var in range(len(model) + 1, self.encoding.top + 1)]

    def _core(self) -> set[int]:
        return set(self._solver.get_core() or [])

    # -- choices -------------------------------------------------------------------

    def parse(self, raw: object) -> Choices:
        return parse_choices(self.catalog, raw)

    def canonical(self, raw: object) -> dict[str, Any]:
        return to_json(self.parse(raw))

    def _groups(self, choices: Choices) -> dict[str, list[int]]:
        """The choices' literals on the exact formula."""
        return self.encoding.choice_groups(choices)

    def _question_groups(self, choices: Choices) -> dict[str, list[int]]:
        """The choices' literals on the formula availability and reasons are asked on
        (the lean one on large catalogs, where the exact one may not be built yet)."""
        return self._variables.choice_groups(choices)

    # -- availability ------------------------------------------------------------------

    def _satisfies(self, model: list[int], lits: Iterable[int]) -> bool:
        return all((model[abs(lit) - 1] > 0) == (lit > 0) for lit in lits)

    def _mark(
        self, model: list[int], names: Iterable[str], available: dict[str, set[CandidateKey]]
    ) -> None:
        for name in names:
            seen = available[name]
            for key, var in self._candidates[name]:
                if model[var - 1] > 0:
                    seen.add(key)

    def _consistent_availability(
        self, choices: Choices, groups: dict[str, list[int]]
    ) -> tuple[bool, dict[str, set[CandidateKey]]]:
        """Whether the choices are consistent, and what is available with them. Large
        catalogs ask the lean solver, whose witness then starts the availability search
        (the exact solver takes several times as long to say the same)."""
        if self._witnesses is not None:
            consistent = self._witnesses.consistent(choices)
            return consistent, self._witnesses.availability(choices, consistent)
        consistent = self._solve([lit for lits in groups.values() for lit in lits])
        model = self._model() if consistent else None
        return consistent, self._availability(choices, groups, model)

    def _availability(
        self,
        choices: Choices,
        groups: dict[str, list[int]],
        full_model: list[int] | None,
        naive: bool = False,
    ) -> dict[str, set[CandidateKey]]:
        """For each attribute, the options (values, lengths) some valid configuration allows
        (by probes, or naively), with a model of the choices if they are consistent."""
        available: dict[str, set[CandidateKey]] = {name: set() for name in self._attributes}
        full = [lit for lits in groups.values() for lit in lits]
        if full_model is not None:
            self._mark(full_model, self._attributes, available)
        for attribute in self.catalog.attributes:
            own = groups.get(attribute.id)
            if own is None or attribute.kind == "multi":
                if full_model is None:
                    continue  # the same inconsistent context: nothing is available
                context = full
            else:
                context = [
                    lit for name, lits in groups.items() if name != attribute.id for lit in lits
                ]
            if naive:
                self._fill_naive(attribute, context, full, available)
            elif attribute.kind == "text":
                self._fill_text(attribute, context, available)
            else:
                self._fill_by_probes(attribute, context, available)
        return available

    def _possible(self, assumptions: list[int]) -> bool:
        """Whether the catalog with every rule and limit on allows the assumptions."""
        if self._prober is None:
            return self._solve(assumptions)
        return bool(self._prober.solve(assumptions=assumptions))

    def _fill_by_probes(
        self, attribute: Attribute, context: list[int], available: dict[str, set[CandidateKey]]
    ) -> None:
        """One plain call per unseen option: on small formulas reading a model costs
        several solves, so asking without one is cheaper."""
        seen = available[attribute.id]
        for key, var in self._candidates[attribute.id]:
            if key not in seen and self._possible([*context, var]):
                seen.add(key)

    def _fill_text(
        self, attribute: Attribute, context: list[int], available: dict[str, set[CandidateKey]]
    ) -> None:
        """Only the longest allowed text is reported: try lengths from the longest down."""
        seen = available[attribute.id]
        longest = max((int(k) for k in seen), default=-1)
        for key, var in reversed(self._candidates[attribute.id]):
            if int(key) <= longest:
                return
            if self._possible([*context, var]):
                seen.add(key)
                return

    def _fill_naive(
        self,
        attribute: Attribute,
        context: list[int],
        full: list[int],
        available: dict[str, set[CandidateKey]],
    ) -> None:
        """Baseline for benchmarks: one solver call per candidate not yet seen in a model."""
        for key, var in self._candidates[attribute.id]:
            if key in available[attribute.id]:
                continue
            if self._solve([*context, var]):
                model = self._model()
                names = self._attributes if self._satisfies(model, full) else [attribute.id]
                self._mark(model, names, available)

    # -- reasons and conflicts ---------------------------------------------------------

    def _minimal_core(
        self, keyed: list[tuple[GroupKey, list[int]]], fixed: list[int]
    ) -> list[GroupKey] | None:
        """A minimal set of groups that with ``fixed`` is unsatisfiable, or None if satisfiable.

        Selectors are assumed group by group here (not all at once) so that rules
        and limits take part in the core like choices.
        """
        lits_of = dict(keyed)

        def solve(keys: list[GroupKey]) -> bool:
            assumptions = fixed + [lit for key in keys for lit in lits_of[key]]
            return bool(self._solver.solve(assumptions=assumptions))

        def in_core(keys: list[GroupKey]) -> list[GroupKey]:
            return keys_in_core(keys, lits_of, self._core())

        def needed(keys: list[GroupKey], chunk: list[GroupKey]) -> list[GroupKey]:
            assert self._rotation is not None
            return self._rotation.needed(self._model(), keys, lits_of, chunk, fixed)

        keys = [key for key, _ in keyed]
        if solve(keys):
            return None
        rotate = needed if self._rotation is not None else None
        return minimal_subset(keys, lambda trial: not solve(trial), in_core, rotate)

    def _keyed(
        self, groups: Mapping[str, list[int]], skip: str | None = None
    ) -> list[tuple[GroupKey, list[int]]]:
        """Limits first, then choices, then rules: deletion drops early ones first."""
        limits = [g for g in self._selector_groups if g[0][0] == "limit"]
        rules = [g for g in self._selector_groups if g[0][0] == "rule"]
        choices = [(("choice", name), lits) for name, lits in groups.items() if name != skip]
        return limits + choices + rules

    def _reason_from_keys(self, keys: list[GroupKey], choices: Choices) -> dict[str, object]:
        rules: list[Rule] = sorted(
            (self._rules[int(v)] for kind, v in keys if kind == "rule"), key=lambda r: r.index
        )
        order = [a.id for a in self.catalog.attributes]
        picked = sorted((v for kind, v in keys if kind == "choice"), key=order.index)
        limits = sorted((v for kind, v in keys if kind == "limit"), key=order.index)
        return reason_json(self.catalog, rules, picked, limits, choices)

    def _reason(
        self, attribute: Attribute, target: int, groups: dict[str, list[int]], choices: Choices
    ) -> dict[str, object] | None:
        skip = None if attribute.kind == "multi" else attribute.id
        keys = self._known_reason(target, groups)
        if keys is None:
            keys = self._new_reason(target, groups, choices, skip)
            if keys is None:
                return None
            named = {v: groups[v] for kind, v in keys if kind == "choice"}
            self._known.setdefault(target, deque(maxlen=REASONS_KEPT)).append((named, keys))
        return self._reason_from_keys(keys, choices)

    def _known_reason(self, target: int, groups: dict[str, list[int]]) -> list[GroupKey] | None:
        """An earlier reason for ``target`` whose choices all stand: it is still minimal,
        since whether a set of rules and choices is minimal depends on that set alone."""
        for named, keys in reversed(self._known.get(target, ())):
            if all(groups.get(name) == lits for name, lits in named.items()):
                return keys
        return None

    def _new_reason(self, target: int, groups: dict[str, list[int]], choices: Choices,
                    skip: str | None) -> list[GroupKey] | None:  # fmt: skip
        if self._witnesses is None:
            return self._minimal_core(self._keyed(groups, skip), [target])
        # Large catalogs: the choices first, on the lean solver, with every rule on; then
        # the rules and limits, here, with those choices fixed. Dropping a choice could not
        # help with fewer rules, so the union is still minimal.
        picked = self._witnesses.necessary_choices(choices, skip, target)
        if picked is None:
            return None
        named = self._witnesses.encoding.choice_groups({name: choices[name] for name in picked})
        fixed = [target, *(lit for lits in named.values() for lit in lits)]
        return [("choice", name) for name in picked] + self._minimal_rules(fixed)

    def _minimal_rules(self, fixed: list[int]) -> list[GroupKey]:
        """A minimal set of rules and limits that rules out ``fixed`` (unsatisfiable with
        every one on), asked on the lean formula (``WitnessSearch.rules_model``), each
        satisfiable trial's model rotated (``rotation``)."""
        search = self._witnesses
        assert search is not None
        keyed = search.encoding.selector_groups()
        lits_of = dict(keyed)
        last: dict[str, str | None] = {}  # the values of the last satisfiable trial

        def unsatisfiable(keys: list[GroupKey]) -> bool:
            nonlocal last
            values = search.rules_model(fixed + [lit for key in keys for lit in lits_of[key]])
            last = values or {}
            return values is None

        def in_core(keys: list[GroupKey]) -> list[GroupKey]:
            return keys_in_core(keys, lits_of, search.rules_core())

        def needed(keys: list[GroupKey], chunk: list[GroupKey]) -> list[GroupKey]:
            assert self._rotation is not None
            return self._rotation.needed_in(last, keys, lits_of, chunk, fixed)

        keys = [key for key, _ in keyed]
        assert unsatisfiable(keys), "the choices of a reason rule the target out"
        # With the choices fixed and what no rule on mentions unset, the first core is
        # nearly minimal on the car (91-111 parts, 89-110 of them needed): no halving.
        return minimal_subset(keys, unsatisfiable, in_core, needed, dense=True)

    def _conflict_lines(self, groups: dict[str, list[int]], fixed: list[int]) -> list[str]:
        keys = self._minimal_core(self._keyed(groups), fixed) or []
        names = [
            f"rule {self._rules[int(v)].name}" if kind == "rule" else f"{kind} {v}"
            for kind, v in keys
        ]
        return [f"{self.catalog.slug}: {name}" for name in names]

    # -- repair and completion -----------------------------------------------------------

    def _hard_wcnf(self) -> WCNF:
        wcnf = WCNF()
        wcnf.extend(self.encoding.clauses)
        for selector in self._selectors:
            wcnf.append([selector])
        return wcnf

    def _repair(
        self, choices: Choices, groups: dict[str, list[int]], changed: str | None
    ) -> dict[str, Any]:
        """Fewest attributes whose choices must change, and the choices after the change."""
        found = self._fewest_changes(groups, changed)
        change, model = found if found is not None else self._fewest_changes_maxsat(groups, changed)
        repaired = {name: value for name, value in choices.items() if name not in change}
        decoded = self._decode(model)
        for name in change:
            value = decoded.get(name)
            if isinstance(value, frozenset):
                value = value & choices[name] or None  # type: ignore[operator]
            elif self._attributes[name].kind == "text":
                value = None
            if value is not None:
                repaired[name] = value
        for name in change:
            if self._attributes[name].kind == "number" and name in repaired:
                repaired[name] = self._nearest(repaired, name, choices[name])
        order = [a.id for a in self.catalog.attributes]
        return {"change": sorted(change, key=order.index), "choices": to_json(repaired)}

    def _nearest(self, repaired: Choices, name: str, wanted: Value) -> Value:
        """The number closest to what the shopper asked for that keeps the repair valid
        (a ring size of 71 becomes 70, not whatever the solver happened to pick)."""
        assert isinstance(wanted, Decimal)
        values = sorted(self._attributes[name].number_values(), key=lambda v: (abs(v - wanted), v))
        others = [lit for n, lits in self._groups(repaired).items() if n != name for lit in lits]
        for value in values:
            if self._solve([*others, self.encoding.value_var[name, value]]):
                return value
        return repaired[name]

    def _fewest_changes(
        self, groups: dict[str, list[int]], changed: str | None
    ) -> tuple[list[str], list[int]] | None:
        """Implicit hitting sets: drop a smallest set of choices that meets every core found
        so far; if the rest is still inconsistent its core joins the list. Keeps the latest
        choice (``changed``) when any repair can. None when the cores grow too wide."""
        for keep_changed in (True, False):
            hard = groups.get(changed, []) if keep_changed and changed else []
            soft = [name for name in groups if not (keep_changed and name == changed)]
            cores: list[set[str]] = []
            while True:
                drop = _smallest_hitting_set(cores)
                if drop is None:
                    return None
                kept = [lit for name in soft if name not in drop for lit in groups[name]]
                if self._solve(hard + kept):
                    return sorted(drop), self._model()
                core = self._core()
                names = {
                    name
                    for name in soft
                    if name not in drop and any(lit in core for lit in groups[name])
                }
                if not names:
                    break  # the latest choice is impossible on its own: let it go too
                cores.append(names)
        raise AssertionError("unreachable: dropping every choice is always consistent")

    def _fewest_changes_maxsat(
        self, groups: dict[str, list[int]], changed: str | None
    ) -> tuple[list[str], list[int]]:
        """The same by MaxSAT over "keep" indicators, for conflicts too wide for the above."""
        for keep_changed in (True, False):
            wcnf = self._hard_wcnf()
            top = self.encoding.top
            keepers: dict[str, int] = {}
            for name, lits in groups.items():
                if keep_changed and name == changed:
                    wcnf.extend([lit] for lit in lits)
                    continue
                top += 1
                keepers[name] = top
                wcnf.extend([-top, lit] for lit in lits)
                wcnf.append([top], weight=1)
            with RC2(wcnf, solver=SOLVER_NAME) as rc2:
                model = rc2.compute()
            if model is not None:
                break
        assert model is not None  # the catalog itself has a valid configuration
        truth = set(lit for lit in model if lit > 0)
        return [name for name, var in keepers.items() if var not in truth], model

    def _decode(self, model: list[int]) -> Choices:
        truth = set(lit for lit in model if lit > 0)
        choices: Choices = {}
        for attribute in self.catalog.attributes:
            chosen = [key for key, var in self._candidates[attribute.id] if var in truth]
            if attribute.kind == "multi":
                if chosen:
                    choices[attribute.id] = frozenset(str(key) for key in chosen)
            elif attribute.kind in ("single", "number") and chosen:
                choices[attribute.id] = chosen[0]  # type: ignore[assignment]
        return choices

    def _cheapest(self, groups: dict[str, list[int]]) -> list[int] | None:
        wcnf = self._hard_wcnf()
        for lits in groups.values():
            wcnf.extend([lit] for lit in lits)
        # price first; among equal prices, fewer extra options (scaled so one cent outweighs all)
        scale = len(self.encoding.option_var) + 1
        terms = [(cost * scale, lit) for cost, lit in self._price_terms()]
        terms += [(1, var) for var in self.encoding.option_var.values()]
        terms += [(1, var) for var in self.encoding.value_var.values()]
        for cost, lit in terms:
            if cost > 0:
                wcnf.append([-lit], weight=cost)
            elif cost < 0:
                wcnf.append([lit], weight=-cost)
        with RC2(wcnf, solver=SOLVER_NAME) as rc2:
            model: list[int] | None = rc2.compute()
        return model

    def _price_terms(self) -> list[tuple[int, int]]:
        enc = self.encoding
        terms = [
            (option.price, enc.option_var[attribute.id, option.id])
            for attribute in self.catalog.attributes
            for option in attribute.options
        ]
        terms += [
            (rule.add, enc.lit(rule.when))
            for rule in self.catalog.rules
            if rule.kind == "price" and rule.when is not None
        ]
        return terms

    # -- public questions ----------------------------------------------------------------

    def configure(
        self, raw: object, *, explain: bool = True, changed: str | None = None
    ) -> dict[str, Any]:
        """The configure answer of the HTTP contract (without product, version, preview)."""
        choices = self.parse(raw)
        if changed is not None and changed not in choices:
            changed = None
        with self._lock:
            groups = self._question_groups(choices)
            consistent, available = self._consistent_availability(choices, groups)
            attributes = {
                attribute.id: self._attribute_json(
                    attribute, available[attribute.id], groups, choices, explain
                )
                for attribute in self.catalog.attributes
            }
            conflict = repair = None
            if not consistent:
                exact = self._groups(choices)
                keys = self._minimal_core(self._keyed(exact), []) or []
                conflict = self._reason_from_keys(keys, choices)
                repair = self._repair(choices, exact, changed)
        return {
            "consistent": consistent,
            "complete": consistent and not violations(self.catalog, choices),
            "attributes": attributes,
            "conflict": conflict,
            "repair": repair,
            "price": price_json(self.catalog, choices),
        }

    def availability(self, raw: object, naive: bool = False) -> dict[str, set[CandidateKey]]:
        """Available keys per attribute (for benchmarks and lint)."""
        choices = self.parse(raw)
        with self._lock:
            if not naive:
                return self._consistent_availability(choices, self._question_groups(choices))[1]
            groups = self._groups(choices)
            consistent = self._solve([lit for lits in groups.values() for lit in lits])
            model = self._model() if consistent else None
            return self._availability(choices, groups, model, naive=True)

    def _attribute_json(
        self,
        attribute: Attribute,
        available: set[CandidateKey],
        groups: dict[str, list[int]],
        choices: Choices,
        explain: bool,
    ) -> dict[str, Any]:
        if attribute.kind == "number":
            values = sorted(v for v in available if isinstance(v, Decimal))
            return {"kind": "number", "allowed": [number_to_json(v) for v in values]}
        if attribute.kind == "text":
            return self._text_json(attribute, available, choices)
        options: dict[str, Any] = {}
        for key, var in self._candidates[attribute.id]:
            if key in available:
                options[str(key)] = {"available": True}
                continue
            entry: dict[str, Any] = {"available": False}
            if explain:
                reason = self._reason(attribute, var, groups, choices)
                if reason is not None:
                    entry["reason"] = reason
            options[str(key)] = entry
        return {"kind": attribute.kind, "options": options}

    def _text_json(
        self, attribute: Attribute, available: set[CandidateKey], choices: Choices
    ) -> dict[str, Any]:
        groups = self._groups(choices)
        context = [lit for name, lits in groups.items() if name != attribute.id for lit in lits]
        patterns = [attribute.pattern] if attribute.pattern else []
        for index in self.encoding.pattern_var:
            rule = self._rules[index]
            if rule.attribute != attribute.id or not rule.pattern:
                continue
            when = self.encoding.lit(rule.when) if rule.when is not None else self.encoding.true
            if not self._solve([*context, -when]):
                patterns.append(rule.pattern)
        lengths = [int(k) for k in available]
        return {
            "kind": "text",
            "max_length": max(lengths, default=0),
            "pattern": patterns_together(patterns),
            "required": attribute.required,
        }

    def explain(
        self, raw: object, attribute: str, option: str | None = None, value: object = None
    ) -> dict[str, Any]:
        """Availability of one option (or number value) with its reason when unavailable."""
        choices = self.parse(raw)
        target_attribute = self._attributes.get(attribute)
        if target_attribute is None or target_attribute.kind == "text":
            raise ChoiceError(
                422, "unknown_attribute", f"no option attribute {attribute!r}", "attribute"
            )
        if target_attribute.kind == "number":
            try:
                number = parse_value(target_attribute, value)
            except ChoiceError as error:
                raise ChoiceError(error.status, error.code, error.message, "value") from None
            if number is None:
                raise ChoiceError(400, "invalid_type", "value must be a number", "value")
            if not within_limits(target_attribute, number):
                message = f"{target_attribute.label} has no value {value}"
                raise ChoiceError(422, "out_of_range", message, "value")
            target = self._variables.value_var[attribute, number]  # type: ignore[index]
        else:
            if not isinstance(option, str):
                raise ChoiceError(400, "invalid_type", "option must be an option id", "option")
            if target_attribute.option(option) is None:
                raise ChoiceError(
                    422, "unknown_option", f"no option {option!r} of {attribute!r}", "option"
                )
            target = self._variables.option_var[attribute, option]
        with self._lock:
            groups = self._question_groups(choices)
            reason = self._reason(target_attribute, target, groups, choices)
        if reason is None:
            return {"available": True}
        return {"available": False, "reason": reason}

    def complete(
        self, raw: object, strategy: str = "cheapest", seed: int | None = None
    ) -> dict[str, Any]:
        """A valid complete configuration extending the choices (repaired first if needed)."""
        choices = self.parse(raw)
        with self._lock:
            groups = self._groups(choices)
            if not self._solve([lit for lits in groups.values() for lit in lits]):
                choices = self.parse(self._repair(choices, groups, None)["choices"])
                groups = self._groups(choices)
            # a completion cannot invent a shopper's text: unchosen texts stay empty where allowed
            blank = {
                a.id: [self.encoding.length_var[a.id, 0]]
                for a in self.catalog.attributes
                if a.kind == "text" and a.id not in groups
            }
            if self._solve([lit for lits in (groups | blank).values() for lit in lits]):
                groups = groups | blank
            if strategy == "cheapest":
                model = self._cheapest(groups)
            elif strategy == "random":
                model = self._random_model(groups, random.Random(seed))
            else:
                raise ValueError(f"unknown completion strategy {strategy!r}")
        assert model is not None
        completed = self._decode(model)
        completed.update({k: v for k, v in choices.items() if self._attributes[k].kind == "text"})
        return to_json(completed)

    def _random_model(self, groups: dict[str, list[int]], rng: random.Random) -> list[int] | None:
        """Pick attributes in random order and a random still-available option for each."""
        fixed = [lit for lits in groups.values() for lit in lits]
        names = [a.id for a in self.catalog.attributes if a.id not in groups and a.kind != "text"]
        rng.shuffle(names)
        for name in names:
            candidates = [var for _, var in self._candidates[name]]
            rng.shuffle(candidates)
            attribute = self._attributes[name]
            if attribute.kind == "multi":
                for var in candidates[: rng.randint(0, len(candidates))]:
                    if self._solve([*fixed, var]):
                        fixed.append(var)
                continue
            for var in candidates:
                if self._solve([*fixed, var]):
                    fixed.append(var)
                    break
        self._solve(fixed)
        return self._model()

    def default_choices(self) -> dict[str, Any]:
        """The configuration the catalog's defaults give."""
        defaults: dict[str, Any] = {}
        for attribute in self.catalog.attributes:
            if attribute.default is not None:
                value = attribute.default
                defaults[attribute.id] = (
                    number_to_json(value) if isinstance(value, Decimal) else value
                )
        return defaults


def availability_search(catalog: Catalog, clauses: int) -> str:
    """The availability search whose question costs less on this catalog, given the
    size of its lean formula: "probe" or "witness".

    A probe question makes one call per option (no model read), each costing about the
    formula's size, so its cost grows as options times clauses; the witness search makes
    far fewer calls but pays a fixed price in Python per question (the pool, moves,
    models read and checked). Measured with bench/ladder.py (``--search``) and on the
    seed catalogs: the seeds (45-67 options on 255-705 lean clauses, a work of 15,000 to
    32,000) answer with reasons in 0.7-1.0 ms by probes, 2.4-3.3 ms by witnesses; the smallest
    ladder rung (177 options, 3,119 lean clauses, 552,000) in 21 ms by probes and
    4.3 ms by witnesses, and the gap widens with size (441 options: 162 ms by probes, 1.2
    times faster than the plain loop, 9.3 ms by witnesses). The threshold sits between
    the two, four times away from either."""
    options = sum(
        1 if a.kind == "text" else len(a.number_values()) if a.kind == "number" else len(a.options)
        for a in catalog.attributes
    )
    return "probe" if options * clauses < PROBE_WORK else "witness"


MAX_HITTING_ELEMENTS = 16


def _smallest_hitting_set(cores: list[set[str]]) -> set[str] | None:
    """A smallest set meeting every core, by size-ordered search; None if too many elements."""
    elements = sorted(set().union(*cores))
    if len(elements) > MAX_HITTING_ELEMENTS:
        return None
    for size in range(len(elements) + 1):
        for candidate in itertools.combinations(elements, size):
            chosen = set(candidate)
            if all(core & chosen for core in cores):
                return chosen
    return set(elements)
