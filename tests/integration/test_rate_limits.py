"""Rate limits on the anonymous endpoints that run the engine: real Flask-Limiter, on
memory storage and on Redis, with the limits switched on (the suite's apps have them off)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.pool import NullPool
from werkzeug.test import TestResponse

from configurator import create_app
from configurator.core.config import DEFAULT_ANONYMOUS_ENGINE_LIMIT
from configurator.core.database import db
from configurator.core.limits import MARKS
from configurator.modules.catalog.services import import_catalog
from tests.web.storefront.conftest import post_form

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CHOICES = {"colour": "black", "print": "glow"}
# Each limited endpoint with a body it takes.
ENGINE_ENDPOINTS = {
    "configure": {"choices": CHOICES},
    "explain": {"choices": CHOICES, "attribute": "print", "option": "glow"},
    "previews": {"choices": CHOICES, "attribute": "print"},
    "complete": {"choices": CHOICES, "strategy": "cheapest"},
    "missing": {"choices": CHOICES},
}

LimitedApp = Callable[..., Flask]


@pytest.fixture
def limited_app(make_app: Callable[..., Flask], catalog_path: Callable[..., Path]) -> LimitedApp:
    """Apps with the limits on and the tee published; keyword arguments override config.
    Apps made with the same database see the same products."""
    published: list[bool] = []

    def factory(**config: Any) -> Flask:
        app = make_app(**{"RATELIMIT_ENABLED": True, **config})
        if not published:
            with app.app_context():
                db.create_all()
                import_catalog(catalog_path())
                db.session.commit()
            published.append(True)
        return app

    return factory


def shopper(app: Flask, address: str = "203.0.113.7") -> FlaskClient:
    """A client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def engine_call(client: FlaskClient, endpoint: str = "configure") -> TestResponse:
    return client.post(f"/api/products/tee/{endpoint}", json=ENGINE_ENDPOINTS[endpoint])


def assert_rate_limited(response: TestResponse) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited" and error["field"] is None
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 3600
    unit = "second" if seconds == 1 else "seconds"
    assert f"try again in {seconds} {unit}" in error["message"]


@pytest.mark.parametrize("endpoint", sorted(ENGINE_ENDPOINTS))
def test_a_burst_past_the_limit_is_refused_with_the_envelope(
    limited_app: LimitedApp, endpoint: str
) -> None:
    app = limited_app(RATELIMIT_ANONYMOUS_ENGINE="3/hour")
    client = shopper(app)
    answers = [engine_call(client, endpoint).status_code for _ in range(3)]
    assert 429 not in answers
    assert_rate_limited(engine_call(client, endpoint))


def test_the_limit_counts_per_client_and_per_endpoint(limited_app: LimitedApp) -> None:
    app = limited_app(RATELIMIT_ANONYMOUS_ENGINE="2/hour")
    first, second = shopper(app, "203.0.113.7"), shopper(app, "198.51.100.9")
    for _ in range(2):
        assert engine_call(first).status_code == 200
    assert_rate_limited(engine_call(first))
    assert engine_call(second).status_code == 200
    assert engine_call(first, "missing").status_code == 200


def test_a_shopper_clicking_fast_is_not_limited(limited_app: LimitedApp) -> None:
    """With the shipped limits, twenty clicks in a row as quick as the test client goes
    (each a configure, the status line and a prefetch, as the page sends): no 429."""
    app = limited_app(RATELIMIT_ANONYMOUS_ENGINE=DEFAULT_ANONYMOUS_ENGINE_LIMIT)
    assert app.config["RATELIMIT_ANONYMOUS_ENGINE"] == "20/second;600/minute"
    client = shopper(app)
    for _ in range(20):
        for endpoint in ("configure", "missing", "previews"):
            response = engine_call(client, endpoint)
            assert response.status_code != 429, endpoint


def test_the_openapi_document_gives_429_to_exactly_the_limited_operations(
    limited_app: LimitedApp,
) -> None:
    app = limited_app()
    document = app.test_client().get("/api/openapi.json").get_json()
    documented = {
        path.removeprefix("/api/products/{slug}/")
        for path, operations in document["paths"].items()
        for operation in operations.values()
        if "429" in operation["responses"]
    }
    limited = {
        endpoint.removeprefix("api.")
        for endpoint, view in app.view_functions.items()
        if endpoint.startswith("api.") and getattr(view, MARKS, ())
    }
    assert documented == limited == set(ENGINE_ENDPOINTS)


def test_limits_switched_off_never_refuse(limited_app: LimitedApp) -> None:
    app = limited_app(RATELIMIT_ENABLED=False, RATELIMIT_ANONYMOUS_ENGINE="1/hour")
    client = shopper(app)
    assert [engine_call(client).status_code for _ in range(5)] == [200] * 5


def test_the_switch_reads_ratelimit_enabled_from_the_environment(
    limited_app: LimitedApp, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited_app()  # publishes the tee
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    monkeypatch.setenv("RATELIMIT_ANONYMOUS_ENGINE", "1/hour")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
            "INSTANCE_PATH": str(tmp_path / "from-env"),
        }
    )
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["RATELIMIT_ANONYMOUS_ENGINE"] == "1/hour"
    client = shopper(app)
    assert [engine_call(client).status_code for _ in range(3)] == [200] * 3
    with app.app_context():
        db.engine.dispose()


def test_a_limited_shop_page_says_when_to_try_again(limited_app: LimitedApp) -> None:
    """The page without JavaScript posts the form to run the engine: limited the same
    way, answered with a page in the shop's words."""
    app = limited_app(RATELIMIT_ANONYMOUS_ENGINE="1/hour")
    client = shopper(app)
    form = {"c-colour": "black", "action": "update"}
    assert post_form(client, "/p/tee", form, token_from="/p/tee").status_code == 200
    page = post_form(client, "/p/tee", form, token_from="/p/tee")
    assert page.status_code == 429 and page.mimetype == "text/html"
    seconds = int(page.headers["Retry-After"])
    assert f"try again in {seconds} seconds" in page.get_data(as_text=True)


# -- Redis: what gunicorn's workers share ------------------------------------------------


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the test Redis (its keys removed afterwards)."""
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisError as error:  # pragma: no cover - depends on the machine
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"test-limits-{secrets.token_hex(6)}"
    yield prefix
    keys = list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_a_burst_past_the_limit_is_refused_on_redis(
    limited_app: LimitedApp, redis_prefix: str
) -> None:
    app = limited_app(
        REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix, RATELIMIT_ANONYMOUS_ENGINE="3/hour"
    )
    client = shopper(app)
    assert [engine_call(client).status_code for _ in range(3)] == [200] * 3
    assert_rate_limited(engine_call(client))
    assert list(Redis.from_url(REDIS_URL).scan_iter(f"*{redis_prefix}*")), "not counted in Redis"


def test_two_workers_on_one_redis_count_together(
    limited_app: LimitedApp, redis_prefix: str
) -> None:
    """Two app instances (as two gunicorn workers) with REDIS_URL set: one budget."""
    config = {
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "RATELIMIT_ANONYMOUS_ENGINE": "4/hour",
    }
    one, other = shopper(limited_app(**config)), shopper(limited_app(**config))
    for worker in (one, other, one, other):
        assert engine_call(worker).status_code == 200
    assert_rate_limited(engine_call(one))
    assert_rate_limited(engine_call(other))


def test_two_workers_in_memory_count_apart(limited_app: LimitedApp) -> None:
    """The contrast to the test above: memory storage is each worker's own."""
    config = {"RATELIMIT_ANONYMOUS_ENGINE": "2/hour"}
    one, other = shopper(limited_app(**config)), shopper(limited_app(**config))
    for worker in (one, one, other, other):
        assert engine_call(worker).status_code == 200
    assert_rate_limited(engine_call(one))


def test_a_limit_store_that_is_down_does_not_take_the_shop_with_it(
    limited_app: LimitedApp,
) -> None:
    app = limited_app(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0", RATELIMIT_ANONYMOUS_ENGINE="2/hour"
    )
    client = shopper(app)
    assert [engine_call(client).status_code for _ in range(2)] == [200] * 2
    # Counted in memory meanwhile: the limit still holds.
    assert_rate_limited(engine_call(client))
