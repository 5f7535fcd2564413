"""Model rotation: more needed parts of a reason from one model, without the solver.

A reason is a minimal unsatisfiable set of *items* (rules, limits, choices), found by
deletion: each item proved needed costs a satisfiable solver call. That call's model
satisfies every item but one, ``e``; changing one single attribute of ``e`` so that
``e`` holds and exactly one other item ``r`` breaks gives a configuration satisfying
every item but ``r``, so ``r`` is needed too, and the walk goes on from there (Belov
and Marques-Silva's model rotation). On a chain of derived codes each step of the
chain is found this way instead of by a solver call.

Only items over single attributes are judged here (rules, ``required`` limits, choices);
anything else stops the walk, so a wrong "needed" is never claimed.
"""

from __future__ import annotations

from collections.abc import Iterable

from configurator.domain.engine.choices import rule_holds
from configurator.domain.engine.derived import rule_attributes
from configurator.domain.engine.encode import Encoding
from configurator.domain.engine.model import Catalog, Rule

GroupKey = tuple[str, str]
Config = dict[str, str | None]
BUDGET = 4000  # configurations tried per rotation


class Rotation:
    """Judges reason items on configurations of a catalog's single attributes."""

    def __init__(self, catalog: Catalog, encoding: Encoding) -> None:
        self._options = {
            a.id: [o.id for o in a.options] for a in catalog.attributes if a.kind == "single"
        }
        self._single_var: dict[int, tuple[str, str | None]] = {}
        for name in self._options:
            self._single_var[encoding.none_var[name]] = (name, None)
            for option in self._options[name]:
                self._single_var[encoding.option_var[name, option]] = (name, option)
        self._last_var = max(self._single_var, default=0)  # attributes come first
        self._owner = {var: name for (name, _), var in encoding.option_var.items()}
        self._owner.update({var: name for name, var in encoding.none_var.items()})
        for table in (encoding.value_var, encoding.length_var):
            self._owner.update({var: name for (name, _), var in table.items()})
        self._rules = {rule.index: rule for rule in catalog.rules}
        self._rule_attributes = {
            rule.index: rule_attributes(rule) for rule in catalog.rules if rule.kind != "price"
        }
        self._required = {a.id for a in catalog.attributes if a.required}

    def needed(
        self,
        model: list[int],
        keys: list[GroupKey],
        lits_of: dict[GroupKey, list[int]],
        chunk: list[GroupKey],
        fixed: Iterable[int],
    ) -> list[GroupKey]:
        """Items of ``keys`` proved needed by a model of ``fixed`` and every key outside
        ``chunk`` (the model of a satisfiable deletion trial); [] when none can be."""
        config: Config = dict.fromkeys(self._options)
        for lit in model[: self._last_var]:
            if lit > 0 and lit in self._single_var:
                name, option = self._single_var[lit]
                config[name] = option
        return self.needed_in(config, keys, lits_of, chunk, fixed)

    def needed_in(
        self,
        config: Config,
        keys: list[GroupKey],
        lits_of: dict[GroupKey, list[int]],
        chunk: list[GroupKey],
        fixed: Iterable[int],
    ) -> list[GroupKey]:
        """``needed`` for the configuration of a model (every single attribute's value),
        which this changes while it runs and then restores."""
        broken = []
        for key in chunk:
            verdict = self._holds(key, config, lits_of)
            if verdict is None:
                return []
            if not verdict:
                broken.append(key)
        if len(broken) != 1:
            return []
        frozen = {self._owner.get(abs(lit)) for lit in fixed}
        return self._rotate(config, broken[0], keys, lits_of, frozen)

    def _rotate(self, config: Config, first: GroupKey, keys: list[GroupKey],
                lits_of: dict[GroupKey, list[int]], frozen: set[str | None],
                ) -> list[GroupKey]:  # fmt: skip
        by_attribute: dict[str, list[GroupKey]] = {}
        for key in keys:
            for name in self._key_attributes(key, lits_of):
                by_attribute.setdefault(name, []).append(key)
        found = [first]
        proved = {first}
        stack = [(config, first)]
        budget = BUDGET
        while stack and budget > 0:
            current, broken = stack.pop()
            for name in self._key_attributes(broken, lits_of):
                if name in frozen or name not in self._options:
                    continue
                kept = current[name]
                for option in self._options[name]:
                    if option == kept or budget <= 0:
                        continue
                    budget -= 1
                    current[name] = option  # tried in place, copied only when kept
                    if not self._holds(broken, current, lits_of):
                        continue
                    newly = self._only_broken(current, by_attribute[name], broken, lits_of)
                    if newly is not None and newly not in proved:
                        proved.add(newly)
                        found.append(newly)
                        stack.append((dict(current), newly))
                current[name] = kept
        return found

    def _only_broken(self, config: Config, keys: list[GroupKey], fixed_now: GroupKey,
                     lits_of: dict[GroupKey, list[int]]) -> GroupKey | None:  # fmt: skip
        """The one item of ``keys`` the configuration breaks, if exactly one (and every
        item could be judged)."""
        found = None
        for key in keys:
            if key == fixed_now:
                continue
            verdict = self._holds(key, config, lits_of)
            if verdict is None:
                return None
            if not verdict:
                if found is not None:
                    return None
                found = key
        return found

    def _key_attributes(self, key: GroupKey, lits_of: dict[GroupKey, list[int]]) -> set[str]:
        kind, value = key
        if kind == "rule":
            return self._rule_attributes.get(int(value), set())
        if kind == "limit":
            return {value}
        return {name for lit in lits_of[key] if (name := self._owner.get(abs(lit)))}

    def _holds(
        self, key: GroupKey, config: Config, lits_of: dict[GroupKey, list[int]]
    ) -> bool | None:
        """Whether the item holds, or None if it is not over single attributes only."""
        kind, value = key
        if kind == "limit":
            if value not in self._options:
                return None
            return value not in self._required or config[value] is not None
        if kind == "choice":
            verdicts = [self._lit_holds(lit, config) for lit in lits_of[key]]
            return None if None in verdicts else all(verdicts)
        rule: Rule = self._rules[int(value)]
        names = self._rule_attributes.get(rule.index)
        if names is None or rule.kind == "text" or not names <= self._options.keys():
            return None
        return rule_holds(rule, config)

    def _lit_holds(self, lit: int, config: Config) -> bool | None:
        found = self._single_var.get(abs(lit))
        if found is None:
            return None
        name, option = found
        return (config[name] == option) == (lit > 0)
