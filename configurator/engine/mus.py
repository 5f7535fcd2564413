"""Minimal unsatisfiable subsets by deletion: the shared loop behind every reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Item = TypeVar("Item")


def minimal_subset(
    items: list[Item],
    unsatisfiable: Callable[[list[Item]], bool],
    in_core: Callable[[list[Item]], list[Item]],
) -> list[Item]:
    """A minimal unsatisfiable subset of ``items`` (which together are unsatisfiable, and
    ``in_core`` has just been told so): drop any one item and the rest is satisfiable.

    ``in_core`` narrows a set to the items in the solver's core after an unsatisfiable
    call. Items are dropped in chunks that halve whenever a chunk turns out to be needed:
    most of a first core is not, and each satisfiable trial costs a model.
    """
    keys = in_core(items)
    position, size = 0, max(1, len(keys) // 2)
    while position < len(keys):
        trial = keys[:position] + keys[position + size :]
        if unsatisfiable(trial):
            keys = in_core(trial)
        elif size > 1:
            size //= 2
        else:
            position += 1
    return keys
