"""A generated catalog the size of a real car configurator, for benchmarks.

``generate(seed)`` returns a catalog document (the dict form of
``../shared/spec/catalog-format.md``) and the hidden reference configurations it was
built from. By default:

- 270 required ``single`` attributes with domains of 2 to 320 options (most small, a
  few large): 80 *features* a shopper picks (``s00``..``s79``: paint, trim, engine...)
  and 190 *codes* the rules set (``d000``..``d189``: part numbers, harness variants);
- 330 ``table`` rules of arity 2 to 12 and a few to a few hundred rows each.

How it is built, like a real product model:

- The features are grouped into *modules* (powertrain, interior, ...) of 1 to 5
  features. A module's feature combinations are restricted by one *module table*: the
  combinations the references use plus extra ones (e.g. some trims not with some seats).
- Each code belongs to one module (a few to two) and is a hidden function of some
  earlier features and codes of its module(s): its *derivation table* lists every
  reachable combination of those parents with the function's value, so the features
  determine every code (and the table restricts nothing the module table allows).
- The remaining tables are *compatibility tables* over 2 to 4 attributes of different
  modules: the projection of the references plus some extra random rows. These make
  the modules interact, as engine/gearbox/market tables do.

Satisfiable by construction: every reference configuration (module combinations drawn
at random, codes computed) satisfies every table, since each table holds its
projection. The references are drawn with skewed (popular first) distributions.

Deterministic for a given seed; generation takes well under a second.
``python bench/carmodel.py [SEED]`` prints its sizes; add ``--json`` for the document.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
from typing import Any

ATTRIBUTES = 270
FEATURES = 80
TABLES = 330
REFERENCES = 300
LARGEST = 320
MODULE_SPACE = 360  # most feature combinations a module may have
MAX_PARENT_TUPLES = 400  # most rows of a derivation table


def _feature_size(rng: random.Random, small: bool = False) -> int:
    roll = rng.random()
    if small:
        return rng.randint(2, 4) if roll < 0.75 else rng.randint(5, 12)
    if roll < 0.60:
        return rng.randint(2, 5)
    if roll < 0.86:
        return rng.randint(6, 12)
    if roll < 0.97:
        return rng.randint(13, 40)
    return rng.randint(41, 160)


def _code_size(rng: random.Random, small: bool = False) -> int:
    roll = rng.random()
    if small:
        return rng.randint(2, 4) if roll < 0.8 else rng.randint(5, 16)
    if roll < 0.55:
        return rng.randint(2, 5)
    if roll < 0.82:
        return rng.randint(6, 16)
    if roll < 0.95:
        return rng.randint(17, 60)
    return rng.randint(61, LARGEST)


def _derivation_arity(rng: random.Random) -> int:
    """Attributes in a derivation table (parents + the code), 2 to 12, most small."""
    roll = rng.random()
    if roll < 0.28:
        return 2
    if roll < 0.52:
        return 3
    if roll < 0.68:
        return 4
    if roll < 0.80:
        return rng.randint(5, 6)
    if roll < 0.91:
        return rng.randint(7, 9)
    return rng.randint(10, 12)


def _skewed(rng: random.Random, count: int) -> int:
    """An index below count, popular (low) ones more often."""
    return min(int(count * rng.random() ** 1.8), count - 1)


def _cross_keys(
    rng: random.Random,
    want: int,
    members: list[list[int]],
    state: list[list[list[int]]],
    max_parent_tuples: int = MAX_PARENT_TUPLES,
) -> tuple[list[int], list[tuple[int, ...]], tuple[int, int]] | None:
    """Parents in two modules and their reachable combinations, or None if too many."""
    if len(members) < 2:
        return None
    for _ in range(10):
        m1, m2 = rng.sample(range(len(members)), 2)
        side1 = sorted(rng.sample(members[m1], min(len(members[m1]), max(1, want // 2))))
        side2 = sorted(rng.sample(members[m2], min(len(members[m2]), max(1, want - len(side1)))))
        while True:
            keys1 = sorted({tuple(row[members[m1].index(p)] for p in side1) for row in state[m1]})
            keys2 = sorted({tuple(row[members[m2].index(p)] for p in side2) for row in state[m2]})
            if len(keys1) * len(keys2) <= max_parent_tuples:
                chosen = sorted(side1 + side2)
                position = {p: i for i, p in enumerate(side1 + side2)}
                keys = [
                    tuple((k1 + k2)[position[p]] for p in chosen) for k1 in keys1 for k2 in keys2
                ]
                return chosen, keys, (m1, m2)
            if len(side1) + len(side2) <= 2:
                break
            side = side1 if len(side1) >= len(side2) else side2
            side.pop(rng.randrange(len(side)))
    return None


def generate(
    seed: int = 1,
    attributes: int = ATTRIBUTES,
    features: int = FEATURES,
    tables: int = TABLES,
    references: int = REFERENCES,
    *,
    module_space: int = MODULE_SPACE,
    max_parent_tuples: int = MAX_PARENT_TUPLES,
    module_members: int = 5,
    small_domains: bool = False,
    largest: int = LARGEST,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The catalog document and the hidden reference configurations (option ids).

    The keywords shape it: ``module_space`` and ``module_members`` bound a module's
    feature combinations and features (wider modules give wider, longer tables),
    ``max_parent_tuples`` a derivation table's rows, ``small_domains`` draws most
    domains of 2 to 4 options (as real product models have), ``largest`` is the size
    of the one large feature (the paint list)."""
    rng = random.Random(seed)
    codes = attributes - features
    names = [f"s{i:02d}" for i in range(features)] + [f"d{i:03d}" for i in range(codes)]
    sizes = [_feature_size(rng, small_domains) for _ in range(features)]
    sizes[rng.randrange(features)] = largest  # the paint list

    # -- modules of features, their allowed combinations ----------------------------
    order = list(range(features))
    rng.shuffle(order)
    modules: list[list[int]] = []
    for index in order:
        for module in modules:
            space = sizes[index]
            for member in module:
                space *= sizes[member]
            if len(module) < module_members and space <= module_space and rng.random() < 0.7:
                module.append(index)
                break
        else:
            modules.append([index])
    for module in modules:
        module.sort()
    allowed: list[list[tuple[int, ...]]] = []  # per module, allowed feature combinations
    for module in modules:
        combos = list(itertools.product(*(range(sizes[i]) for i in module)))
        if len(module) > 1:
            keep = rng.uniform(0.55, 0.9)
            kept = [combo for combo in combos if rng.random() < keep]
            # no option left without a combination
            for position, index in enumerate(module):
                for value in range(sizes[index]):
                    if not any(combo[position] == value for combo in kept):
                        kept.append(rng.choice([c for c in combos if c[position] == value]))
            combos = sorted(set(kept))
        allowed.append(combos)

    # -- codes: each a function of earlier attributes of its module(s) ----------------
    module_of: dict[int, int] = {i: m for m, module in enumerate(modules) for i in module}
    members: list[list[int]] = [list(module) for module in modules]  # features, then codes
    weights = [len(a) for a in allowed]
    # state[m][k]: values of members[m] in the k-th allowed combination of module m
    state: list[list[list[int]]] = [[list(combo) for combo in combos] for combos in allowed]
    functions: dict[int, dict[tuple[int, ...], int]] = {}
    parents: dict[int, list[int]] = {}
    derivation_rows: dict[int, list[tuple[int, ...]]] = {}
    cross: dict[int, tuple[int, int]] = {}
    for index in range(features, attributes):
        size = _code_size(rng, small_domains)
        want = _derivation_arity(rng) - 1
        keys = (
            _cross_keys(rng, want, members, state, max_parent_tuples)
            if rng.random() < 0.12
            else None
        )
        if keys is not None:
            # a code of two modules (a harness for engine and infotainment): a leaf
            chosen, keys, pair = keys
            cross[index] = pair
        else:
            # big modules get more codes; a wide table needs a module with that many members
            candidates = [m for m in range(len(modules)) if len(members[m]) >= want] or [
                max(range(len(modules)), key=lambda m: len(members[m]))
            ]
            m = rng.choices(candidates, weights=[weights[c] for c in candidates])[0]
            chosen = sorted(rng.sample(members[m], min(want, len(members[m]))))
            keys = sorted({tuple(row[members[m].index(p)] for p in chosen) for row in state[m]})
            while len(keys) > max_parent_tuples and len(chosen) > 1:
                chosen.pop(rng.randrange(len(chosen)))
                keys = sorted({tuple(row[members[m].index(p)] for p in chosen) for row in state[m]})
            module_of[index] = m
        size = max(2, min(size, len(keys)))
        # a function onto the whole domain: every option made by some combination
        values = list(range(size)) + [_skewed(rng, size) for _ in range(len(keys) - size)]
        rng.shuffle(values)
        functions[index] = dict(zip(keys, values, strict=True))
        sizes.append(size)
        parents[index] = chosen
        derivation_rows[index] = [(*key, functions[index][key]) for key in keys]
        if index not in cross:
            m = module_of[index]
            for row in state[m]:
                row.append(functions[index][tuple(row[members[m].index(p)] for p in chosen)])
            members[m].append(index)

    # -- the references: a module combination each, codes computed --------------------
    refs: list[list[int]] = []
    for _ in range(references):
        values = [0] * attributes
        for m, rows in enumerate(state):
            row = rows[_skewed(rng, len(rows))]
            for position, index in enumerate(members[m]):
                values[index] = row[position]
        for index in cross:
            values[index] = functions[index][tuple(values[p] for p in parents[index])]
        refs.append(values)

    # -- the tables -------------------------------------------------------------------
    rules: list[dict[str, Any]] = []
    for m, module in enumerate(modules):
        if len(module) > 1:
            rules.append({"cols": module, "rows": allowed[m], "kind": "module"})
    for index in range(features, attributes):
        rules.append(
            {"cols": [*parents[index], index], "rows": derivation_rows[index], "kind": "code"}
        )
    while len(rules) < tables:
        arity = rng.choice((2, 2, 2, 2, 3, 3, 3, 4))
        cols: list[int] = []
        used: set[int] = set()
        while len(cols) < arity:
            # mostly features, some codes; never two of one module
            index = (
                rng.randrange(features)
                if rng.random() < 0.7
                else rng.randrange(features, attributes)
            )
            home = module_of.get(index, -1 - index)
            if home not in used:
                used.add(home)
                cols.append(index)
        cols.sort()
        seen = dict.fromkeys(tuple(ref[c] for c in cols) for ref in refs)
        for _ in range(rng.randint(len(seen) // 5, len(seen) // 2 + 3)):
            seen.setdefault(tuple(rng.randrange(sizes[c]) for c in cols))
        rules.append({"cols": cols, "rows": sorted(seen), "kind": "compat"})
    rng.shuffle(rules)

    document_attributes = []
    for index, name in enumerate(names):
        feature = index < features
        options = []
        for value in range(sizes[index]):
            option: dict[str, Any] = {"id": f"o{value}", "label": f"{name.upper()}-{value}"}
            if feature and value:
                option["price"] = rng.choice((0, 0, 5000, 12000, 25000, 49000, 90000, 150000))
            options.append(option)
        document_attributes.append(
            {
                "id": name,
                "label": f"Feature {name}" if feature else f"Code {name}",
                "kind": "single",
                "required": True,
                "options": options,
            }
        )

    def message(rule: dict[str, Any]) -> str:
        cols = [names[c] for c in rule["cols"]]
        if rule["kind"] == "code":
            return f"{cols[-1]} follows from {', '.join(cols[:-1])}."
        return f"Only certain combinations of {', '.join(cols)} are built."

    document = {
        "product": {
            "slug": f"car-{seed}",
            "name": f"Generated car {seed}",
            "description": "A generated catalog the size of a real car configurator "
            "(benchmarks only).",
            "currency": "EUR",
            "base_price": 3_200_000,
        },
        "attributes": document_attributes,
        "rules": [
            {
                "id": f"t{number:03d}-{rule['kind']}",
                "kind": "table",
                "message": message(rule),
                "attributes": [names[c] for c in rule["cols"]],
                "allowed": [[f"o{v}" for v in row] for row in rule["rows"]],
            }
            for number, rule in enumerate(rules)
        ],
    }
    return document, [{names[i]: f"o{v}" for i, v in enumerate(ref)} for ref in refs]


def car_document(seed: int = 1, **sizes: int) -> dict[str, Any]:
    """The catalog document of a generated car (see the module docstring)."""
    return generate(seed, **sizes)[0]


def feature_attributes(document: dict[str, Any]) -> list[str]:
    """The attributes a shopper picks (the rest are codes the rules set)."""
    return [a["id"] for a in document["attributes"] if a["id"].startswith("s")]


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """Sizes of the generated catalog, for the benchmark's header."""
    domains = [len(a["options"]) for a in document["attributes"]]
    arities = [len(r["attributes"]) for r in document["rules"]]
    rows = sorted(len(r["allowed"]) for r in document["rules"])
    kinds = [r["id"].split("-", 1)[1] for r in document["rules"]]
    return {
        "attributes": len(domains),
        "features": len(feature_attributes(document)),
        "options": sum(domains),
        "domain_min": min(domains),
        "domain_max": max(domains),
        "domain_median": sorted(domains)[len(domains) // 2],
        "tables": len(arities),
        "table_kinds": {kind: kinds.count(kind) for kind in ("module", "code", "compat")},
        "arity_min": min(arities),
        "arity_max": max(arities),
        "arity_histogram": {k: arities.count(k) for k in sorted(set(arities))},
        "rows_min": rows[0],
        "rows_median": rows[len(rows) // 2],
        "rows_p90": rows[int(len(rows) * 0.9)],
        "rows_max": rows[-1],
        "rows_total": sum(rows),
    }


if __name__ == "__main__":
    # python bench/carmodel.py [SEED] [--json]: the sizes, or the whole document as JSON
    arguments = [a for a in sys.argv[1:] if a != "--json"]
    generated = car_document(int(arguments[0]) if arguments else 1)
    if "--json" in sys.argv[1:]:
        json.dump(generated, sys.stdout, indent=1)
    else:
        print(json.dumps(describe(generated), indent=1))
