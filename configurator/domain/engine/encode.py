"""Compilation of a catalog to CNF for an incremental SAT solver.

Variables:
- one per option of a single/multi attribute, plus a "none" variable for single
  and number attributes (exactly one is true);
- one per value of a number attribute, one per possible length of a text;
- one selector per rule and one per attribute limit (required / min / max), so that
  solver cores over assumptions name the rules and limits behind an answer;
- Tseitin variables (full equivalence, so negation is sound) for sub-expressions,
  and unary counters for ``count()`` of multi attributes.

Rules are guarded by their selector: a clause ``C`` of rule ``r`` is stored as
``-s_r or C`` and holds only while ``s_r`` is assumed true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import itemgetter

from pysat.card import CardEnc, EncType

from configurator.domain.engine.choices import text_matches, within_limits
from configurator.domain.engine.expr import (
    And,
    Compare,
    Const,
    Expr,
    Has,
    In,
    Measure,
    Not,
    Or,
    Value,
    compare,
    walk,
)
from configurator.domain.engine.model import Attribute, Catalog, Rule

CandidateKey = str | Decimal | int  # option id, number value or text length


@dataclass
class Encoding:
    catalog: Catalog
    top: int = 0
    attribute_top: int = 0
    clauses: list[list[int]] = field(default_factory=list)
    true: int = 0
    option_var: dict[tuple[str, str], int] = field(default_factory=dict)
    none_var: dict[str, int] = field(default_factory=dict)
    value_var: dict[tuple[str, Decimal], int] = field(default_factory=dict)
    length_var: dict[tuple[str, int], int] = field(default_factory=dict)
    rule_selector: dict[int, int] = field(default_factory=dict)
    limit_selector: dict[str, int] = field(default_factory=dict)
    pattern_var: dict[int, int] = field(default_factory=dict)
    counter: dict[str, list[int]] = field(default_factory=dict)
    # number/text: "the chosen value lies outside the attribute's own limits"
    outside_var: dict[str, int] = field(default_factory=dict)
    # "at least k of the first i options" literals, per attribute and k
    _prefix_counts: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    _memo: dict[Expr, int] = field(default_factory=dict)
    # encode tables of three or more attributes without row variables (checked on models)
    relax_tables: bool = False
    relaxed: list[tuple[Rule, int]] = field(default_factory=list)
    # leave "at most one" of long literal lists to a solver that has the constraint
    # built in (``at_most_one``) instead of encoding it in clauses
    native_at_most_one: bool = False
    at_most_one: list[list[int]] = field(default_factory=list)

    def new_var(self) -> int:
        self.top += 1
        return self.top

    # -- literal helpers with constant folding ------------------------------

    def or_lit(self, lits: Iterable[int]) -> int:
        items = sorted(set(lits))
        if self.true in items:
            return self.true
        items = [lit for lit in items if lit != -self.true]
        if not items:
            return -self.true
        if len(items) == 1:
            return items[0]
        if any(-lit in items for lit in items):
            return self.true
        out = self.new_var()
        self.clauses.append([-out, *items])
        self.clauses.extend([out, -lit] for lit in items)
        return out

    def and_lit(self, lits: Iterable[int]) -> int:
        return -self.or_lit(-lit for lit in lits)

    # -- attribute domains ----------------------------------------------------

    def attribute_lits(self, attribute: Attribute) -> list[int]:
        """The one-hot variables of an attribute (options, values or lengths)."""
        if attribute.kind in ("single", "multi"):
            return [self.option_var[attribute.id, o.id] for o in attribute.options]
        if attribute.kind == "number":
            return [self.value_var[attribute.id, v] for v in attribute.number_values()]
        assert attribute.max_length is not None
        return [self.length_var[attribute.id, n] for n in range(attribute.max_length + 1)]

    def candidates(self, attribute: Attribute) -> list[tuple[CandidateKey, int]]:
        """The attribute's keys (option ids, values or lengths) with their variables."""
        lits = self.attribute_lits(attribute)
        if attribute.kind in ("single", "multi"):
            keys: list[CandidateKey] = [o.id for o in attribute.options]
        elif attribute.kind == "number":
            keys = list(attribute.number_values())
        else:
            keys = list(range(len(lits)))
        return list(zip(keys, lits, strict=True))

    @cached_property
    def _attributes(self) -> dict[str, Attribute]:
        return {attribute.id: attribute for attribute in self.catalog.attributes}

    def choice_groups(self, choices: Mapping[str, Value]) -> dict[str, list[int]]:
        """Per chosen attribute, the literals that hold its choice."""
        return {
            name: self.choice_lits(self._attributes[name], value) for name, value in choices.items()
        }

    def selector_groups(self) -> list[tuple[tuple[str, str], list[int]]]:
        """Limits, then rules, each keyed ("limit", attribute) or ("rule", index), with
        its selector."""
        return [(("limit", name), [lit]) for name, lit in self.limit_selector.items()] + [
            (("rule", str(index)), [lit]) for index, lit in self.rule_selector.items()
        ]

    def choice_lits(self, attribute: Attribute, value: Value) -> list[int]:
        """The literals that hold a shopper's choice of ``value`` for ``attribute``."""
        if attribute.kind == "single":
            assert isinstance(value, str)
            return [self.option_var[attribute.id, value]]
        if attribute.kind == "multi":
            assert isinstance(value, frozenset)
            return sorted(self.option_var[attribute.id, option] for option in value)
        if attribute.kind == "number":
            assert isinstance(value, Decimal)
            if not within_limits(attribute, value):
                return [self.outside_var[attribute.id], self.none_var[attribute.id]]
            return [self.value_var[attribute.id, value]]
        assert isinstance(value, str) and attribute.max_length is not None
        lits = [self.length_var[attribute.id, min(len(value), attribute.max_length)]]
        if not within_limits(attribute, value):
            lits.append(self.outside_var[attribute.id])
        for index, var in self.pattern_var.items():
            rule = self.catalog.rules[index - 1]
            if rule.attribute == attribute.id:
                lits.append(var if text_matches(rule.pattern, value) else -var)
        return lits

    def exactly_one(self, lits: list[int]) -> None:
        if len(lits) <= 8:
            self.clauses.append(list(lits))
            self.clauses.extend([-a, -b] for i, a in enumerate(lits) for b in lits[i + 1 :])
            return
        if self.native_at_most_one:
            self.clauses.append(list(lits))
            self.at_most_one.append(list(lits))
            return
        cnf = CardEnc.equals(lits=lits, bound=1, top_id=self.top, encoding=EncType.ladder)
        self.top = max(self.top, cnf.nv)
        self.clauses.extend(cnf.clauses)

    def declare(self, attribute: Attribute) -> None:
        """The attribute's one-hot variables (and "none"); see ``one_of`` for their clauses."""
        if attribute.kind in ("single", "multi"):
            for option in attribute.options:
                self.option_var[attribute.id, option.id] = self.new_var()
        elif attribute.kind == "number":
            for value in attribute.number_values():
                self.value_var[attribute.id, value] = self.new_var()
        else:
            assert attribute.max_length is not None
            for length in range(attribute.max_length + 1):
                self.length_var[attribute.id, length] = self.new_var()
        if attribute.kind in ("single", "number"):
            self.none_var[attribute.id] = self.new_var()

    def one_of(self, attribute: Attribute) -> None:
        if attribute.kind in ("single", "number"):
            self.exactly_one([*self.attribute_lits(attribute), self.none_var[attribute.id]])
        elif attribute.kind == "text":
            self.exactly_one(self.attribute_lits(attribute))

    def count_at_least(self, attribute: Attribute, bound: int) -> int:
        """A literal true exactly when at least ``bound`` options are selected."""
        options = self.attribute_lits(attribute)
        if bound <= 0:
            return self.true
        if bound > len(options):
            return -self.true
        counter = self.counter.setdefault(attribute.id, [])
        while len(counter) < bound:
            self._extend_counter(attribute.id, options, counter)
        return counter[bound - 1]

    def _extend_counter(self, name: str, options: list[int], counter: list[int]) -> None:
        # sequential counter, one bound k at a time: ge[i] <-> ge[i-1] or (below[i-1] and x_i)
        k = len(counter) + 1
        below = self._prefix_counts[name, k - 1] if k > 1 else None
        ge: list[int] = []
        previous = -self.true
        for i, option in enumerate(options):
            carry = (
                option
                if below is None
                else self.and_lit([below[i - 1], option])
                if i
                else -self.true
            )
            previous = self.or_lit([previous, carry])
            ge.append(previous)
        self._prefix_counts[name, k] = ge
        counter.append(ge[-1])

    # -- expressions ----------------------------------------------------------

    def lit(self, expr: Expr) -> int:
        """A literal equivalent to the expression (Tseitin, memoised)."""
        if expr in self._memo:
            return self._memo[expr]
        result = self._lit(expr)
        self._memo[expr] = result
        return result

    def _lit(self, expr: Expr) -> int:
        catalog = self.catalog
        if isinstance(expr, Const):
            return self.true if expr.value else -self.true
        if isinstance(expr, Or):
            return self.or_lit(self.lit(item) for item in expr.items)
        if isinstance(expr, And):
            return self.and_lit(self.lit(item) for item in expr.items)
        if isinstance(expr, Not):
            return -self.lit(expr.item)
        attribute = catalog.attribute(expr.attr)
        assert attribute is not None
        if isinstance(expr, Compare) and isinstance(expr.operand, str):
            option = self.option_var[expr.attr, expr.operand]
            return option if expr.op == "=" else -option
        if isinstance(expr, Compare):
            operand = expr.operand
            assert isinstance(operand, Decimal)
            if expr.op == "!=":
                equal = self.value_var.get((expr.attr, operand))
                return self.true if equal is None else -equal
            return self.or_lit(
                self.value_var[expr.attr, v]
                for v in attribute.number_values()
                if compare(v, expr.op, operand)
            )
        if isinstance(expr, In):
            return self.or_lit(self.option_var[expr.attr, value] for value in expr.values)
        if isinstance(expr, Has):
            return self.option_var[expr.attr, expr.value]
        assert isinstance(expr, Measure)
        if expr.func == "len":
            assert attribute.max_length is not None
            return self.or_lit(
                self.length_var[expr.attr, n]
                for n in range(attribute.max_length + 1)
                if compare(n, expr.op, expr.value)
            )
        return self._count_lit(attribute, expr.op, expr.value)

    def _count_lit(self, attribute: Attribute, op: str, value: int) -> int:
        at_least = self.count_at_least
        if op == ">=":
            return at_least(attribute, value)
        if op == ">":
            return at_least(attribute, value + 1)
        if op == "<":
            return -at_least(attribute, value)
        if op == "<=":
            return -at_least(attribute, value + 1)
        exactly = self.and_lit([at_least(attribute, value), -at_least(attribute, value + 1)])
        return exactly if op == "=" else -exactly

    # -- rules and limits -------------------------------------------------------

    def guarded(self, selector: int, clause: Iterable[int]) -> None:
        self.clauses.append([-selector, *clause])

    def limits(self, attribute: Attribute) -> None:
        clauses: list[list[int]] = []
        if attribute.kind in ("single", "number") and attribute.required:
            clauses.append([-self.none_var[attribute.id]])
        elif attribute.kind == "text" and attribute.required:
            clauses.append([-self.length_var[attribute.id, 0]])
        if attribute.kind in ("number", "text"):
            self.outside_var[attribute.id] = self.new_var()
            clauses.append([-self.outside_var[attribute.id]])
        elif attribute.kind == "multi":
            low = int(attribute.min or 0)
            if attribute.required:
                low = max(low, 1)
            high = int(attribute.max if attribute.max is not None else len(attribute.options))
            if low > 0:
                clauses.append([self.count_at_least(attribute, low)])
            if high < len(attribute.options):
                clauses.append([-self.count_at_least(attribute, high + 1)])
        if clauses:
            selector = self.new_var()
            self.limit_selector[attribute.id] = selector
            for clause in clauses:
                self.guarded(selector, clause)

    def rule(self, rule: Rule) -> None:
        selector = self.new_var()
        self.rule_selector[rule.index] = selector
        if rule.kind == "constraint":
            assert rule.expr is not None
            self.guarded(selector, [self.lit(rule.expr)])
        elif rule.kind in ("requires", "excludes"):
            assert rule.when is not None and rule.then is not None
            then = self.lit(rule.then)
            self.guarded(
                selector, [-self.lit(rule.when), then if rule.kind == "requires" else -then]
            )
        elif rule.kind == "price":
            assert rule.when is not None
            self.lit(rule.when)  # defined now so that pricing objectives can use it
        elif rule.kind == "table":
            self.table(rule, selector)
        else:
            self.text_rule(rule, selector)

    def table(self, rule: Rule, selector: int) -> None:
        if len(rule.attributes) <= 2:
            self._small_table(rule, selector)
        elif self.relax_tables:
            self._keyed_table(rule, selector, key_column(rule))
        else:
            self._row_table(rule, selector)

    def _unset_except(self, names: tuple[str, ...], *skip: int) -> list[int]:
        return [self.none_var[name] for i, name in enumerate(names) if i not in skip]

    def _supports(self, rule: Rule, selector: int, position: int, other: int) -> None:
        """Each value at ``position`` needs a row with a value at ``other``: exact for a
        table of two attributes, implied by any table."""
        names = rule.attributes
        supported: dict[str, list[str]] = {}
        # distinct pairs first (at C speed): a long table repeats them many times
        for value, partner in set(map(itemgetter(position, other), rule.allowed)):
            supported.setdefault(value, []).append(partner)
        unset = self._unset_except(names, position)
        attribute = self._attributes.get(names[position])
        assert attribute is not None
        option_var, name, other_name = self.option_var, names[position], names[other]
        for option in attribute.options:
            clause = [option_var[other_name, v] for v in sorted(supported.get(option.id, ()))]
            self.guarded(selector, [-option_var[name, option.id], *unset, *clause])

    def _negated_options(self, name: str) -> dict[str, int]:
        attribute = self._attributes.get(name)
        assert attribute is not None
        return {option.id: -self.option_var[name, option.id] for option in attribute.options}

    def _small_table(self, rule: Rule, selector: int) -> None:
        """One or two attributes: forbidden values, or supports both ways; no row variables."""
        names = rule.attributes
        if len(names) == 1:
            allowed = {row[0] for row in rule.allowed}
            attribute = self._attributes.get(names[0])
            assert attribute is not None
            for option in attribute.options:
                if option.id not in allowed:
                    self.guarded(selector, [-self.option_var[names[0], option.id]])
            return
        self._supports(rule, selector, 0, 1)
        self._supports(rule, selector, 1, 0)

    def _keyed_table(self, rule: Rule, selector: int, column: int) -> None:
        """A table without row variables: each key (the other columns' values) allows the
        values of ``column`` listed with it, and each value needs a row. Whether a key is
        listed at all is left to the caller to check on each model (``relaxed``)."""
        names = rule.attributes
        others = [i for i in range(len(names)) if i != column]
        allowed: dict[tuple[str, ...], set[str]] = {}
        # a relaxed table has three columns or more: a key has two or more
        for key, value in zip(
            map(itemgetter(*others), rule.allowed),
            map(itemgetter(column), rule.allowed),
            strict=True,
        ):
            allowed.setdefault(key, set()).add(value)
        # per key column, option id -> its negated variable (one dict lookup per cell)
        negated = [self._negated_options(names[i]).__getitem__ for i in others]
        target, unset = names[column], self.none_var[names[column]]
        for key, values in allowed.items():
            cells = list(map(_call, negated, key))
            options = [self.option_var[target, v] for v in sorted(values)]
            self.guarded(selector, [*cells, unset, *options])
        for position in others:
            self._supports(rule, selector, column, position)
            self._supports(rule, selector, position, column)
        self.relaxed.append((rule, column))

    def exact_table(self, rule: Rule, first_var: int) -> tuple[list[list[int]], int]:
        """The row-variable clauses of a relaxed table, its rows numbered from
        ``first_var`` on, and the last number used; this encoding is left as it was."""
        top, start = self.top, len(self.clauses)
        self.top = first_var - 1
        self._row_table(rule, self.rule_selector[rule.index])
        clauses, last = self.clauses[start:], self.top
        del self.clauses[start:]
        self.top = top
        return clauses, last

    def _row_table(self, rule: Rule, selector: int) -> None:
        """One selector variable per row, with support clauses (a value needs a remaining
        row or another attribute unset) so that unit propagation prunes early."""
        names = rule.attributes
        unset = [self.none_var[name] for name in names]
        rows = []
        for row in rule.allowed:
            row_var = self.new_var()
            rows.append(row_var)
            for name, value in zip(names, row, strict=True):
                self.clauses.append([-row_var, self.option_var[name, value]])
        self.guarded(selector, [*unset, *rows])
        for position, name in enumerate(names):
            others = [u for i, u in enumerate(unset) if i != position]
            attribute = self._attributes.get(name)
            assert attribute is not None
            support: dict[str, list[int]] = {option.id: [] for option in attribute.options}
            for row_var, row in zip(rows, rule.allowed, strict=True):
                support[row[position]].append(row_var)
            for option in attribute.options:
                clause = [-self.option_var[name, option.id], *others, *support[option.id]]
                self.guarded(selector, clause)

    def text_rule(self, rule: Rule, selector: int) -> None:
        assert rule.attribute is not None
        when = self.lit(rule.when) if rule.when is not None else self.true
        attribute = self._attributes.get(rule.attribute)
        assert attribute is not None and attribute.max_length is not None
        if rule.max_length is not None:
            for length in range(rule.max_length + 1, attribute.max_length + 1):
                self.guarded(selector, [-when, -self.length_var[rule.attribute, length]])
        if rule.pattern is not None:
            matches = self.new_var()  # fixed per request from the shopper's text
            self.pattern_var[rule.index] = matches
            self.guarded(selector, [-when, matches])


def _call(function: Callable[[str], int], argument: str) -> int:
    return function(argument)


def encode(
    catalog: Catalog, relax_tables: bool = False, native_at_most_one: bool = False
) -> Encoding:
    """The catalog's CNF. Attribute variables come first (numbered 2 onwards, in catalog
    order), so that a model's prefix tells every attribute's value."""
    encoding = Encoding(catalog, relax_tables=relax_tables, native_at_most_one=native_at_most_one)
    encoding.true = encoding.new_var()
    encoding.clauses.append([encoding.true])
    for attribute in catalog.attributes:
        encoding.declare(attribute)
    encoding.attribute_top = encoding.top
    for attribute in catalog.attributes:
        encoding.one_of(attribute)
    for attribute in catalog.attributes:
        encoding.limits(attribute)
    for rule in catalog.rules:
        encoding.rule(rule)
    return encoding


def key_column(rule: Rule) -> int:
    """The column a relaxed table is keyed on: one the others determine if there is one,
    else the one whose key (the other columns) lists the largest share of its space, so
    that models rarely meet a key the table does not have."""
    functional = functional_column(rule)
    if functional is not None:
        return functional
    sizes = {}
    for position in range(len(rule.attributes)):
        sizes[position] = len({row[position] for row in rule.allowed})

    def share(column: int) -> float:
        keys = {row[:column] + row[column + 1 :] for row in rule.allowed}
        space = 1
        for position, size in sizes.items():
            if position != column:
                space *= size
        return len(keys) / space

    return max(range(len(rule.attributes)), key=share)


def functional_column(rule: Rule) -> int | None:
    """The last column of a table whose value the other columns determine, if any."""
    for column in reversed(range(len(rule.attributes))):
        seen: dict[tuple[str, ...], str] = {}
        if all(
            seen.setdefault(row[:column] + row[column + 1 :], row[column]) == row[column]
            for row in rule.allowed
        ):
            return column
    return None


def expression_attributes(expr: Expr) -> set[str]:
    return {node.attr for node in walk(expr) if not isinstance(node, Const | Or | And | Not)}
