"""Benchmark of the configurator engine (issue 2, "How fast, how sure").

    python bench/engine.py            # full run (the figures in docs/performance-engine.md)
    python bench/engine.py --quick    # fewer sessions and steps, a smoke run

Two parts, each printed as a table with its target beside it:

A. Seed catalogs (catalog/shoes, catalog/chocolate, catalog/jewellery; missing ones are
   skipped with a note): a simulated shopper (seeded) makes choices one by one among
   the options the previous answer offered, until every attribute has been visited;
   every interaction is ``engine.configure(choices, explain=True)`` (availability,
   a reason for every unavailable option, price). Target p95 < 2 ms.
B. A generated car (bench/carmodel.py: 270 attributes, 330 tables): compilation time
   (target < 5 s); a shopper making 80 choices one by one, each interaction
   ``configure(choices, explain=False)`` (target p95 < 250 ms); per step, ``explain``
   for 3 random unavailable options (target < 50 ms each); and on the same choices the
   baseline ``availability(naive=True)`` (one call of the exact solver per option not
   yet seen in a model), with its ratio to ``configure``. On 2+ cores the car's engine
   has its helper process, as the app's (``--no-helper``: without); the same choices
   are then replayed on an engine without it, for its configure times beside.

Along the way the answers are cross-checked (nothing here asserts; anomalies are
counted and printed): a chosen option that was offered must leave the configuration
consistent, the baseline and ``configure`` must agree, ``explain`` must agree
with ``configure``, and at the end of a car session the configuration the answers
force must satisfy every table of the generated document (checked here, not by the
engine). Timings use time.perf_counter around the engine call only. Each compiled engine
is taken out of the cycle collector's generations (gc.freeze), as the app's engine cache
does.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import math
import os
import platform
import random
import re
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import carmodel  # noqa: E402

from configurator.core.config import engine_helper  # noqa: E402
from configurator.domain.engine import compile_catalog, load_catalog, parse_catalog  # noqa: E402

SEED_CATALOGS = ("shoes", "chocolate", "jewellery")
TEXT_ALPHABET = string.ascii_letters + string.digits + " "


# -- figures ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    """Milliseconds, as a bare number for tables (three significant digits at least)."""
    value = seconds * 1000
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def timed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """Seconds taken by ``call(*args, **kwargs)``, and its result."""
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return time.perf_counter() - start, result


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in [header, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(lines)


def summary_row(name: str, samples: list[float], target: float | None) -> list[str]:
    if not samples:
        return [name, "0", "-", "-", "-", "-" if target is None else f"< {ms(target)}", "-"]
    p95 = percentile(samples, 95)
    verdict = "-" if target is None else ("met" if p95 < target else "MISSED")
    return [
        name,
        str(len(samples)),
        ms(percentile(samples, 50)),
        ms(p95),
        ms(max(samples)),
        "-" if target is None else f"< {ms(target)}",
        verdict,
    ]


SUMMARY_HEADER = ["measure", "n", "p50 ms", "p95 ms", "max ms", "target p95", ""]


def machine() -> str:
    try:
        import pysat

        pysat_version = pysat.__version__
    except (ImportError, AttributeError):
        pysat_version = "?"
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"nproc {usable} (cpu_count {os.cpu_count()}), {cpu}; "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"python-sat {pysat_version}, {platform.system()} {platform.machine()}"
    )


def revision() -> str:
    """The commit measured, and whether the engine's files differ from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "configurator/domain/engine"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"commit {head}" + (
        ", configurator/domain/engine has uncommitted changes" if dirty else ""
    )


# -- the answers as the HTTP contract gives them -------------------------------------


def offered(answer: dict[str, Any], attribute: str) -> list[str]:
    """Option ids the answer marks available for a single/multi attribute."""
    options = answer["attributes"][attribute].get("options", {})
    return [option for option, entry in options.items() if entry["available"]]


def unavailable(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (attribute, option)
        for attribute, entry in answer["attributes"].items()
        for option, state in entry.get("options", {}).items()
        if not state["available"]
    ]


def random_text(rng: random.Random, max_length: int, pattern: str | None) -> str | None:
    """A text the answer's limits allow, or None if a few tries do not find one."""
    if max_length <= 0:
        return None
    for alphabet in (TEXT_ALPHABET, string.ascii_letters, string.ascii_uppercase):
        for _ in range(20):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, max_length))).strip()
            if text and (pattern is None or re.search(pattern, text)):
                return text
    return None


# -- A. seed catalogs -------------------------------------------------------------------


def seed_session(
    engine: Any, catalog: Any, rng: random.Random, samples: list[float], anomalies: list[str]
) -> None:
    """One shopper visiting every attribute in a random order, one choice per interaction."""
    choices: dict[str, Any] = {}

    def interact() -> dict[str, Any]:
        elapsed, answer = timed(engine.configure, choices, explain=True)
        samples.append(elapsed)
        if not answer["consistent"]:
            anomalies.append(f"{catalog.slug}: offered choices led to a conflict: {choices}")
        return answer

    answer = interact()
    order = list(catalog.attributes)
    rng.shuffle(order)
    for attribute in order:
        entry = answer["attributes"][attribute.id]
        if not attribute.required and rng.random() < 0.25:
            continue  # shoppers leave some optional attributes alone
        if attribute.kind == "single":
            options = offered(answer, attribute.id)
            if not options:
                continue
            choices[attribute.id] = rng.choice(options)
            answer = interact()
        elif attribute.kind == "multi":
            low = max(int(attribute.min or 0), 1 if attribute.required else 0)
            high = int(attribute.max) if attribute.max is not None else len(attribute.options)
            for _ in range(rng.randint(low, max(low, min(high, 4)))):
                picked = set(choices.get(attribute.id, []))
                options = [o for o in offered(answer, attribute.id) if o not in picked]
                if not options:
                    break
                choices[attribute.id] = sorted(picked | {rng.choice(options)})
                answer = interact()
        elif attribute.kind == "number":
            allowed = entry["allowed"]
            if not allowed:
                continue
            choices[attribute.id] = rng.choice(allowed)
            answer = interact()
        else:
            text = random_text(rng, entry["max_length"], entry["pattern"])
            if text is None:
                continue
            choices[attribute.id] = text
            answer = interact()
    # finishing: rules can make an attribute required (a stone needs a cut); the shopper
    # fills what is still open until the answer says complete
    for _ in range(len(catalog.attributes)):
        if answer["complete"] or not answer["consistent"]:
            break
        open_attributes = [
            a
            for a in catalog.attributes
            if a.id not in choices
            and a.kind in ("single", "number")
            and (offered(answer, a.id) or answer["attributes"][a.id].get("allowed"))
        ]
        if not open_attributes:
            break
        attribute = rng.choice(open_attributes)
        pool = offered(answer, attribute.id) or answer["attributes"][attribute.id]["allowed"]
        choices[attribute.id] = rng.choice(pool)
        answer = interact()
    if answer["consistent"] and not answer["complete"]:
        anomalies.append(f"{catalog.slug}: offered choices could not be completed: {choices}")


def bench_seeds(sessions: int, seed: int, paths: list[Path]) -> None:
    print(
        "\nA. Seed catalogs: configure(choices, explain=True) per interaction, "
        f"{sessions} shopper sessions each"
    )
    rows: list[list[str]] = []
    notes: list[str] = []
    all_samples: list[float] = []
    anomalies: list[str] = []
    for path in paths:
        if not path.exists():
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            notes.append(f"{shown}: missing, skipped")
            continue
        load_time, catalog = timed(load_catalog, path)
        compile_time, engine = timed(compile_catalog, catalog)
        gc.freeze()  # as the app's engine cache does (configurator/modules/catalog/engines.py)
        rng = random.Random(f"{seed}-{catalog.slug}")
        samples: list[float] = []
        for _ in range(sessions):
            seed_session(engine, catalog, rng, samples, anomalies)
        all_samples += samples
        options = sum(len(a.options) for a in catalog.attributes)
        rows.append(
            summary_row(
                f"{catalog.slug} ({len(catalog.attributes)} attrs, {options} options, "
                f"{len(catalog.rules)} rules; load {ms(load_time)} ms, "
                f"compile {ms(compile_time)} ms)",
                samples,
                0.002,
            )
        )
    if len(rows) > 1:
        rows.append(summary_row("all seed catalogs", all_samples, 0.002))
    if rows:
        print(table(SUMMARY_HEADER, rows))
    for note in notes:
        print(f"  note: {note}")
    print(f"  anomalies: {len(anomalies)}")
    for anomaly in anomalies[:10]:
        print(f"    {anomaly}")


# -- B. the generated car ------------------------------------------------------------------


def table_violations(document: dict[str, Any], config: dict[str, str]) -> list[str]:
    """Tables of the document a full configuration breaks (checked here, not by the engine)."""
    broken = []
    for rule in document["rules"]:
        row = [config.get(name) for name in rule["attributes"]]
        if None not in row and row not in rule["allowed"]:
            broken.append(rule["id"])
    return broken


def availability_sets(answer: dict[str, Any]) -> dict[str, set[str]]:
    return {attribute: set(offered(answer, attribute)) for attribute in answer["attributes"]}


def bench_car(args: argparse.Namespace) -> None:
    print(
        f"\nB. Generated car (bench/carmodel.py, seed {args.car_seed}): "
        f"{args.steps} choices per session, {args.car_sessions} session(s), "
        f"budget {args.budget:.0f} s"
    )
    if args.car_scale != 1:
        print(
            f"  SCALED car ({args.car_scale:g} of the real size): a smoke run, "
            "not comparable with the targets"
        )
    scale = args.car_scale
    generation, (document, references) = timed(
        carmodel.generate,
        args.car_seed,
        attributes=round(carmodel.ATTRIBUTES * scale),
        features=round(carmodel.FEATURES * scale),
        tables=round(carmodel.TABLES * scale),
    )
    size = carmodel.describe(document)
    print(
        f"  {size['attributes']} single attributes ({size['features']} features the shopper "
        f"picks, the rest codes the rules set), {size['options']} options, domains "
        f"{size['domain_min']}..{size['domain_max']} (median {size['domain_median']});\n"
        f"  {size['tables']} tables {size['table_kinds']} of arity "
        f"{size['arity_min']}..{size['arity_max']} {size['arity_histogram']},\n"
        f"  rows per table {size['rows_min']}..{size['rows_max']} (median "
        f"{size['rows_median']}, p90 {size['rows_p90']}), {size['rows_total']} rows in all"
    )
    parse_time, catalog = timed(parse_catalog, document, "carmodel")
    compile_time, engine = timed(compile_catalog, catalog, helper=args.helper)
    gc.freeze()  # as the app's engine cache does (configurator/modules/catalog/engines.py)
    encoding = engine.encoding
    print(
        f"  generation {ms(generation)} ms, parse_catalog {ms(parse_time)} ms, "
        f"compile_catalog {ms(compile_time)} ms "
        f"(target < 5 s: {'met' if compile_time < 5 else 'MISSED'}); "
        f"CNF {encoding.top} variables, {len(encoding.clauses)} clauses"
    )
    print(
        "  helper process (ENGINE_HELPER, as the app on 2+ cores): "
        + ("on, half of each search on another core" if args.helper else "off")
    )

    configure_times: list[float] = []
    explain_times: list[float] = []
    naive_times: list[float] = []
    ratios: list[float] = []
    anomalies: list[str] = []
    kinds = {"new": 0, "derived": 0, "change": 0}
    trace: list[str] = []
    script: list[tuple[dict[str, str], list[tuple[str, str]]]] = []  # for the replay
    started = time.perf_counter()
    stopped_early = False
    shopper = carmodel.feature_attributes(document)

    for session in range(args.car_sessions):
        rng = random.Random(f"{args.seed}-car-{session}")
        choices: dict[str, str] = {}
        elapsed, answer = timed(engine.configure, choices, explain=False)
        trace.append(f"  session {session} start: configure({{}}) {ms(elapsed)} ms")
        for step in range(1, args.steps + 1):
            if time.perf_counter() - started > args.budget:
                stopped_early = True
                break
            # the shopper: an unset shopper attribute; once all are set, an unset derived
            # attribute that still has a choice; else a change of mind on a shopper attribute
            unset = [a for a in shopper if a not in choices]
            open_derived = [
                a for a in answer["attributes"] if a not in choices and len(offered(answer, a)) > 1
            ]
            if unset:
                attribute, kind = rng.choice(unset), "new"
            elif open_derived:
                attribute, kind = rng.choice(open_derived), "derived"
            else:
                attribute, kind = rng.choice(shopper), "change"
            options = [o for o in offered(answer, attribute) if o != choices.get(attribute)]
            if not options:
                anomalies.append(f"step {step}: {attribute} offers nothing")
                continue
            kinds[kind] += 1
            choices[attribute] = rng.choice(options)

            elapsed, answer = timed(engine.configure, choices, explain=False)
            configure_times.append(elapsed)
            if not answer["consistent"]:
                anomalies.append(
                    f"step {step}: {attribute}={choices[attribute]} was offered, "
                    "the answer is inconsistent"
                )
            closed = unavailable(answer)
            asked = rng.sample(closed, min(args.explain, len(closed)))
            script.append((dict(choices), asked))
            step_explain = []
            for target_attribute, option in asked:
                took, reply = timed(engine.explain, choices, target_attribute, option=option)
                explain_times.append(took)
                step_explain.append(took)
                if reply["available"] or "reason" not in reply:
                    anomalies.append(
                        f"step {step}: explain says {target_attribute}={option} is available, "
                        "configure says not"
                    )
                else:
                    named = set(reply["reason"].get("choices", []))
                    if not named <= set(choices):
                        anomalies.append(
                            f"step {step}: reason for {target_attribute}={option} names "
                            f"unchosen {named - set(choices)}"
                        )

            # The baseline on the same choices, on the engine's exact solver (the witness
            # search would answer a repeated question from what it has just found).
            naive_time, naive_sets = timed(engine.availability, choices, naive=True)
            naive_times.append(naive_time)
            ratios.append(naive_time / elapsed)
            as_ids = {a: {str(k) for k in v} for a, v in naive_sets.items()}
            if as_ids != availability_sets(answer):
                diff = sorted(a for a in as_ids if as_ids[a] != availability_sets(answer)[a])
                anomalies.append(f"step {step}: baseline and configure differ on {diff[:5]}")
            free = sum(1 for a in shopper if a not in choices and len(offered(answer, a)) > 1)
            line = (
                f"  s{session} step {step:2d} {kind:7s} {attribute}={choices[attribute]:5s}"
                f"  configure {ms(elapsed):>6s} ms"
                f"  explain max {ms(max(step_explain, default=0)):>5s} ms"
                f"  naive {ms(naive_time):>6s} ms"
                f"  available {sum(map(len, naive_sets.values())):4d}"
                f"  open features {free:2d}"
            )
            trace.append(line)
            if args.progress:
                print(line, file=sys.stderr, flush=True)
        # the configuration the answers force, checked against the document's tables
        forced = dict(choices)
        for attribute in answer["attributes"]:
            options = offered(answer, attribute)
            if attribute not in forced and len(options) == 1:
                forced[attribute] = options[0]
        if len(forced) == len(document["attributes"]):
            broken = table_violations(document, forced)
            trace.append(
                f"  session {session} end: every attribute forced; the configuration breaks "
                f"{len(broken)} tables of the document {broken[:5]}"
            )
            if broken:
                anomalies.append(f"session {session}: forced configuration breaks {broken[:5]}")
        else:
            trace.append(
                f"  session {session} end: {len(forced)} of {len(document['attributes'])} "
                "attributes set or forced"
            )
        if stopped_early:
            break

    # a hidden reference: its shopper choices must be consistent and force its derived codes
    reference = references[0]
    elapsed, answer = timed(engine.configure, {a: reference[a] for a in shopper}, explain=False)
    wrong = [a for a in answer["attributes"] if reference[a] not in offered(answer, a)]
    trace.append(
        f"  reference configuration 0: configure(its {len(shopper)} features) {ms(elapsed)} ms, "
        f"consistent {answer['consistent']}, its own option unavailable on {len(wrong)} attributes"
    )
    if wrong or not answer["consistent"]:
        anomalies.append(f"reference 0 not accepted: {wrong[:5]}")

    rows = [
        summary_row("configure(explain=False), per choice", configure_times, 0.250),
        summary_row(f"explain(option), {args.explain} unavailable per step", explain_times, 0.050),
        summary_row("availability(naive=True), the baseline", naive_times, None),
    ]
    if args.helper:
        alone = replay_alone(catalog, script)
        rows.append(summary_row("configure, same choices, no helper process", alone, 0.250))
    print(table(SUMMARY_HEADER, rows))
    if ratios:
        p50 = percentile(naive_times, 50) / percentile(configure_times, 50)
        p95 = percentile(naive_times, 95) / percentile(configure_times, 95)
        print(
            f"  baseline / configure: ratio of p50 {p50:.1f}, of p95 {p95:.1f}; per step median "
            f"{percentile(ratios, 50):.1f} (min {min(ratios):.1f}, max {max(ratios):.1f})"
        )
    print(
        f"  choices: {kinds['new']} new features, {kinds['derived']} codes, "
        f"{kinds['change']} changes of mind"
    )
    if stopped_early:
        print(
            f"  STOPPED EARLY: the {args.budget:.0f} s budget ran out "
            f"after {len(configure_times)} choices"
        )
    print(f"  anomalies: {len(anomalies)}")
    for anomaly in anomalies[:10]:
        print(f"    {anomaly}")
    if args.trace:
        print("\n".join(trace))


def replay_alone(catalog: Any, script: list[tuple[dict[str, str], list[tuple[str, str]]]]) -> (
    list[float]
):  # fmt: skip
    """Configure times of the same session on an engine without the helper process (the
    same reasons asked along the way, untimed, so that both engines see the same)."""
    engine = compile_catalog(catalog, helper=False)
    gc.freeze()
    engine.configure({}, explain=False)
    times = []
    for choices, asked in script:
        elapsed, _ = timed(engine.configure, choices, explain=False)
        times.append(elapsed)
        for attribute, option in asked:
            engine.explain(choices, attribute, option=option)
    return times


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer sessions and steps (a smoke run)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the simulated shoppers")
    parser.add_argument("--car-seed", type=int, default=1, help="seed of the generated car")
    parser.add_argument(
        "--sessions", type=int, help="shopper sessions per seed catalog (200; quick 20)"
    )
    parser.add_argument("--car-sessions", type=int, default=1, help="car shopper sessions (1)")
    parser.add_argument("--steps", type=int, help="choices per car session (80; quick 10)")
    parser.add_argument(
        "--car-scale", type=float, help="size of the car relative to the real one (1; quick 0.33)"
    )
    parser.add_argument(
        "--explain", type=int, default=3, help="unavailable options explained per step (3)"
    )
    parser.add_argument(
        "--budget", type=float, help="seconds for the car sessions before stopping (7200; quick 30)"
    )
    parser.add_argument(
        "--catalog", action="append", type=Path, help="seed catalog folder or file (repeatable)"
    )
    parser.add_argument("--skip-seeds", action="store_true")
    parser.add_argument("--skip-car", action="store_true")
    parser.add_argument(
        "--trace", action="store_true", help="print one line per car step after the tables"
    )
    parser.add_argument(
        "--progress", action="store_true", help="print car steps to stderr as they happen"
    )
    parser.add_argument(
        "--no-helper",
        action="store_true",
        help="the car's engine without its helper process (as ENGINE_HELPER=0, also read)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    args.helper = not args.no_helper and engine_helper(os.environ.get("ENGINE_HELPER"))
    args.sessions = args.sessions or (20 if args.quick else 200)
    args.steps = args.steps or (10 if args.quick else 80)
    args.budget = args.budget or (30.0 if args.quick else 7200.0)
    args.car_scale = args.car_scale or (0.33 if args.quick else 1.0)
    paths = args.catalog or [ROOT / "catalog" / slug for slug in SEED_CATALOGS]

    now = datetime.datetime.now().isoformat(timespec="seconds")
    print(f"Atelier engine benchmark, {now}{' (quick)' if args.quick else ''}")
    print(f"Machine: {machine()}")
    print(f"Code: {revision()}; load average before the run {os.getloadavg()[0]:.2f}")
    print("Times in milliseconds per call (time.perf_counter around the engine call).")
    start_speed, start_solver = machine_speed(), solver_speed()
    print(
        f"Machine speed: a fixed Python task takes {ms(start_speed)} ms, a fixed solver task "
        f"{ms(start_solver)} ms (see the end)"
    )
    if not args.skip_seeds:
        bench_seeds(args.sessions, args.seed, paths)
    if not args.skip_car:
        bench_car(args)
    one, five, fifteen = os.getloadavg()
    print(f"\nLoad average after the run: {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)")
    end_speed, end_solver = machine_speed(), solver_speed()
    print(
        f"Machine speed: the Python task took {ms(start_speed)} ms before the run and "
        f"{ms(end_speed)} ms after it, the solver task {ms(start_solver)} and "
        f"{ms(end_solver)} ms (shared machines slow down and speed up: compare runs by the "
        "ratios to the baseline, or only when these agree)"
    )


def machine_speed() -> float:
    """Seconds for a fixed task (generating the car, best of three): a yardstick of how
    fast the machine runs at the moment, in the same Python work the engine does."""
    return min(timed(carmodel.generate, 1)[0] for _ in range(3))


def solver_speed() -> float:
    """Seconds for a fixed solver task, best of three: a random 3-SAT formula (230
    variables, 980 clauses, fixed seed; satisfiable after 3,468 conflicts) solved eight
    times by Minicard, the solver of the witness search. The solver is deterministic, so
    only the machine changes this figure, which the Python yardstick does not always
    follow."""
    from pysat.solvers import Solver

    rng = random.Random(7)
    formula = [
        [v if rng.random() < 0.5 else -v for v in rng.sample(range(1, 231), 3)] for _ in range(980)
    ]

    def solve_eight() -> None:
        for _ in range(8):
            with Solver(name="minicard", bootstrap_with=formula) as solver:
                solver.solve()

    return min(timed(solve_eight)[0] for _ in range(3))


if __name__ == "__main__":
    main()
