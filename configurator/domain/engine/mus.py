"""Minimal unsatisfiable subsets by deletion: the shared loop behind every reason."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

Item = TypeVar("Item")
Key = TypeVar("Key", bound=Hashable)


def keys_in_core(
    keys: list[Key], lits_of: Mapping[Key, list[int]], core: Iterable[int]
) -> list[Key]:
    """The keys with a literal in the solver's core (what ``in_core`` below narrows to)."""
    found = set(core)
    return [key for key in keys if any(lit in found for lit in lits_of[key])]


def minimal_subset(
    items: list[Item],
    unsatisfiable: Callable[[list[Item]], bool],
    in_core: Callable[[list[Item]], list[Item]],
    needed: Callable[[list[Item], list[Item]], list[Item]] | None = None,
    dense: bool = False,
) -> list[Item]:
    """A minimal unsatisfiable subset of ``items`` (which together are unsatisfiable, and
    ``in_core`` has just been told so): drop any one item and the rest is satisfiable.

    ``in_core`` narrows a set to the items in the solver's core after an unsatisfiable
    call. Items are dropped in chunks that halve whenever a chunk turns out to be needed:
    most of a first core is not, and each satisfiable trial costs a model.

    ``needed(keys, chunk)``, called right after a satisfiable trial without ``chunk``,
    may name more items that the trial's model proves needed (see ``rotation``).
    Items before ``position`` are needed: they stay in every later core.

    ``dense``: the first core is known to be nearly minimal, so items are tried one by
    one from the start (halving from a half would spend its first trials on chunks that
    all turn out needed).
    """
    keys = in_core(items)
    position, size = 0, 1 if dense else max(1, len(keys) // 2)
    while position < len(keys):
        chunk = keys[position : position + size]
        trial = keys[:position] + keys[position + size :]
        if unsatisfiable(trial):
            keys = in_core(trial)
            continue
        proved = needed(keys, chunk) if needed is not None else []
        if size == 1 and chunk[0] not in proved:
            proved.insert(0, chunk[0])
        if proved == chunk:
            position += 1
        elif proved:
            rest = [key for key in keys[position:] if key not in proved]
            keys = keys[:position] + proved + rest
            position += len(proved)
        if size > 1:
            size //= 2
    return keys
