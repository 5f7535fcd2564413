"""Preview images over HTTP: content-addressed, drawn once, cached for a year."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import RedisError

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog
from tests.web.storefront.conftest import SEED_DIR, SEEDS, csrf_token

RING = {"metal": "gold18_rose", "gem": "ruby", "band_width": "w4"}


def preview_of(client: FlaskClient, choices: dict[str, object]) -> str:
    answer = client.post("/api/products/ring/configure", json={"choices": choices}).get_json()
    url = answer["preview"]
    assert isinstance(url, str) and url.startswith("/previews/") and url.endswith(".800.webp")
    return url


def test_configure_names_a_preview_that_is_served_immutable(
    shop: Flask, client: FlaskClient
) -> None:
    url = preview_of(client, RING)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "image/webp"
    assert response.data[:4] == b"RIFF" and response.data[8:12] == b"WEBP"
    assert len(response.data) < 60 * 1024
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_the_name_follows_the_configuration_not_its_spelling(
    shop: Flask, client: FlaskClient
) -> None:
    same = preview_of(client, {"band_width": "w4", "gem": "ruby", "metal": "gold18_rose"})
    assert same == preview_of(client, RING)
    assert preview_of(client, {**RING, "gem": "emerald"}) != same


def test_sizes_and_formats(shop: Flask, client: FlaskClient) -> None:
    name = preview_of(client, RING).removeprefix("/previews/").split(".")[0]
    thumbnail = client.get(f"/previews/{name}.300.jpeg")
    assert (thumbnail.status_code, thumbnail.content_type) == (200, "image/jpeg")
    card = client.get(f"/previews/{name}.card.png")
    assert (card.status_code, card.content_type) == (200, "image/png")
    width, height = int.from_bytes(card.data[16:20], "big"), int.from_bytes(card.data[20:24], "big")
    assert (width, height) == (1200, 630)


def test_a_preview_is_drawn_once_then_served_from_the_store(
    shop: Flask, client: FlaskClient
) -> None:
    url = preview_of(client, RING)
    first = client.get(url).data
    name = url.removeprefix("/previews/")
    stored = Path(shop.instance_path) / "previews" / name[:2] / name
    assert stored.read_bytes() == first
    stored.write_bytes(b"kept")  # what the store holds is what is served: no redraw
    assert client.get(url).data == b"kept"


def test_unknown_and_malformed_names_are_404(shop: Flask, client: FlaskClient) -> None:
    for url in ("/previews/" + "a" * 64 + ".800.webp", "/previews/nothex.800.webp"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "unknown_preview"
    name = preview_of(client, RING).removeprefix("/previews/").split(".")[0]
    assert client.get(f"/previews/{name}.801.webp").status_code == 404
    assert client.get(f"/previews/{name}.800.gif").status_code == 404


# -- texts that used to hang the renderer ---------------------------------------------


@pytest.mark.parametrize(
    ("product", "choices"),
    [
        ("chocolate-bar", {"size": "g100", "name_on_wrapper": "MMMMMMMMMMMM"}),
        ("chocolate-bar", {"size": "g100", "name_on_wrapper": "W" * 16}),
        ("ring", {"band_width": "w6", "gem": "none", "engraving": "W" * 26}),
    ],
)
def test_the_audit_texts_are_drawn_promptly(
    shop: Flask, client: FlaskClient, product: str, choices: dict[str, object]
) -> None:
    started = time.monotonic()
    answer = client.post(f"/api/products/{product}/configure", json={"choices": choices})
    assert answer.status_code == 200 and answer.get_json()["consistent"]
    response = client.get(answer.get_json()["preview"])
    assert response.status_code == 200 and response.content_type == "image/webp"
    page = client.post(f"/p/{product}", data={"csrf_token": csrf_token(client, f"/p/{product}")})
    assert page.status_code in (200, 303, 400)
    assert time.monotonic() - started < 30


# -- Redis: a URL handed out keeps working ----------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_client() -> Iterator[tuple[Redis, str]]:
    """The test Redis and a key prefix of this test's own (keys removed afterwards)."""
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisError as error:  # pragma: no cover - depends on the machine
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"test:{secrets.token_hex(6)}:"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_shop(
    make_app: Callable[..., Flask], redis_client: tuple[Redis, str]
) -> tuple[Flask, Redis, str]:
    client, prefix = redis_client
    app = make_app(REDIS_URL=REDIS_URL, PREVIEW_REDIS_PREFIX=prefix)
    with app.app_context():
        db.create_all()
        for seed in SEEDS.values():
            import_catalog(SEED_DIR / seed)
        db.session.commit()
    return app, client, prefix


def _names(url: str, prefix: str) -> tuple[str, str]:
    """(record key, image key) in Redis of a preview URL."""
    name = url.removeprefix("/previews/")
    return f"{prefix}{name.split('.')[0]}.json", f"{prefix}{name}"


def test_redis_lets_passing_records_and_images_expire(redis_shop) -> None:
    app, redis, prefix = redis_shop
    client = app.test_client()
    url = preview_of(client, RING)
    record, image = _names(url, prefix)
    assert 0 < redis.ttl(record) <= 7 * 24 * 3600  # no design, cart line or order has it
    first = client.get(url)
    assert first.status_code == 200
    assert 0 < redis.ttl(image) <= 30 * 24 * 3600
    redis.delete(image)  # expired (or evicted under volatile-lru)
    again = client.get(url)
    assert again.status_code == 200 and again.data == first.data
    assert redis.exists(image)


def test_redis_pins_the_record_of_a_saved_design_and_reads_keep_it(redis_shop) -> None:
    app, redis, prefix = redis_shop
    app.extensions["atelier_previews"].registered_seconds = 0.0
    client = app.test_client()
    saved = client.post("/api/designs", json={"product": "ring", "choices": RING}).get_json()
    design_picture = re.compile(r'srcset="(/previews/[0-9a-f]{64}\.800\.webp)"')

    def shown() -> str:
        found = design_picture.search(client.get(saved["url"]).get_data(as_text=True))
        assert found is not None
        return found.group(1)

    record, _ = _names(shown(), prefix)
    assert redis.ttl(record) == -1  # pinned: the design's picture stays
    redis.expire(record, 60)  # as if first named by a configure passing through
    assert redis.ttl(record) > 0
    assert client.get(shown()).status_code == 200
    assert redis.ttl(record) == -1  # pinned by the design page, and reads leave it so


def test_a_record_gone_from_redis_is_put_back_by_the_next_configure(
    make_app: Callable[..., Flask], redis_shop
) -> None:
    app, redis, prefix = redis_shop
    app.extensions["atelier_previews"].registered_seconds = 0.0
    client = app.test_client()
    url = preview_of(client, RING)
    record, image = _names(url, prefix)
    redis.delete(record, image)  # flushed, or evicted by an allkeys policy
    assert preview_of(client, RING) == url
    assert redis.exists(record)
    assert client.get(url).status_code == 200


def test_a_read_pushes_a_passing_record_expiry_back(redis_shop) -> None:
    app, redis, prefix = redis_shop
    app.extensions["atelier_previews"].registered_seconds = 0.0
    client = app.test_client()
    url = preview_of(client, RING)
    record, _ = _names(url, prefix)
    redis.expire(record, 60)
    preview_of(client, RING)
    assert redis.ttl(record) > 6 * 24 * 3600


def test_the_memory_of_registered_names_is_bounded(redis_shop) -> None:
    app, redis, prefix = redis_shop
    settings = app.extensions["atelier_previews"]
    settings.registered_memory = 5
    client = app.test_client()
    urls = {preview_of(client, {**RING, "ring_size": size}) for size in range(50, 62)}
    assert len(urls) == 12
    assert len(settings._registered) == 5
    for url in urls:  # every name handed out still draws
        assert client.get(url).status_code == 200


def test_jpg_and_jpeg_are_one_stored_image(shop: Flask, client: FlaskClient) -> None:
    name = preview_of(client, RING).removeprefix("/previews/").split(".")[0]
    jpg = client.get(f"/previews/{name}.300.jpg")
    jpeg = client.get(f"/previews/{name}.300.jpeg")
    assert jpg.status_code == jpeg.status_code == 200
    assert jpg.content_type == jpeg.content_type == "image/jpeg"
    assert jpg.data == jpeg.data
    stored = sorted(p.name for p in (Path(shop.instance_path) / "previews").rglob(f"{name}.300.*"))
    assert stored == [f"{name}.300.jpeg"]
