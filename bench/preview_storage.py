"""What 10,000 random configure requests leave in the preview store (issue 13).

    python bench/preview_storage.py              # 10,000 requests, FileStore and Redis
    python bench/preview_storage.py --requests 2000 --no-redis

Random choices for the three seed products, through the Flask test client on a fresh
SQLite database: each attribute left out or given a random value (option ids, now and
then one that does not exist; multi subsets; numbers inside and outside the allowed
ones; texts of random length from letters, digits, punctuation and letters the
lettering may lack). The app's preview store is a temporary folder, then Redis under a
prefix of its own (when Redis answers; its keys are deleted afterwards).

Printed per store: the answers, the records the old rule would have written (every
distinct configuration answered 200, each record for good: counted from the answers in
this same run, with the bytes of the record the old code wrote), the records and bytes
written now, and what is left after a sweep eight days later (FileStore) or the expiry
Redis holds for each key. Nothing is asserted; nothing is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import string
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402
from redis.exceptions import RedisError  # noqa: E402

from configurator import create_app  # noqa: E402
from configurator.core.database import db  # noqa: E402
from configurator.domain.engine import Attribute, Catalog  # noqa: E402
from configurator.domain.rendering import FileStore, preview_hash  # noqa: E402
from configurator.modules.catalog.engines import engine_for  # noqa: E402
from configurator.modules.catalog.services import current_version, import_catalog  # noqa: E402

SEEDS = {"sneaker": "shoes", "chocolate-bar": "chocolate", "ring": "jewellery"}
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
LETTERS = string.ascii_letters + "     " + string.digits + "&'.-!?" + "éøßЖ☃"
DAY = 24 * 3600


def random_value(rng: random.Random, attribute: Attribute) -> Any:
    if attribute.kind == "single":
        if rng.random() < 0.03:
            return "no-such-option"
        return rng.choice([None, *(option.id for option in attribute.options)])
    if attribute.kind == "multi":
        ids = [option.id for option in attribute.options]
        return rng.sample(ids, rng.randint(0, len(ids)))
    if attribute.kind == "text":
        limit = attribute.max_length or 20
        length = rng.randint(0, 2 * limit)
        return "".join(rng.choice(LETTERS) for _ in range(length))
    values = [float(value) for value in attribute.number_values()] or [0.0]
    if rng.random() < 0.2:
        return rng.choice([None, min(values) - 1, max(values) + 0.5])
    return rng.choice(values)


def random_choices(rng: random.Random, catalog: Catalog) -> dict[str, Any]:
    return {
        attribute.id: random_value(rng, attribute)
        for attribute in catalog.attributes
        if rng.random() < 0.7
    }


def make_app(folder: Path, **config: Any) -> Any:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "bench",
            "PREVIEW_WARM": False,
            "PREVIEW_SWEEP_SECONDS": 0,
            **config,
        }
    )
    with app.app_context():
        db.create_all()
        for seed in SEEDS.values():
            import_catalog(ROOT / "catalog" / seed)
        db.session.commit()
    return app


def run(app: Any, requests: int, seed: int) -> tuple[Counter[str], dict[str, int]]:
    """Send the requests; returns the answers by kind and the old rule's records
    (distinct names -> bytes of the record the old code wrote for each)."""
    rng = random.Random(seed)
    client = app.test_client()
    answers: Counter[str] = Counter()
    old_records: dict[str, int] = {}
    with app.app_context():
        versions = {slug: current_version(slug) for slug in SEEDS}
        settings = app.extensions["atelier_previews"]
        art_versions = {slug: settings.art_of(slug).version for slug in SEEDS}
    for _ in range(requests):
        slug = rng.choice(sorted(SEEDS))
        with app.app_context():
            engine = engine_for(versions[slug])
        choices = random_choices(rng, engine.catalog)
        response = client.post(f"/api/products/{slug}/configure", json={"choices": choices})
        if response.status_code != 200:
            answers[f"{response.status_code} refused"] += 1
            continue
        answer = response.get_json()
        kind = "200 consistent" if answer["consistent"] else "200 inconsistent"
        if answer["consistent"] and answer["preview"] is None:
            kind += ", a text the picture cannot hold"
        answers[kind] += 1
        # The old rule: every configuration answered 200 had its record written.
        canonical = engine.canonical(choices)
        version = versions[slug]
        name = preview_hash(slug, version.version, canonical, art_versions[slug])
        record = {"product": slug, "version": version.version, "choices": canonical}
        old_records[name] = len(json.dumps(record, sort_keys=True).encode())
    return answers, old_records


def report(label: str, answers: Counter[str], old: dict[str, int], now: tuple[int, int]) -> None:
    print(f"\n{label}")
    for kind, count in sorted(answers.items()):
        print(f"  answers {kind:<46} {count:>6}")
    print(
        f"  old rule: records written, kept for good   {len(old):>6}  {sum(old.values()):>9} bytes"
    )
    print(f"  now: records written                        {now[0]:>6}  {now[1]:>9} bytes")


def file_store(requests: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        answers, old = run(app, requests, seed)
        store = app.extensions["atelier_previews"].store
        assert isinstance(store, FileStore)
        files = [path for path in store.root.rglob("*.json")]
        report(
            f"FileStore ({requests} requests)",
            answers,
            old,
            (len(files), sum(p.stat().st_size for p in files)),
        )
        swept = store.sweep(now=time.time() + 8 * DAY)
        left = len(list(store.root.rglob("*.json")))
        swept_line = f"{swept.files:>6}  {swept.bytes:>9} bytes"
        print(f"  now: swept 8 days later                     {swept_line}")
        print(f"  now: records left after that sweep          {left:>6}")


def redis_store(requests: int, seed: int) -> None:
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisError as error:
        print(f"\nRedis: not measured ({REDIS_URL}: {error})")
        return
    prefix = f"bench:{secrets.token_hex(6)}:"
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = make_app(Path(folder), REDIS_URL=REDIS_URL, PREVIEW_REDIS_PREFIX=prefix)
            answers, old = run(app, requests, seed)
        keys = list(client.scan_iter(f"{prefix}*.json"))
        size = sum(client.memory_usage(key) or 0 for key in keys)
        report(f"Redis ({requests} requests)", answers, old, (len(keys), size))
        ttls = [client.ttl(key) for key in keys]
        without = sum(1 for ttl in ttls if ttl < 0)
        longest = max((ttl for ttl in ttls if ttl >= 0), default=0)
        print(f"  now: keys without expiry                    {without:>6}")
        print(f"  now: longest expiry                         {longest / DAY:>6.1f} days")
        print("  (bytes for Redis: MEMORY USAGE of the keys, overhead included)")
    finally:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    file_store(args.requests, args.seed)
    if not args.no_redis:
        redis_store(args.requests, args.seed)


if __name__ == "__main__":
    main()
