"""The deletion loop behind every reason, on sets whose minimal subsets are known."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from configurator.domain.engine.mus import minimal_subset

# "unsatisfiable" means: contains one of the sets below (a monotone property)
families = st.lists(
    st.frozensets(st.integers(0, 11), min_size=1, max_size=5), min_size=1, max_size=4
)


def run(
    sets: list[frozenset[int]], with_needed: bool, dense: bool = False
) -> tuple[list[int], int]:
    trials = 0

    def unsatisfiable(items: list[int]) -> bool:
        nonlocal trials
        trials += 1
        return any(s <= set(items) for s in sets)

    def in_core(items: list[int]) -> list[int]:
        return items

    def needed(keys: list[int], chunk: list[int]) -> list[int]:
        # what a model can prove: items of the chunk without which keys are satisfiable
        return [k for k in chunk if not unsatisfiable([x for x in keys if x != k])]

    items = list(range(12))
    found = minimal_subset(
        items, unsatisfiable, in_core, needed if with_needed else None, dense=dense
    )
    return found, trials


@given(families)
def test_the_result_is_minimal_with_or_without_proved_items(sets: list[frozenset[int]]) -> None:
    for with_needed in (False, True):
        for dense in (False, True):
            found, _ = run(sets, with_needed, dense)
            assert any(s <= set(found) for s in sets)
            for item in found:
                rest = set(found) - {item}
                assert not any(s <= rest for s in sets), (with_needed, dense, found, item)


def test_a_dense_core_is_tried_item_by_item_from_the_start() -> None:
    every = [frozenset(range(12))]  # every item needed: halving only adds trials
    found, trials = run(every, with_needed=False, dense=True)
    assert sorted(found) == list(range(12)) and trials == 12
    _, halving = run(every, with_needed=False)
    assert halving > 12


def test_items_proved_needed_are_not_tried_again() -> None:
    sets = [frozenset({2, 5, 7, 9})]
    plain, _ = run(sets, with_needed=False)
    assert sorted(plain) == [2, 5, 7, 9]
    trials: list[list[int]] = []

    def unsatisfiable(items: list[int]) -> bool:
        trials.append(items)
        return sets[0] <= set(items)

    def needed(keys: list[int], chunk: list[int]) -> list[int]:
        return [k for k in keys if k in sets[0]]  # one model proves all four

    found = minimal_subset(list(range(12)), unsatisfiable, lambda items: items, needed)
    assert sorted(found) == [2, 5, 7, 9]
    # once proved, no later trial leaves one of them out
    first_proof = next(i for i, t in enumerate(trials) if not sets[0] <= set(t))
    assert all(sets[0] <= set(t) for t in trials[first_proof + 1 :])
