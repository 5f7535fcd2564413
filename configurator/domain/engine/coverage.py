"""What one availability question still has to find: options not yet seen in a witness."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from configurator.domain.engine.encode import CandidateKey

Available = dict[str, set[CandidateKey]]


class Coverage:
    """Options of some attributes not yet seen in a witness of one context."""

    def __init__(
        self,
        names: Iterable[str],
        candidates: dict[str, list[tuple[CandidateKey, int]]],
        available: Available,
        bounds: dict[str, frozenset[CandidateKey]],
    ) -> None:
        self.available = available
        self.unseen: dict[str, dict[int, CandidateKey]] = {}
        self.owner: dict[int, str] = {}
        self.mask = 0
        for name in names:
            seen = available[name]
            bound = bounds.get(name)
            keys = {
                var: key
                for key, var in candidates[name]
                if key not in seen and (bound is None or key in bound)
            }
            self.unseen[name] = keys
            for var in keys:
                self.owner[var] = name
                self.mask |= 1 << var

    def mark(self, bits: int) -> None:
        found = bits & self.mask
        self.mask ^= found
        while found:
            low = found & -found
            found ^= low
            var = low.bit_length() - 1
            name = self.owner[var]
            self.available[name].add(self.unseen[name].pop(var))

    def add(self, var: int, name: str, key: CandidateKey) -> None:
        self.unseen.setdefault(name, {})[var] = key
        self.owner[var] = name
        self.mask |= 1 << var

    def every_other(self) -> list[int]:
        """Every second unseen option (so about half of each attribute's)."""
        return self.missing()[1::2]

    def take(self, options: list[int]) -> Coverage:
        """A coverage of ``options`` (unseen here), which this one stops looking for."""
        part = Coverage([], {}, self.available, {})
        for var in options:
            name = self.owner[var]
            part.add(var, name, self.unseen[name].pop(var))
            self.mask &= ~(1 << var)
        return part

    def drop(self, var: int) -> None:
        """An option proved impossible in this context."""
        self.unseen[self.owner[var]].pop(var, None)
        self.mask &= ~(1 << var)

    def missing(self) -> list[int]:
        return [var for keys in self.unseen.values() for var in keys]

    def targets(self, count: int, related: dict[str, set[str]]) -> list[int]:
        """One unseen option from each of up to ``count`` attributes with most unseen,
        no two of them in a rule together (so that they rarely clash)."""
        names = sorted(
            (n for n in self.unseen if self.unseen[n]), key=lambda n: -len(self.unseen[n])
        )
        picked: list[str] = []
        for name in names:
            if not any(name in related[other] for other in picked):
                picked.append(name)
                if len(picked) == count:
                    break
        return [next(iter(self.unseen[name])) for name in picked]


@dataclass(eq=False)  # jobs are told apart by identity (list.remove)
class Job:
    """Options to cover in one context; ``spread``: by the search, with spreads (the
    attributes judged against every choice), else by "any unseen option" calls."""

    context: list[int]
    cover: Coverage
    spread: bool
