"""Content addresses and the preview store."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from configurator.domain.rendering import (
    FileStore,
    MemoryStore,
    art_version,
    get_or_make,
    preview_hash,
    preview_key,
    stored_key,
)
from tests.domain.rendering.conftest import ROOT

CHOICES = {"metal": "silver", "gem": "ruby", "toppings": ["b", "a"], "ring_size": 54}


def test_hash_is_stable_and_ignores_key_order_and_list_order() -> None:
    one = preview_hash("ring", 3, CHOICES, "abc")
    reordered = dict(reversed(list(CHOICES.items())))
    reordered["toppings"] = ["a", "b"]
    assert preview_hash("ring", 3, reordered, "abc") == one
    assert preview_hash("ring", 3, {**CHOICES, "ring_size": 54.0}, "abc") == one
    assert preview_hash("ring", 3, {**CHOICES, "engraving": ""}, "abc") == one
    assert len(one) == 64 and int(one, 16) >= 0


@pytest.mark.parametrize(
    "changed",
    [
        ("ring2", 3, CHOICES, "abc"),
        ("ring", 4, CHOICES, "abc"),
        ("ring", 3, CHOICES, "abd"),
        ("ring", 3, {**CHOICES, "metal": "platinum"}, "abc"),
        ("ring", 3, {**CHOICES, "toppings": ["a"]}, "abc"),
        ("ring", 3, {**CHOICES, "engraving": "x"}, "abc"),
    ],
)
def test_hash_changes_with_product_version_art_and_choices(changed: tuple) -> None:
    assert preview_hash(*changed) != preview_hash("ring", 3, CHOICES, "abc")


def test_art_version_follows_the_files(tmp_path: Path) -> None:
    source = ROOT / "catalog" / "jewellery" / "art"
    assert art_version(source) == art_version(source)
    for path in source.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert art_version(tmp_path) == art_version(source)
    layer = tmp_path / "shadow.png"
    layer.write_bytes(layer.read_bytes() + b"\0")
    assert art_version(tmp_path) != art_version(source)


def test_file_store_round_trip_and_atomic_names(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    key = preview_key("ab" * 32, "800", "webp")
    assert store.get(key) is None
    store.put(key, b"one")
    store.put(key, b"two")
    assert store.get(key) == b"two"
    assert not list(tmp_path.rglob("*.part"))
    for bad in ("../x", "a/b", "", ".hidden", "a..b/c"):
        with pytest.raises(ValueError):
            store.get(bad)


def test_get_or_make_draws_once() -> None:
    store = MemoryStore()
    calls = []

    def make() -> bytes:
        calls.append(1)
        return b"img"

    key = preview_key("cd" * 32, "300", "jpg")
    assert get_or_make(store, key, make) == b"img"
    assert get_or_make(store, key, make) == b"img"
    assert len(calls) == 1


def test_hash_covers_the_renderer_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from configurator.domain.rendering import keys

    before = preview_hash("ring", 3, CHOICES, "abc")
    monkeypatch.setattr(keys, "RENDERER_VERSION", keys.RENDERER_VERSION + 1)
    assert preview_hash("ring", 3, CHOICES, "abc") != before


def test_jpg_and_jpeg_are_stored_once() -> None:
    name = "ef" * 32
    assert stored_key(name, "800", "jpg") == stored_key(name, "800", "jpeg")
    assert stored_key(name, "800", "jpeg").endswith(".800.jpeg")
    assert stored_key(name, "300", "webp") == preview_key(name, "300", "webp")


def test_requests_arriving_together_draw_once() -> None:
    store = MemoryStore()
    calls: list[int] = []
    started = threading.Barrier(6)

    def make() -> bytes:
        calls.append(1)
        time.sleep(0.2)  # long enough for every other thread to ask meanwhile
        return b"img"

    def ask() -> bytes:
        started.wait()
        return get_or_make(store, preview_key("ab" * 32, "800", "webp"), make)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: ask(), range(6)))
    assert answers == [b"img"] * 6
    assert len(calls) == 1
    # the per-name locks are forgotten once nobody waits
    from configurator.domain.rendering import store as stores

    assert stores._drawing == {}
