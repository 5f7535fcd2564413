"""Content addresses and the preview store."""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator.preview import (
    FileStore,
    MemoryStore,
    art_version,
    get_or_make,
    preview_hash,
    preview_key,
)

from .conftest import ROOT

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
