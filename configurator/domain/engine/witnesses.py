"""Availability on large catalogs: a lean solver, checked models, and a pool of them.

An option is available when some valid configuration (a *witness*) has it together
with the shopper's other choices. On a catalog the size of a car every solver call
costs a millisecond, so this search makes as few as it can:

- The lean solver encodes every table of three or more attributes without row
  variables: each key the table lists (the values of all columns but one) allows its
  values of the remaining column. Whether a model's key is listed at all is checked
  in Python; a model that fails teaches the solver a short clause (the smallest part
  of the key no row has) and is asked for again. The formula is a sixth of the exact
  one, and every rule and limit is a unit clause (the rules of a reason are found on a
  second lean solver with them assumed: ``rules_model``). "At most one option" of an
  attribute is Minicard's built-in constraint rather than clauses, which halves the
  variables and the cost of a call.
- Every checked configuration is kept in a pool (a bitset of its attribute
  variables). A question first looks there: a witness stays a witness for every
  later question whose choices it agrees with, and one that differs in a single
  choice is moved to it (``Derivations.move``: the choice changed, what derives from
  it recomputed, the rules over what changed checked).
- More choices never make more options possible, so an option an earlier answer
  ruled out in a context the current one contains is not asked for again.
- Moves also give a chosen attribute's alternatives from the current witness (and
  prove them impossible when the choices determine every other attribute), and more
  witnesses next to each new model for the free attribute with most options unseen.
- Unit propagation rules out what it can at once; then the solver is asked for three
  unseen options at a time (its core names the impossible one) and for "any unseen
  option" when that fails, until nothing unseen is possible.

Answers are exact: a witness is a checked configuration, and "impossible" comes
from the solver (whose clauses all follow from the catalog), from an earlier exact
answer, or from a failed move when nothing else could change.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from operator import itemgetter
from time import perf_counter

from pysat.solvers import Solver

from configurator.domain.engine.choices import Choices
from configurator.domain.engine.coverage import Available, Coverage, Job
from configurator.domain.engine.derived import Derivations, rule_attributes
from configurator.domain.engine.encode import CandidateKey, Encoding, encode
from configurator.domain.engine.expr import Value
from configurator.domain.engine.helper import Helper
from configurator.domain.engine.model import Attribute, Catalog, Rule, tuple_getter
from configurator.domain.engine.mus import keys_in_core, minimal_subset

LEAN_SOLVER = "minicard"
POOL_SIZE = 4096
ANSWERS = 16  # earlier answers kept as bounds for later ones
TARGETS = 3  # unseen options assumed together in one call
MIN_RETIRED = 1000
MIN_SHARED = 16  # unseen options worth sending half of to the helper process
MIN_SHARED_SECONDS = 0.003  # and solver time they would take here (``_hand_over``)
COST_WEIGHT = 0.05  # of the newest measure in the running averages of WitnessCosts
RETRY_CARRY = 16  # when carries do not pay, one in this many is still tried
# lessons a relaxed table may teach the rules' solver before it gets its exact clauses
LESSONS_BEFORE_EXACT = 8


class _Table:
    """A relaxed table: its key columns and, per key cell, the rows that have it."""

    def __init__(self, rule: Rule, column: int, selector: int) -> None:
        self.rule = rule
        self.selector = selector
        self.key = [p for p in range(len(rule.attributes)) if p != column]
        self.key_names = [rule.attributes[p] for p in self.key]
        self.key_of = tuple_getter(self.key_names)
        self.column_name = rule.attributes[column]
        # a relaxed table has three columns or more: a key has two or more
        self.keys: set[tuple[CandidateKey, ...]] = set(map(itemgetter(*self.key), rule.allowed))
        self.everything = (1 << len(rule.allowed)) - 1
        self.rows: dict[tuple[int, str], int] = {}
        for position in self.key:
            indices: dict[str, list[int]] = {}
            for index, value in enumerate(map(itemgetter(position), rule.allowed)):
                indices.setdefault(value, []).append(index)
            for value, found in indices.items():
                self.rows[position, value] = _bitset(found)

    def smallest_missing_part(self, values: dict[int, str]) -> list[int]:
        """Positions of a smallest-by-deletion part of the key that no row has."""
        kept = list(self.key)
        index = 0
        while index < len(kept):
            trial = kept[:index] + kept[index + 1 :]
            rows = self.everything
            for position in trial:
                rows &= self.rows.get((position, values[position]), 0)
            if rows:
                index += 1
            else:
                kept = trial
        return kept


class WitnessCosts:
    """What a witness has cost lately, found by the solver (a satisfiable call, its
    model read and checked) and by carrying a pooled one to a new choice (a move, which
    may fail), as running averages: carries pay when one that holds costs less than a
    call. On a small catalog a call costs about 0.2 ms and carries, a third of which
    hold, most of a question (30 attributes: p50 4.0 to 1.8 ms without them); on a car
    a call costs a millisecond or more and they pay. Measured in the running process
    (the machine, the catalog and the session all move them), so a carry is still
    tried now and then when they do not pay."""

    def __init__(self) -> None:
        self.call = 0.0  # seconds per satisfiable call; none measured yet: carry
        self.carry = 0.0  # seconds per carry tried
        self.held = 1.0  # share of carries that held
        self._refused = 0

    def note_call(self, seconds: float) -> None:
        self.call += (seconds - self.call) * COST_WEIGHT if self.call else seconds

    def note_carry(self, seconds: float, held: bool) -> None:
        self.carry += (seconds - self.carry) * COST_WEIGHT
        self.held += (held - self.held) * COST_WEIGHT

    def carry_pays(self) -> bool:
        if not self.call or self.carry <= self.call * self.held:
            return True
        self._refused += 1
        return self._refused % RETRY_CARRY == 0


class _Witness(dict[str, Value]):
    """A pooled witness read as choices, attribute by attribute when asked."""

    def __init__(self, bits: int, search: WitnessSearch) -> None:
        super().__init__()
        self.bits = bits
        self._search = search

    def __missing__(self, name: str) -> Value:
        value = self[name] = self._search.value_in(self.bits, name)
        return value


class WitnessSearch:
    """Exact availability for one catalog, fast on large ones."""

    def __init__(
        self, catalog: Catalog, helper: bool = False, encoding: Encoding | None = None
    ) -> None:
        """``helper``: fork a copy of this search (after it is built) that finds the
        witnesses of half the unseen options of each large search on another core.
        ``encoding``: the catalog's lean encoding, if the caller has made it."""
        self.catalog = catalog
        self.encoding = enc = encoding or encode(
            catalog, relax_tables=True, native_at_most_one=True
        )
        self._attributes = {a.id: a for a in catalog.attributes}
        self._candidates = {a.id: enc.candidates(a) for a in catalog.attributes}
        self._value_of: dict[int, tuple[str, CandidateKey]] = {
            var: (name, key) for name, pairs in self._candidates.items() for key, var in pairs
        }
        # bit positions: attribute variables as themselves, then the per-request ones
        extra = sorted({*enc.pattern_var.values(), *enc.outside_var.values()})
        self._extra_bit = {var: enc.attribute_top + 1 + i for i, var in enumerate(extra)}
        self._tables = [
            _Table(rule, column, enc.rule_selector[rule.index]) for rule, column in enc.relaxed
        ]
        self._table_of_selector = {table.selector: i for i, table in enumerate(self._tables)}
        self._tables_of: dict[str, list[int]] = {a.id: [] for a in catalog.attributes}
        for index, table in enumerate(self._tables):
            for name in table.rule.attributes:
                self._tables_of[name].append(index)
        self._attribute_mask = {
            name: sum(1 << var for _, var in pairs) for name, pairs in self._candidates.items()
        }
        self._singles = [a.id for a in catalog.attributes if a.kind == "single"]
        # per attribute variable: the (single attribute, value) it gives, and the tables
        # over its attribute (unset or not, an option variable changes with the value);
        # ("", None) for the variables of other kinds (ids are never "")
        self._pair_of: list[tuple[str, str | None]] = [("", None)] * (enc.attribute_top + 1)
        for var, (name, key) in self._value_of.items():
            if self._attributes[name].kind == "single":
                self._pair_of[var] = (name, str(key))
        for name in self._singles:
            self._pair_of[enc.none_var[name]] = (name, None)
        self._tables_of_var: list[list[int]] = [[] for _ in self._pair_of]
        for var in range(1, enc.attribute_top + 1):
            if var in self._value_of:
                self._tables_of_var[var] = self._tables_of[self._value_of[var][0]]
        self._last_checked: set[int] | None = None  # true literals of the last valid model
        self._units = [[s] for s in [*enc.rule_selector.values(), *enc.limit_selector.values()]]
        self._learnt: list[list[int]] = []
        self._known_lessons: set[tuple[int, ...]] = set()
        self._lessons_sent = 0  # to the helper, which has the others
        self._pool: deque[int] = deque(maxlen=POOL_SIZE)
        # (context literals, available keys) per attribute of earlier answers: more choices
        # never make more options possible, so an earlier answer bounds a later one
        self.attribute_ids = [a.id for a in catalog.attributes]
        self._answers: deque[dict[str, tuple[frozenset[int], frozenset[CandidateKey]]]] = deque(
            maxlen=ANSWERS
        )
        self.derivations = Derivations(catalog)
        # attributes a spread may change: free ones (moving a derived one's free ancestor
        # changes its whole module, and such moves rarely hold on a car: see _spread)
        self._spreadable = {
            name for name in self.derivations.movable if name not in self.derivations.derivations
        }
        self._related: dict[str, set[str]] = {a.id: set() for a in catalog.attributes}
        for name, rules in self.derivations.rules_of.items():
            for rule in rules:
                self._related[name].update(rule.attributes)
        self._solver: Solver | None = None
        self._selective: Solver | None = None  # see ``rules_model``
        rule_of = {rule.index: rule for rule in catalog.rules}
        self._scope: dict[int, frozenset[str]] = {
            selector: frozenset(rule_attributes(rule_of[index]))
            for index, selector in enc.rule_selector.items()
        }
        self._scope.update({s: frozenset([name]) for name, s in enc.limit_selector.items()})
        self._unset_var = {name: enc.none_var[name] for name in self._singles}
        self._selective_top = enc.top
        self._exact_tables: set[int] = set()  # relaxed tables it holds exactly
        self._taught: dict[int, int] = {}  # lessons each relaxed table taught it
        self.lessons_before_exact = LESSONS_BEFORE_EXACT
        # retired activation variables slow every call down: start afresh past this many
        self.retire_limit = max(MIN_RETIRED, enc.top)
        self._start()
        self.min_shared = MIN_SHARED
        self.min_shared_seconds = MIN_SHARED_SECONDS
        self.costs = WitnessCosts()
        self._helper = Helper.fork(self, self._answer_jobs) if helper else None

    # -- solver ------------------------------------------------------------------------

    def _start(self) -> None:
        if self._solver is not None:
            self._solver.delete()
        self._solver = self._lean_solver(self._units + self._learnt)
        self._top = self.encoding.top
        self._retired = 0

    def _lean_solver(self, extra: list[list[int]]) -> Solver:
        """A solver on the lean formula (with its built-in "at most one"s) plus ``extra``."""
        solver = Solver(name=LEAN_SOLVER, bootstrap_with=self.encoding.clauses)
        for lits in self.encoding.at_most_one:
            solver.add_atmost(lits, 1)
        solver.append_formula(extra)
        return solver

    def _bit(self, lit: int) -> int:
        var = abs(lit)
        return 1 << (var if var <= self.encoding.attribute_top else self._extra_bit[var])

    def _checked(self, assumptions: list[int]) -> int | None:
        """The bitset of a valid configuration under the assumptions, or None if there is
        none. Models that break a relaxed table teach the solver why and are retried."""
        assert self._solver is not None
        start = perf_counter()
        while True:
            if not self._solver.solve(assumptions=assumptions):
                return None
            model = self._solver.get_model()
            assert model is not None
            true = [lit for lit in model[: self.encoding.attribute_top] if lit > 0]
            values = self._values(true)
            lessons = self._lessons(values, self._tables_to_check(true))
            if not lessons:
                bits = self._bits(model, true)
                self._pool.append(bits)
                self._last_checked = set(true)
                self.costs.note_call(perf_counter() - start)
                return bits
            self._learn(lessons)

    def _values(self, true: list[int]) -> dict[str, str | None]:
        """The single attributes' values from a model's true attribute literals."""
        values: dict[str, str | None] = dict.fromkeys(self._singles)
        values.update(map(self._pair_of.__getitem__, true))
        values.pop("", None)
        return values

    def _learn(self, lessons: list[list[int]]) -> None:
        for solver in (self._solver, self._selective):
            if solver is not None:
                solver.append_formula(lessons)
        self._learnt.extend(lessons)
        self._known_lessons.update(map(tuple, lessons))

    def _merge(self, lessons: list[list[int]]) -> None:
        """Learn the lessons the other process (helper or owner) learnt and this did not."""
        new = [lesson for lesson in lessons if tuple(lesson) not in self._known_lessons]
        if new:
            self._learn(new)

    # -- the rules of a reason -----------------------------------------------------------

    def rules_model(self, assumptions: list[int]) -> dict[str, str | None] | None:
        """The single attributes' values in a configuration that satisfies the
        assumptions and the rules and limits whose selectors they assume (the others
        off), or None.

        Finding the rules of a reason asks this many times: on the lean formula, with the
        selectors assumed instead of unit clauses, a call costs a fraction of one on the
        exact formula and its model is a tenth of the size. Such a configuration may
        break a rule that is off, so it never joins the pool.

        Single attributes that no assumed rule, limit or literal mentions are assumed
        unset: nothing that is on constrains them, and with few rules on the solver
        would otherwise decide their options one by one (a thousand decisions a call)."""
        if self._selective is None:
            self._selective = self._lean_solver(self._learnt)
        on = set(assumptions)
        scope: set[str] = set()
        for lit in assumptions:
            names = self._scope.get(lit)
            if names is not None:
                scope.update(names)
            elif abs(lit) in self._value_of:
                scope.add(self._value_of[abs(lit)][0])
        unset = [var for name, var in self._unset_var.items() if name not in scope]
        assumptions = assumptions + unset
        while True:
            if not self._selective.solve(assumptions=assumptions):
                return None
            model = self._selective.get_model()
            assert model is not None
            values = self._values([lit for lit in model[: self.encoding.attribute_top] if lit > 0])
            tables = [
                self._tables[i]
                for lit in on
                if (i := self._table_of_selector.get(lit)) is not None
                and i not in self._exact_tables
            ]
            lessons = self._lessons(values, tables)
            if not lessons:
                return values
            self._learn(lessons)
            self._teach(lessons)

    def _teach(self, lessons: list[list[int]]) -> None:
        """With few rules on, the rules' solver can try one key after another of a wide
        table (one explain took 1,148 lessons from one table): a table past a few lessons
        gets its exact clauses there instead."""
        assert self._selective is not None
        for clause in lessons:
            index = self._table_of_selector[-clause[-1]]  # a lesson ends with its guard
            self._taught[index] = taught = self._taught.get(index, 0) + 1
            if taught > self.lessons_before_exact and index not in self._exact_tables:
                table = self._tables[index]
                clauses, self._selective_top = self.encoding.exact_table(
                    table.rule, self._selective_top + 1
                )
                self._selective.append_formula(clauses)
                self._exact_tables.add(index)

    def rules_core(self) -> set[int]:
        """The assumptions behind the last unsatisfiable ``rules_model``."""
        assert self._selective is not None
        return set(self._selective.get_core() or [])

    def _bits(self, model: list[int], true: list[int]) -> int:
        """A model's attribute variables (and per-request ones) as a bitset."""
        bits = sum(map((1).__lshift__, true))
        for var, position in self._extra_bit.items():
            if var <= len(model) and model[var - 1] > 0:
                bits |= 1 << position
        return bits

    def _tables_to_check(self, true: list[int]) -> Iterable[_Table]:
        """The relaxed tables over attributes whose values differ from the last valid
        configuration (the others hold as they did there)."""
        last = self._last_checked
        if last is None:
            return self._tables
        changes = last.symmetric_difference(true)
        changed = set().union(*map(self._tables_of_var.__getitem__, changes))
        return [self._tables[i] for i in sorted(changed)]

    def _lessons(
        self, values: Mapping[str, str | None], tables: Iterable[_Table]
    ) -> list[list[int]]:
        """Clauses for the relaxed tables the configuration breaks (a key no row has),
        each guarded by its table's selector."""
        enc = self.encoding
        lessons = []
        for table in tables:
            key = table.key_of(values)
            if key in table.keys or None in key or values[table.column_name] is None:
                continue  # holds (an unset attribute makes any table hold)
            cells = {p: str(values[n]) for p, n in zip(table.key, table.key_names, strict=True)}
            part = table.smallest_missing_part(cells)
            names = table.rule.attributes
            clause = [-enc.option_var[names[p], cells[p]] for p in part]
            clause += [enc.none_var[names[p]] for p in range(len(names)) if p not in part]
            lessons.append([*clause, -table.selector])
        return lessons

    def _some(self, context: list[int], options: list[int]) -> int | None:
        """A witness with at least one of ``options``, steered towards as many as it can."""
        assert self._solver is not None
        self._top += 1
        activation = self._top
        self._solver.add_clause([-activation, *options])
        self._solver.set_phases(options)
        bits = self._checked([*context, activation])
        self._solver.add_clause([-activation])
        self._retired += 1
        return bits

    # -- the question ------------------------------------------------------------------

    def consistent(self, choices: Choices) -> bool:
        """Whether some valid configuration has every choice (it joins the pool, where
        ``availability`` finds it first)."""
        groups = self.encoding.choice_groups(choices)
        return self._checked([lit for lits in groups.values() for lit in lits]) is not None

    def availability(self, choices: Choices, consistent: bool) -> Available:
        """For each attribute, the keys some valid configuration allows, each judged
        against the other choices (see ``Engine.configure``)."""
        groups = self.encoding.choice_groups(choices)
        available: Available = {name: set() for name in self._attributes}
        own = [
            name for name in groups if self._attributes[name].kind in ("single", "number", "text")
        ]
        shared = [name for name in self._attributes if name not in own]
        full = [lit for lits in groups.values() for lit in lits]
        contexts = {name: frozenset(self._context(groups, name)) for name in own}
        contexts.update({name: frozenset(full) for name in shared})
        bounds = self._bounds(contexts)
        coverage = {
            name: Coverage([name], self._candidates, available, bounds)
            for name in own
            if self._attributes[name].kind != "text"
        }
        common = Coverage(
            [n for n in shared if self._attributes[n].kind != "text"],
            self._candidates,
            available,
            bounds,
        )
        base = self._from_pool(choices, groups, common, coverage)
        if consistent and base is None:
            base = self._checked(full)
            if base is not None:
                self._mark_full(base, common, coverage)
        locked = set(groups)
        jobs: list[Job] = []
        if base is not None:
            self._spread(base, locked, common)
            jobs.append(Job(full, common, spread=True))
        closed = base is not None and self.derivations.determined_by(locked)
        for name, cover in coverage.items():
            if base is not None and name in self.derivations.movable:
                self._moves(base, name, locked - {name}, cover)
                if closed:
                    continue  # a failed move was the only candidate: impossible
            jobs.append(Job(self._context(groups, name), cover, spread=False))
        handed = self._hand_over(jobs, locked)
        for job in jobs:
            self._run(job, locked)
        for attribute in self.catalog.attributes:
            if attribute.kind == "text" and (attribute.id in groups or base is not None):
                self._fill_text(attribute, self._context(groups, attribute.id), available)
        self._collect(handed, locked)
        if self._retired > self.retire_limit:
            self._start()
        self._answers.append(
            {name: (contexts[name], frozenset(available[name])) for name in self._attributes}
        )
        return available

    def _bounds(self, contexts: dict[str, frozenset[int]]) -> dict[str, frozenset[CandidateKey]]:
        """Per attribute, the keys an earlier answer allowed in a context the current one
        contains (so nothing else can be possible now)."""
        bounds: dict[str, frozenset[CandidateKey]] = {}
        verdicts: dict[tuple[int, frozenset[int]], bool] = {}
        for index, answer in enumerate(self._answers):
            for name, (earlier, keys) in answer.items():
                context = contexts[name]
                verdict = verdicts.get((index, earlier))
                if verdict is None:
                    verdict = verdicts[index, earlier] = earlier <= context
                if verdict:
                    bound = bounds.get(name)
                    bounds[name] = keys if bound is None else bound & keys
        return bounds

    def necessary_choices(
        self, choices: Choices, skip: str | None, target: int
    ) -> list[str] | None:
        """A minimal set of the choices (but ``skip``) that rules ``target`` out with every
        rule and limit on, or None if ``target`` is possible: the first half of a reason,
        found here because satisfiable trials are cheaper on the lean solver."""
        assert self._solver is not None
        groups = self.encoding.choice_groups({n: v for n, v in choices.items() if n != skip})

        def impossible(names: list[str]) -> bool:
            return self._checked([target, *(lit for n in names for lit in groups[n])]) is None

        def in_core(names: list[str]) -> list[str]:
            return keys_in_core(names, groups, self._solver.get_core() or [])  # type: ignore[union-attr]

        names = list(groups)
        if not impossible(names):
            return None
        return minimal_subset(names, impossible, in_core)

    @staticmethod
    def _context(groups: dict[str, list[int]], skip: str) -> list[int]:
        return [lit for name, lits in groups.items() if name != skip for lit in lits]

    def _masks(self, groups: dict[str, list[int]]) -> tuple[int, int, dict[int, str]]:
        positive = negative = 0
        group_of: dict[int, str] = {}
        for name, lits in groups.items():
            for lit in lits:
                bit = self._bit(lit)
                group_of[bit] = name
                if lit > 0:
                    positive |= bit
                else:
                    negative |= bit
        return positive, negative, group_of

    def _from_pool(self, choices: Choices, groups: dict[str, list[int]], common: Coverage,
                   coverage: dict[str, Coverage]) -> int | None:  # fmt: skip
        """Mark what pooled witnesses show; the newest one agreeing with every choice.

        A witness that differs from the choices in one attribute only (typically the
        one just chosen) and shows options not seen yet is moved to that choice."""
        positive, negative, group_of = self._masks(groups)
        sizes = sorted((len(lits) for lits in groups.values()), reverse=True)
        widest = sum(sizes[:2])
        locked = set(choices)
        base = None
        moved: list[int] = []
        for bits in reversed(self._pool):
            wrong = (positive & ~bits) | (negative & bits)
            if not wrong:
                if base is None:
                    base = bits
                self._mark_full(bits, common, coverage)
                continue
            if wrong.bit_count() > widest:
                continue  # more than two choices broken
            broken = _broken_groups(wrong, group_of)
            if len(broken) == 1:
                (name,) = broken
                cover = coverage.get(name)
                if cover is not None:
                    cover.mark(bits)
                if bits & common.mask:
                    carried = self._carry(bits, choices, name, locked)
                    if carried is not None:
                        moved.append(carried)
                        self._mark_full(carried, common, coverage)
                        base = base if base is not None else carried
            elif len(broken) == 2:
                # a witness for one choice's alternatives once the other choice is moved
                for kept, name in (broken, broken[::-1]):
                    cover = coverage.get(kept)
                    if cover is None or not bits & cover.mask:
                        continue
                    carried = self._carry(bits, choices, name, locked - {kept})
                    if carried is not None:
                        moved.append(carried)
                        cover.mark(carried)
        self._pool.extend(moved)
        return base

    def _carry(self, bits: int, choices: Choices, name: str, locked: set[str]) -> int | None:
        """The witness moved to the current choice of ``name``, if the move is valid (and
        moves currently find witnesses for less than the solver does: ``WitnessCosts``)."""
        if name not in self.derivations.movable or not self.costs.carry_pays():
            return None
        start = perf_counter()
        values = _Witness(bits, self)
        changes = self.derivations.move(values, name, str(choices[name]), locked - {name})
        carried = None if changes is None else self._changed(bits, values, changes)
        self.costs.note_carry(perf_counter() - start, carried is not None)
        return carried

    @staticmethod
    def _mark_full(bits: int, common: Coverage, coverage: dict[str, Coverage]) -> None:
        common.mark(bits)
        for cover in coverage.values():
            cover.mark(bits)

    def _search(self, context: list[int], common: Coverage, locked: set[str]) -> None:
        """Witnesses for every option of ``common`` that has one, with few solver calls."""
        assert self._solver is not None
        # options unit propagation already rules out need no call of their own
        _, implied = self._solver.propagate(assumptions=context)
        for lit in implied or []:
            if lit < 0 and common.mask >> -lit & 1:
                common.drop(-lit)
        count = TARGETS
        while common.mask:
            targets = common.targets(count, self._related)
            self._solver.set_phases(common.missing())
            bits = self._checked([*context, *targets])
            if bits is not None:
                common.mark(bits)
                self._spread(bits, locked, common)
                count = TARGETS
                continue
            core = set(self._solver.get_core() or [])
            failed = [t for t in targets if t in core]
            if len(failed) > 1:
                count = max(1, len(failed) // 2)
                continue
            if failed:
                common.drop(failed[0])
            bits = self._some(context, common.missing()) if common.mask else None
            if bits is None:
                return  # nothing unseen is possible
            common.mark(bits)
            self._spread(bits, locked, common)
            count = TARGETS

    def _run(self, job: Job, locked: set[str]) -> None:
        """Cover a job's options: with the search (and spreads) for the attributes judged
        against every choice, with "any unseen option" calls for a chosen attribute's
        alternatives (most of them are usually impossible, which one call shows)."""
        if job.spread:
            self._search(job.context, job.cover, locked)
            return
        while job.cover.mask:
            bits = self._some(job.context, job.cover.missing())
            if bits is None:
                return
            job.cover.mark(bits)

    # -- the helper process ------------------------------------------------------------

    def _ready_helper(self) -> Helper | None:
        helper = self._helper
        if helper is not None and (helper.evicted or (helper.alive and not helper.usable())):
            # stopped to make room for another engine's, or forked from the owner's
            # process (a gunicorn worker of a preloaded app): a copy of its own
            helper = self._helper = Helper.fork(self, self._answer_jobs)
        return helper if helper is not None and helper.usable() else None

    def _hand_over(self, jobs: list[Job], locked: set[str]) -> list[Job]:
        """Give the helper, if there is one and enough to do, about half of the work:
        every other option of the search and whole jobs for chosen attributes, the
        largest first to whichever side has less. The jobs handed over are taken out of
        ``jobs`` and returned for ``_collect``.

        Enough to do: at least ``min_shared`` unseen options, and about
        ``min_shared_seconds`` of solver calls at their current cost (a call covers about
        ``TARGETS`` options). On a small catalog a call costs a fifth of a millisecond
        and the pipe, the other process's wake-up and its reply cost more than the half
        it would take; on a busy machine a wake-up takes longer still."""
        helper = self._ready_helper()
        unseen = sum(job.cover.mask.bit_count() for job in jobs)
        work = unseen * self.costs.call / TARGETS
        if helper is None or unseen < self.min_shared or work < self.min_shared_seconds:
            return []
        halves = [(job, job.cover.every_other()) for job in jobs if job.spread]
        theirs = sum(len(options) for _, options in halves)
        mine = sum(job.cover.mask.bit_count() for job, _ in halves) - theirs
        whole: list[Job] = []
        alternatives = [job for job in jobs if not job.spread]
        for job in sorted(alternatives, key=lambda job: -job.cover.mask.bit_count()):
            if theirs < mine:
                whole.append(job)
                theirs += job.cover.mask.bit_count()
            else:
                mine += job.cover.mask.bit_count()
        question = [(job.context, options, True) for job, options in halves]
        question += [(job.context, job.cover.missing(), False) for job in whole]
        lessons = self._learnt[self._lessons_sent :]
        if not question or not helper.ask((question, sorted(locked), lessons)):
            return []
        self._lessons_sent = len(self._learnt)
        for job in whole:
            jobs.remove(job)
        return [Job(job.context, job.cover.take(options), True) for job, options in halves] + whole

    def _collect(self, handed: list[Job], locked: set[str]) -> None:
        """The helper's answer to the jobs handed over: what it found is available, the
        rest impossible. If no answer comes, the jobs are done here."""
        if not handed:
            return
        reply = self._helper.reply() if self._helper is not None else None
        if reply is None:
            for job in handed:
                self._run(job, locked)
            return
        seen, witnesses, lessons = reply
        self._merge(lessons)
        for job, options in zip(handed, seen, strict=True):
            job.cover.mark(sum(1 << var for var in options))
        self._pool.extend(witnesses)

    def _answer_jobs(
        self, question: tuple[list[tuple[list[int], list[int], bool]], list[str], list[list[int]]]
    ) -> tuple[list[list[int]], list[int], list[list[int]]]:
        """In the helper: the jobs sent, after the owner's lessons. Replies the options
        each job found, the witnesses (for the owner's pool) and the lessons learnt."""
        jobs, locked, lessons = question
        self._merge(lessons)
        learnt = len(self._learnt)
        self._pool.clear()
        seen = []
        for context, options, spread in jobs:
            cover = Coverage([], {}, {}, {})
            for var in options:
                name, key = self._value_of[var]
                cover.available.setdefault(name, set())
                cover.add(var, name, key)
            self._run(Job(context, cover, spread), set(locked))
            found = cover.available
            seen.append([v for v in options if self._value_of[v][1] in found[cover.owner[v]]])
        if self._retired > self.retire_limit:
            self._start()
        return seen, list(self._pool), self._learnt[learnt:]

    def _fill_text(self, attribute: Attribute, context: list[int], available: Available) -> None:
        """Only the longest allowed text is reported: try lengths from the longest down."""
        for key, var in reversed(self._candidates[attribute.id]):
            if self._checked([*context, var]) is not None:
                available[attribute.id].add(key)
                return

    def value_in(self, bits: int, name: str) -> Value:
        """The value a witness gives one attribute (texts are not needed by moves)."""
        kind = self._attributes[name].kind
        found = bits & self._attribute_mask[name]
        if kind == "multi":
            return frozenset(str(self._value_of[v][1]) for v in _bits_of(found, found.bit_length()))
        if not found or kind == "text":
            return None
        key = self._value_of[found.bit_length() - 1][1]
        return key if isinstance(key, Decimal) else str(key)

    def _moves(self, base: int, name: str, locked: set[str], cover: Coverage) -> None:
        """Witnesses for ``name``'s alternatives by changing it in the base witness."""
        values = _Witness(base, self)
        for var, key in list(cover.unseen[name].items()):
            changes = self.derivations.move(values, name, str(key), locked)
            if changes is None:
                continue
            self._pool.append(self._changed(base, values, changes))
            cover.mark(1 << var)

    def _spread(self, bits: int, locked: set[str], common: Coverage) -> None:
        """Witnesses next to a new one for the free attribute with most options unseen:
        change it to each of them, and keep the results that break no rule.

        Only free attributes: for a derived one, changing a free attribute it follows
        from changes a whole module, which on a car breaks a compatibility table nine
        times out of ten; its options are cheaper to find with the solver."""
        unseen = common.unseen
        free = [n for n in unseen if unseen[n] and n in self._spreadable and n not in locked]
        if not free:
            return
        name = max(free, key=lambda n: len(unseen[n]))
        values = _Witness(bits, self)
        option_var = self.encoding.option_var

        def shows_unseen(changes: dict[str, str]) -> bool:
            return any(common.mask >> option_var[n, v] & 1 for n, v in changes.items())

        for key in list(unseen[name].values()):
            changes = self.derivations.move(values, name, str(key), locked, shows_unseen)
            if changes is not None:
                moved = self._changed(bits, values, changes)
                self._pool.append(moved)
                common.mark(moved)

    def _changed(self, bits: int, values: Mapping[str, Value], changes: dict[str, str]) -> int:
        """The witness with single attributes changed (from an option or from unset)."""
        enc = self.encoding
        for changed, new in changes.items():
            old = values[changed]
            was = enc.none_var[changed] if old is None else enc.option_var[changed, str(old)]
            bits &= ~(1 << was)
            bits |= 1 << enc.option_var[changed, new]
        return bits


def _bitset(indices: list[int]) -> int:
    """The int with the given bits set (built as bytes: OR-ing ints one bit at a time
    copies the whole int each time)."""
    bits = bytearray((max(indices) >> 3) + 1)
    for index in indices:
        bits[index >> 3] |= 1 << (index & 7)
    return int.from_bytes(bits, "little")


def _broken_groups(wrong: int, group_of: dict[int, str], most: int = 2) -> list[str]:
    """The choice groups the set bits belong to, or [] if there are more than ``most``."""
    found: list[str] = []
    while wrong:
        low = wrong & -wrong
        wrong ^= low
        name = group_of[low]
        if name not in found:
            if len(found) == most:
                return []
            found.append(name)
    return found


def _bits_of(bits: int, top: int) -> Iterator[int]:
    while bits:
        low = bits & -bits
        bits ^= low
        var = low.bit_length() - 1
        if var > top:
            return
        yield var
