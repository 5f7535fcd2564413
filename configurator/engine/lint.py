"""A merchant's report on a catalog: errors, dead or forced options, idle rules, size."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import comb, prod
from pathlib import Path

from pysat.solvers import Solver

from .compiler import compile_catalog
from .engine import SOLVER_NAME, Engine
from .errors import CatalogError
from .loader import load_catalog
from .model import Attribute

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
                report.warnings.append(
                    f"attribute {attribute.id}: option {option.id} can never be chosen (rules {rules})"
                )
            elif not engine._solve([-var]):
                report.warnings.append(f"attribute {attribute.id}: option {option.id} is always forced")
        if isinstance(attribute.default, str) and attribute.default not in available[attribute.id]:
            report.warnings.append(f"attribute {attribute.id}: default {attribute.default} is unavailable")
    for rule in catalog.rules:
        if rule.when is not None and not engine._solve([engine.define(lambda r=rule: enc.lit(r.when))]):
            report.warnings.append(f"rule {rule.name}: never fires (its 'when' never holds)")
        violated = engine.define(lambda r=rule: _violation_lit(engine, r.index))
        if violated:
            others = [s for s in engine._selectors if s != enc.rule_selector[rule.index]]
            assert engine._solver is not None
            if not engine._solver.solve(assumptions=[*others, violated]):
                report.warnings.append(f"rule {rule.name}: implied by the other rules")
    report.notes.append(f"valid configurations: {count_configurations(engine)}")


def _violation_lit(engine: Engine, index: int) -> int:
    """A literal true exactly when the rule is broken (for the kinds that have one)."""
    enc = engine.encoding
    rule = next(r for r in engine.catalog.rules if r.index == index)
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


def count_configurations(engine: Engine, limit: int = COUNT_LIMIT) -> str:
    """Exact count of valid configurations (texts aside) up to ``limit``, else bounds."""
    enc = engine.encoding
    primary = [var for name in enc.catalog.attributes if name.kind != "text"
               for var in enc.attribute_lits(name)] + list(enc.none_var.values())  # fmt: skip
    with Solver(name=SOLVER_NAME, bootstrap_with=enc.clauses) as solver:
        for selector in engine._selectors:
            solver.add_clause([selector])
        count = 0
        while count < limit and solver.solve():
            model = solver.get_model()
            count += 1
            solver.add_clause([-var if model[var - 1] > 0 else var for var in primary])
    if count < limit:
        return f"{count} (exact, texts aside)"
    upper = prod(_domain_size(attribute) for attribute in enc.catalog.attributes)
    return f"at least {limit}, at most {upper} (texts aside)"
