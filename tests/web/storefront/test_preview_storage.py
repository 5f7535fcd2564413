"""What anonymous traffic can make the preview store hold, and how long.

A record is written only for a configuration that can be drawn; records of
configurations passing through the configurator expire after their last use, those a
saved design, cart line or order refers to are pinned; images expire and are drawn
again from their record.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from configurator.domain.rendering import FileStore
from tests.web.storefront.conftest import post_form

RING = {"metal": "gold18_rose", "gem": "ruby", "band_width": "w4"}
DAY = 24 * 3600
PICTURE = re.compile(r'srcset="/previews/([0-9a-f]{64})\.(?:800|300)\.webp"')


def store_of(app: Flask) -> FileStore:
    store = app.extensions["atelier_previews"].store
    assert isinstance(store, FileStore)
    return store


def records(app: Flask) -> set[str]:
    """The names of every record in the store (passing and pinned)."""
    return {path.name for path in store_of(app).root.rglob("*.json")}


def configure(client: FlaskClient, choices: dict[str, object]) -> dict[str, object]:
    response = client.post("/api/products/ring/configure", json={"choices": choices})
    assert response.status_code == 200
    answer: dict[str, object] = response.get_json()
    return answer


def age(path: Path, seconds: float) -> None:
    """Make a file look last used ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_inconsistent_configurations_get_no_preview_and_no_record(
    shop: Flask, client: FlaskClient
) -> None:
    before = records(shop)
    clashing = [
        {**RING, "gem": "emerald", "cut": "princess"},
        {**RING, "engraving": "x" * 200},  # beyond the text's own limit
        {**RING, "ring_size": 3},  # no such size
    ]
    for choices in clashing:
        answer = configure(client, choices)
        assert answer["consistent"] is False, choices
        assert answer["preview"] is None
    assert records(shop) == before
    assert isinstance(configure(client, RING)["preview"], str)
    assert len(records(shop)) == len(before) + 1


def test_a_passing_record_expires_after_its_last_use_and_a_sweep_removes_it(
    shop: Flask, client: FlaskClient
) -> None:
    settings = shop.extensions["atelier_previews"]
    settings.registered_seconds = 0.0  # every configure asks the store
    url = configure(client, RING)["preview"]
    assert isinstance(url, str)
    name = url.removeprefix("/previews/").split(".")[0]
    record = store_of(shop).path(f"{name}.json")
    image = store_of(shop).path(url.removeprefix("/previews/"))
    assert client.get(url).status_code == 200 and image.exists()

    age(record, 6 * DAY)
    configure(client, RING)  # a use pushes the expiry back
    assert time.time() - record.stat().st_mtime < DAY
    assert store_of(shop).sweep(now=time.time() + 6 * DAY).files == 0

    removed = store_of(shop).sweep(now=time.time() + 8 * DAY)
    assert not record.exists() and image.exists()  # images live 30 days after last use
    assert removed.files == 1 and removed.bytes > 0
    assert client.get(url).status_code == 200  # the image is still there
    assert configure(client, RING)["preview"] == url  # ... and the record made again
    assert record.exists()

    store_of(shop).sweep(now=time.time() + 31 * DAY)
    assert not image.exists() and not record.exists()
    assert configure(client, RING)["preview"] == url
    assert client.get(url).status_code == 200 and image.exists()  # drawn again


def test_the_records_of_saved_designs_and_cart_lines_are_pinned(
    shop: Flask, client: FlaskClient
) -> None:
    saved = client.post("/api/designs", json={"product": "ring", "choices": RING}).get_json()
    design_page = client.get(saved["url"]).get_data(as_text=True)
    (designed,) = set(PICTURE.findall(design_page))
    added = post_form(client, "/cart/add", {"design_id": saved["id"]}, token_from=saved["url"])
    assert added.status_code in (302, 303)
    (in_cart,) = set(PICTURE.findall(client.get("/cart").get_data(as_text=True)))
    passing = configure(client, {**RING, "gem": "emerald"})["preview"]
    assert isinstance(passing, str)

    store_of(shop).sweep(now=time.time() + 365 * DAY)
    left = records(shop)
    assert {f"{designed}.json", f"{in_cart}.json"} <= left
    assert f"{passing.removeprefix('/previews/').split('.')[0]}.json" not in left
    for name in (designed, in_cart):
        assert client.get(f"/previews/{name}.300.webp").status_code == 200


def test_the_sweep_command_reports_what_it_removed(shop: Flask, client: FlaskClient) -> None:
    url = configure(client, RING)["preview"]
    assert isinstance(url, str)
    name = url.removeprefix("/previews/").split(".")[0]
    age(store_of(shop).path(f"{name}.json"), 8 * DAY)
    result = shop.test_cli_runner().invoke(args=["previews", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("removed 1 files (")
    assert f"{name}.json" not in records(shop)


def test_a_write_sweeps_in_the_background_when_the_last_sweep_is_old(tmp_path: Path) -> None:
    store = FileStore(tmp_path, sweep_every=3600)
    store.put("a" * 64 + ".json", b"{}")
    for thread in threading.enumerate():
        if thread.name == "preview-sweep":
            thread.join()
    age(store.path("a" * 64 + ".json"), 8 * DAY)
    store.put("b" * 64 + ".json", b"{}")  # the last sweep is recent: none now
    assert [t for t in threading.enumerate() if t.name == "preview-sweep"] == []
    store._last_sweep = time.monotonic() - 3601
    store.put("c" * 64 + ".json", b"{}")
    sweeps = [t for t in threading.enumerate() if t.name == "preview-sweep"]
    for thread in sweeps:
        thread.join()
    assert not store.path("a" * 64 + ".json").exists()
    assert store.path("b" * 64 + ".json").exists() and store.path("c" * 64 + ".json").exists()
