"""A merchant's report on a catalog: errors, dead or forced options, idle rules, size."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from math import comb, prod
from pathlib import Path

from pysat.solvers import Solver

from configurator.domain.engine.compiler import compile_catalog
from configurator.domain.engine.encode import expression_attributes
from configurator.domain.engine.engine import SOLVER_NAME, Engine
from configurator.domain.engine.errors import CatalogError
from configurator.domain.engine.loader import load_catalog
from configurator.domain.engine.model import Attribute, Rule

COUNT_LIMIT = 20000


@dataclass
class LintReport:
    source: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self) -> str:
        lines = [f"Catalog {self.source}"]
        lines += [f"  error: {line}" for line in self.errors]
        lines += [f"  warning: {line}" for line in self.warnings]
        lines += [f"  {line}" for line in self.notes]
        verdict = "OK" if self.ok else f"{len(self.errors)} error(s)"
        lines.append(f"{verdict}, {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def lint_catalog(path: str | Path) -> LintReport:
    """Load, compile and analyse a catalog file or folder."""
    report = LintReport(str(path))
    try:
        engine = compile_catalog(load_catalog(path))
    except CatalogError as error:
        report.errors.extend(error.problems)
        return report
    analyse(engine, report)
    return report


def analyse(engine: Engine, report: LintReport) -> None:
    catalog, enc = engine.catalog, engine.encoding
    available = engine.availability({})
    for attribute in catalog.attributes:
        if attribute.kind not in ("single", "multi"):
            continue
        for option in attribute.options:
            var = enc.option_var[attribute.id, option.id]
            if option.id not in available[attribute.id]:
                reason = engine.explain({}, attribute.id, option.id).get("reason", {})
                rules = ", ".join(reason.get("rules", [])) or "limits"
                where = f"attribute {attribute.id}: option {option.id}"
                report.warnings.append(f"{where} can never be chosen (rules {rules})")
            elif not engine.satisfiable([-var]):
                report.warnings.append(
                    f"attribute {attribute.id}: option {option.id} is always forced"
                )
        if isinstance(attribute.default, str) and attribute.default not in available[attribute.id]:
            report.warnings.append(
                f"attribute {attribute.id}: default {attribute.default} is unavailable"
            )
    for rule in catalog.rules:
        if rule.when is not None:
            when = engine.define(partial(enc.lit, rule.when))
            if not engine.satisfiable([when]):
                report.warnings.append(f"rule {rule.name}: never fires (its 'when' never holds)")
        violated = engine.define(partial(_violation_lit, engine, rule))
        if violated and not engine.satisfiable([violated], without_rule=rule.index):
            report.warnings.append(f"rule {rule.name}: implied by the other rules")
    report.notes.append(f"valid configurations: {count_configurations(engine)}")


def _violation_lit(engine: Engine, rule: Rule) -> int:
    """A literal true exactly when the rule is broken, or 0 for kinds without one."""
    enc = engine.encoding
    if rule.kind == "constraint" and rule.expr is not None:
        return -enc.lit(rule.expr)
    if rule.kind in ("requires", "excludes") and rule.when is not None and rule.then is not None:
        then = enc.lit(rule.then)
        return enc.and_lit([enc.lit(rule.when), -then if rule.kind == "requires" else then])
    return 0


def _domain_size(attribute: Attribute) -> int:
    if attribute.kind == "single":
        return len(attribute.options) + (0 if attribute.required else 1)
    if attribute.kind == "number":
        return len(attribute.number_values()) + (0 if attribute.required else 1)
    if attribute.kind == "multi":
        n = len(attribute.options)
        low = max(int(attribute.min or 0), 1 if attribute.required else 0)
        high = int(attribute.max if attribute.max is not None else n)
        return sum(comb(n, k) for k in range(low, high + 1))
    return 1


def _components(engine: Engine) -> list[tuple[list[Attribute], bool]]:
    """Groups of attributes tied together by rules (counted independently), and whether
    any rule constrains the group (limits are in the closed-form domain sizes)."""
    parent = {attribute.id: attribute.id for attribute in engine.catalog.attributes}
    constrained: set[str] = set()

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for rule in engine.catalog.rules:
        if rule.kind == "price":
            continue
        names = set(rule.attributes) | ({rule.attribute} if rule.attribute else set())
        for expr in (rule.expr, rule.when, rule.then):
            names |= expression_attributes(expr) if expr is not None else set()
        constrained |= names
        first, *others = sorted(names)
        for name in others:
            parent[root(name)] = root(first)
    groups: dict[str, list[Attribute]] = {}
    for attribute in engine.catalog.attributes:
        groups.setdefault(root(attribute.id), []).append(attribute)
    return [(group, any(a.id in constrained for a in group)) for group in groups.values()]


def _enumerate(engine: Engine, attributes: list[Attribute], limit: int) -> int:
    """Distinct valid assignments of these attributes, counted up to ``limit``."""
    enc = engine.encoding
    primary = [var for a in attributes if a.kind != "text" for var in enc.attribute_lits(a)]
    primary += [enc.none_var[a.id] for a in attributes if a.id in enc.none_var]
    count = 0
    with Solver(name=SOLVER_NAME, bootstrap_with=enc.clauses) as solver:
        for selector in engine.selectors:
            solver.add_clause([selector])
        while count < limit and solver.solve():
            true = {lit for lit in solver.get_model() if lit > 0}
            count += 1
            solver.add_clause([-var if var in true else var for var in primary])
    return count


def count_configurations(engine: Engine, limit: int = COUNT_LIMIT) -> str:
    """Exact count of valid configurations (texts aside) where feasible, else bounds.

    Attributes that no rule ties together are counted apart and multiplied, so only
    each group of related attributes is enumerated.
    """
    exact, lower, upper = True, 1, 1
    for group, constrained in _components(engine):
        size = prod(_domain_size(attribute) for attribute in group)
        count = _enumerate(engine, group, limit) if constrained else size
        exact = exact and count < limit
        lower, upper = lower * count, upper * (size if count >= limit else count)
    if exact:
        return f"{lower} (exact, texts aside)"
    return f"at least {lower}, at most {upper} (texts aside)"
