"""The witness search (large catalogs) against the engine's exact, naive availability.

The property tests compare it with a brute-force oracle on tiny catalogs; here it meets
the structure it was built for: a car-like catalog (bench/carmodel.py at a tenth of the
size) with derived codes, module and compatibility tables, over a whole session.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import random
import signal
import sys
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from configurator.domain.engine import Engine, load_catalog, parse_catalog
from configurator.domain.engine.derived import Derivations
from configurator.domain.engine.model import Rule
from configurator.domain.engine.witnesses import RETRY_CARRY, WitnessCosts, WitnessSearch, _Table

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "bench"


def carmodel() -> Any:
    spec = importlib.util.spec_from_file_location("carmodel", BENCH / "carmodel.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("carmodel", module)
    spec.loader.exec_module(module)
    return module


def offered(answer: dict[str, Any]) -> dict[str, set[str]]:
    return {
        name: {option for option, entry in shown["options"].items() if entry["available"]}
        for name, shown in answer["attributes"].items()
    }


def small_car(seed: int = 4) -> tuple[Any, dict[str, Any]]:
    """The car generator and a car a tenth of the benchmark's size."""
    car = carmodel()
    document, _ = car.generate(seed, attributes=40, features=12, tables=45)
    return car, document


def offered_naively(engine: Engine, choices: dict[str, str]) -> dict[str, set[str]]:
    """What the naive search (an exact solver call per unseen option) offers."""
    naive = engine.availability(choices, naive=True)
    return {a: {str(k) for k in keys} for a, keys in naive.items()}


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("restart", "helper", "carries"),
    [(False, False, True), (False, False, False), (True, False, True), (True, True, True)],
)
def test_a_car_session_matches_the_naive_search(
    seed: int, restart: bool, helper: bool, carries: bool
) -> None:
    car, document = small_car(seed)
    engine = Engine(parse_catalog(document, "car"), search="witness", helper=helper)
    assert engine._witnesses is not None
    if not carries:  # as when moving pooled witnesses costs more than solver calls
        engine._witnesses.costs.carry_pays = lambda: False  # type: ignore[method-assign]
    if restart:  # the solver starts afresh (keeping what it learnt) after every question
        engine._witnesses.retire_limit = 0
    if helper:  # and shares every search with its copy (which restarts as often)
        engine._witnesses.min_shared = 1
        engine._witnesses.min_shared_seconds = 0
    rng = random.Random(seed)
    features = car.feature_attributes(document)
    choices: dict[str, str] = {}
    for step in range(30):
        answer = engine.configure(choices, explain=False)
        assert offered(answer) == offered_naively(engine, choices), step
        # a new feature, a change of mind, or (now and then) a feature let go
        name = rng.choice(features)
        if name in choices and rng.random() < 0.3:
            del choices[name]
            continue
        options = sorted(offered(answer)[name] - {choices.get(name)})
        if options:
            choices[name] = rng.choice(options)


def without_reasons(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer without its reasons and conflict: another, equally minimal one may
    name other choices (the property tests check that every one is minimal)."""
    shown = {
        name: {**entry, "options": {o: e["available"] for o, e in entry["options"].items()}}
        if "options" in entry
        else entry
        for name, entry in answer["attributes"].items()
    }
    return {**answer, "attributes": shown, "conflict": answer["conflict"] is not None}


@pytest.mark.parametrize("slug", ["shoes", "chocolate", "jewellery"])
def test_the_seed_catalogs_get_the_same_answers_from_both_searches(slug: str) -> None:
    # ring sizes, engraving lengths and the 20 toppings are long "at most one" lists,
    # which the witness search leaves to its solver's built-in constraint
    catalog = load_catalog(ROOT / "catalog" / slug)
    probe, witness = Engine(catalog, search="probe"), Engine(catalog, search="witness")
    assert witness.encoding.option_var == probe.encoding.option_var
    assert witness._witnesses is not None and witness._witnesses.encoding.at_most_one
    rng = random.Random(slug)
    for _ in range(40):
        choices = witness.complete({}, strategy="random", seed=rng.randrange(1000))
        kept = {k: v for k, v in choices.items() if rng.random() < 0.4}
        if rng.random() < 0.3:  # now and then a choice the others rule out
            name = rng.choice(sorted(probe._candidates))
            keys = [k for k, _ in probe._candidates[name] if not isinstance(k, int)]
            if keys and catalog.attribute(name).kind == "single":  # type: ignore[union-attr]
                kept[name] = str(rng.choice(keys))
        found, expected = witness.configure(kept), probe.configure(kept)
        assert without_reasons(found) == without_reasons(expected), kept


def _rules_out(engine: Engine, reason: dict[str, Any], choices: dict[str, str],
               target: int, drop: object = None) -> bool:  # fmt: skip
    """Whether the reason's rules, limits and choices (less ``drop``) rule the target out,
    asked on the exact formula with every other rule and limit off."""
    enc = engine.encoding
    rules = {rule.name: rule.index for rule in engine.catalog.rules}
    lits = [target]
    lits += [enc.rule_selector[rules[name]] for name in reason["rules"] if name != drop]
    lits += [enc.limit_selector[name] for name in reason.get("limits", []) if name != drop]
    for name in reason["choices"]:
        if name != drop:
            lits += enc.choice_lits(engine.catalog.attribute(name), choices[name])  # type: ignore[arg-type]
    assert engine._solver is not None
    return not engine._solver.solve(assumptions=lits)


@pytest.mark.parametrize("lessons", [8, 0])
def test_reasons_on_the_car_are_minimal(lessons: int) -> None:
    # the rules of a reason are found on the lean formula, a relaxed table held there
    # either by lessons learnt from models or (past a few lessons) by its exact clauses
    car, document = small_car(3)
    engine = Engine(parse_catalog(document, "car"), search="witness")
    assert engine._witnesses is not None
    engine._witnesses.lessons_before_exact = lessons
    rng = random.Random(lessons)
    choices: dict[str, str] = {}
    explained = 0
    for name in car.feature_attributes(document):
        answer = engine.configure(choices, explain=False)
        closed = [(a, o) for a, kept in offered_not(answer).items() for o in kept]
        for attribute, option in rng.sample(closed, min(4, len(closed))):
            reason = engine.explain(choices, attribute, option=option)["reason"]
            target = engine.encoding.option_var[attribute, option]
            context = {k: v for k, v in choices.items() if k != attribute}
            assert _rules_out(engine, reason, context, target), reason
            parts = reason["rules"] + reason.get("limits", []) + reason["choices"]
            for part in parts:
                assert not _rules_out(engine, reason, context, target, drop=part), (part, reason)
            explained += 1
        options = sorted(offered(answer)[name])
        choices[name] = rng.choice(options)
    assert explained > 20
    if lessons == 0:
        assert engine._witnesses._exact_tables  # the test saw a table held exactly


def offered_not(answer: dict[str, Any]) -> dict[str, set[str]]:
    return {
        name: {option for option, entry in shown["options"].items() if not entry["available"]}
        for name, shown in answer["attributes"].items()
    }


def test_carries_stop_when_they_cost_more_than_the_solver_and_are_retried() -> None:
    costs = WitnessCosts()
    assert costs.carry_pays()  # nothing measured yet
    costs.note_call(0.001)
    for _ in range(200):
        costs.note_carry(0.0005, held=True)
    assert costs.carry_pays()  # a carry that holds costs half a call
    for _ in range(200):
        costs.note_carry(0.0005, held=False)  # now they almost never hold
    tried = [costs.carry_pays() for _ in range(RETRY_CARRY * 4)]
    assert tried.count(True) == 4  # only now and then, to notice when they pay again
    for _ in range(200):
        costs.note_carry(0.0005, held=True)  # the retried ones hold again
    assert all(costs.carry_pays() for _ in range(RETRY_CARRY))


def test_the_learnt_clause_is_the_smallest_part_of_the_key_no_row_has() -> None:
    rule = Rule(
        index=1,
        kind="table",
        attributes=("a", "b", "c", "x"),
        allowed=(("a1", "b1", "c1", "x1"), ("a1", "b2", "c2", "x2"), ("a2", "b1", "c2", "x1")),
    )
    table = _Table(rule, 3, selector=99)
    # no row has b2 with c1: a is not needed to rule the key out
    assert table.smallest_missing_part({0: "a1", 1: "b2", 2: "c1"}) == [1, 2]
    assert table.smallest_missing_part({0: "a2", 1: "b2", 2: "c2"}) == [0, 1]


def test_the_search_is_chosen_by_what_a_probe_question_would_cost() -> None:
    # a few dozen options on a few hundred clauses: one call per option is cheapest
    for slug in ("shoes", "chocolate", "jewellery"):
        assert Engine(load_catalog(ROOT / "catalog" / slug))._witnesses is None
    # 20 attributes, but 782 options on 7,788 lean clauses: a clause count called it small
    car = carmodel()
    small, _ = car.generate(1, attributes=20, features=6, tables=20)
    assert isinstance(Engine(parse_catalog(small, "small"))._witnesses, WitnessSearch)


def test_a_large_engine_builds_its_exact_formula_only_when_asked() -> None:
    car = carmodel()
    document, references = car.generate(2, attributes=40, features=12, tables=48)
    engine = Engine(parse_catalog(document, "car"))
    features = car.feature_attributes(document)
    chosen = {name: references[0][name] for name in features[:6]}
    answer = engine.configure(chosen, explain=False)
    assert engine._encoding is None and engine._exact is None
    # a conflict needs the exact formula: built then, and the answer names the clash
    name, option = next(
        (name, option)
        for name, entry in answer["attributes"].items()
        if name not in chosen
        for option, state in entry["options"].items()
        if not state["available"]
    )
    answer = engine.configure({**chosen, name: option}, explain=False)
    assert not answer["consistent"] and answer["conflict"]["rules"]
    assert engine._encoding is not None


def _single(name: str, count: int) -> dict[str, Any]:
    return {
        "id": name,
        "label": name.upper(),
        "kind": "single",
        "required": True,
        "options": [{"id": f"{name}{i}", "label": f"{name}{i}"} for i in range(1, count + 1)],
    }


def test_a_move_recomputes_what_derives_and_is_refused_by_a_table_it_breaks() -> None:
    # a and b are chosen together (a module table); c derives from a
    document = {
        "product": {"slug": "m", "name": "M", "currency": "EUR", "base_price": 0},
        "attributes": [_single("a", 3), _single("b", 3), _single("c", 3)],
        "rules": [
            {
                "id": "module",
                "kind": "table",
                "attributes": ["a", "b"],
                "allowed": [["a1", "b1"], ["a1", "b3"], ["a2", "b2"], ["a2", "b3"], ["a3", "b3"]],
                "message": "Not together.",
            },
            {
                "id": "code",
                "kind": "table",
                "attributes": ["a", "c"],
                "allowed": [["a1", "c1"], ["a2", "c2"], ["a3", "c2"]],
                "message": "Follows from a.",
            },
        ],
    }
    derivations = Derivations(parse_catalog(document, "m"))
    config: dict[str, Any] = {"a": "a1", "b": "b1", "c": "c1"}
    # a2 with b1 is no row of the module table
    assert derivations.move(config, "a", "a2", locked=set()) is None
    assert config == {"a": "a1", "b": "b1", "c": "c1"}  # restored
    config = {"a": "a2", "b": "b3", "c": "c2"}
    assert derivations.move(config, "a", "a3", locked={"b"}) == {"a": "a3"}  # c2 still
    # c follows a, unless it is locked
    assert derivations.move(config, "a", "a1", locked={"b"}) == {"a": "a1", "c": "c1"}
    assert derivations.move(config, "a", "a1", locked={"b", "c"}) is None
    assert config == {"a": "a2", "b": "b3", "c": "c2"}


@pytest.mark.parametrize(
    ("search", "helper"), [("probe", False), ("witness", False), ("witness", True)]
)
def test_an_engine_is_freed_by_reference_counting_alone(search: str, helper: bool) -> None:
    # The app's engine cache takes compiled engines out of the cycle collector
    # (gc.freeze): one evicted later must not need that collector to be freed.
    car, document = small_car(3)
    engine = Engine(parse_catalog(document, "car"), search=search, helper=helper)
    rng = random.Random(3)
    choices: dict[str, str] = {}
    for name in car.feature_attributes(document)[:6]:
        answer = engine.configure(choices, explain=True)
        options = sorted(offered(answer)[name])
        choices[name] = rng.choice(options)
        closed = [o for o, e in answer["attributes"][name]["options"].items() if not e["available"]]
        if closed:
            engine.explain(choices, name, option=closed[0])
    engine.complete(choices)
    freed = weakref.ref(engine)
    gc.disable()
    try:
        del engine
        assert freed() is None
    finally:
        gc.enable()


def helper_pid(engine: Engine) -> int:
    assert engine._witnesses is not None and engine._witnesses._helper is not None
    return engine._witnesses._helper.pid


def is_running(pid: int) -> bool:
    """Whether the process exists and is not a zombie (ended, not yet reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_the_helper_process_ends_with_its_engine() -> None:
    _, document = small_car()
    engine = Engine(parse_catalog(document, "car"), search="witness", helper=True)
    pid = helper_pid(engine)
    assert is_running(pid)
    del engine
    assert not Path(f"/proc/{pid}").exists()  # stopped and reaped, not left a zombie


def session_with_a_helper(
    accident: Callable[[Engine, int, dict[str, str]], None], seed: int = 4
) -> Engine:
    """Six choices on a small car whose engine shares every search with its helper,
    ``accident(engine, step, choices)`` before each answer, every answer checked."""
    car, document = small_car(seed)
    engine = Engine(parse_catalog(document, "car"), search="witness", helper=True)
    assert engine._witnesses is not None
    engine._witnesses.min_shared = 1
    engine._witnesses.min_shared_seconds = 0
    rng = random.Random(seed)
    choices: dict[str, str] = {}
    for step, name in enumerate(car.feature_attributes(document)[:6]):
        accident(engine, step, choices)
        answer = engine.configure(choices, explain=False)
        assert offered(answer) == offered_naively(engine, choices), step
        choices[name] = rng.choice(sorted(offered(answer)[name]))
    return engine


def test_when_the_helper_dies_mid_question_the_search_answers_alone() -> None:
    def kill(engine: Engine, step: int, choices: dict[str, str]) -> None:
        if step == 3:  # the question is sent, the reply never comes
            os.kill(helper_pid(engine), signal.SIGKILL)

    engine = session_with_a_helper(kill)
    assert engine._witnesses is not None and engine._witnesses._helper is not None
    assert not engine._witnesses._helper.alive


def test_when_the_helper_is_gone_before_a_question_nothing_is_lost() -> None:
    def kill_and_reap(engine: Engine, step: int, choices: dict[str, str]) -> None:
        if step == 3:  # the question cannot even be sent
            os.kill(helper_pid(engine), signal.SIGKILL)
            os.waitpid(helper_pid(engine), 0)

    session_with_a_helper(kill_and_reap)


def test_a_reply_to_a_question_given_up_on_is_not_taken_for_the_next() -> None:
    # an exception after the question went out (here: in this process's own part)
    def fail_once(engine: Engine, step: int, choices: dict[str, str]) -> None:
        if step != 3:
            return
        search = engine._witnesses
        assert search is not None and search._helper is not None
        asked, run = search._helper._asked, search._run

        def broken(*args: Any) -> None:
            search._run = run  # type: ignore[method-assign]
            raise RuntimeError("this process's part fails")

        search._run = broken  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            engine.configure(choices, explain=False)  # the question this step asks next
        assert search._helper._asked == asked + 1  # its reply is left in the pipe

    engine = session_with_a_helper(fail_once)
    assert engine._witnesses is not None and engine._witnesses._helper is not None
    assert engine._witnesses._helper.alive


def test_helpers_beyond_the_limit_make_room_and_come_back_when_needed() -> None:
    engines = [session_with_a_helper(lambda *_: None, seed) for seed in (4, 5, 6)]
    searches = [engine._witnesses for engine in engines]
    assert all(search is not None and search._helper is not None for search in searches)
    first = searches[0]._helper  # type: ignore[union-attr]
    assert first is not None and first.evicted and not is_running(first.pid)
    assert sum(s._helper.alive for s in searches) == 2  # type: ignore[union-attr]
    car, document = small_car(4)
    name = car.feature_attributes(document)[0]
    answer = engines[0].configure({}, explain=False)
    engines[0].configure({name: sorted(offered(answer)[name])[-1]}, explain=False)
    assert searches[0]._helper is not first and searches[0]._helper.alive  # type: ignore[union-attr]


def test_a_process_forked_from_the_owner_makes_its_own_helper() -> None:
    # gunicorn's preloaded app: workers are forks of a process that may hold engines
    car, document = small_car()
    engine = Engine(parse_catalog(document, "car"), search="witness", helper=True)
    assert engine._witnesses is not None
    engine._witnesses.min_shared = 1
    engine._witnesses.min_shared_seconds = 0
    first = helper_pid(engine)
    name = car.feature_attributes(document)[0]
    choices = {name: sorted(offered(engine.configure({}, explain=False))[name])[0]}
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: its own helper, and answers as before
        try:
            inherited = engine._witnesses._helper
            answer = engine.configure(choices, explain=False)
            same = offered(answer) == offered_naively(engine, choices)
            own = helper_pid(engine) not in (first, os.getpid())
            os.write(writing, b"%d %d" % (same, own))
            assert inherited is not None
            inherited._stop()  # as at the worker's exit: must leave the owner's copy alone
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        assert pipe.read() == "1 1"
    os.waitpid(pid, 0)
    assert helper_pid(engine) == first and is_running(first)


def test_the_helper_gets_only_searches_worth_more_than_the_pipe() -> None:
    car, document = small_car()
    engine = Engine(parse_catalog(document, "car"), search="witness", helper=True)
    search = engine._witnesses
    assert search is not None and search._helper is not None
    search.min_shared = 1
    search.costs.note_call = lambda seconds: None  # type: ignore[method-assign]
    features = car.feature_attributes(document)
    search.costs.call = 1e-6  # each call as cheap as a microsecond: never worth it
    engine.configure({}, explain=False)
    engine.configure({features[0]: "o0"}, explain=False)
    assert search._helper._asked == 0
    search.costs.call = 0.01  # ten milliseconds a call: every search is shared
    engine.configure({features[1]: "o0"}, explain=False)
    assert search._helper._asked == 1
