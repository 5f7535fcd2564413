"""Fixtures shared by every test: apps on SQLite (always) and PostgreSQL (when set up).

Integration tests run once per database backend: SQLite in a temporary file always, and
PostgreSQL in a fresh schema per test when TEST_DATABASE_URL is set (CI sets it).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from configurator import create_app
from configurator.core.config import normalise_database_url
from configurator.core.database import db

# gunicorn_shop: the app under gunicorn with several workers (tests/live_server.py).
pytest_plugins = ["tests.live_server"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# -- databases -----------------------------------------------------------------------


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    return str(request.param)


def _postgres_schema_url(schema: str) -> str:
    assert TEST_DATABASE_URL
    url = make_url(normalise_database_url(TEST_DATABASE_URL))
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture
def database_url(database_backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL schema dropped after."""
    if database_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'atelier-test.db'}"
        return
    assert TEST_DATABASE_URL
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(normalise_database_url(TEST_DATABASE_URL), poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- apps ----------------------------------------------------------------------------


class AppFactory:
    """Builds apps on one database and disposes of their connections afterwards."""

    def __init__(self, database_url: str, instance_path: Path) -> None:
        self.database_url = database_url
        self.instance_path = instance_path
        self.apps: list[Flask] = []

    def __call__(self, **overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
            "INSTANCE_PATH": str(self.instance_path),
            # The suite sends requests far faster than a shopper; tests/integration/
            # test_rate_limits.py switches the limits on.
            "RATELIMIT_ENABLED": False,
            **overrides,
        }
        app = create_app(config)
        self.apps.append(app)
        return app

    def close(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Factory for apps on the test database; keyword arguments override config."""
    factory = AppFactory(database_url, tmp_path / "instance")
    yield factory
    factory.close()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        db.create_all()
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# -- browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; missing it fails under REQUIRE_BROWSER=1 and skips otherwise."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], chromium_executable: str
) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": chromium_executable,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[Flask]:
    """An app for browser tests, on its own SQLite file whatever the backend under test."""
    factory = AppFactory(f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "live-instance")
    app = factory()
    with app.app_context():
        db.create_all()
    yield app
    factory.close()


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[str]:
    """``live_app`` served over HTTP on a free local port, for the browser."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


# -- CI guard: browser tests may not be skipped when they are required ----------------

_skipped_browser_tests: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "browser" in report.keywords:
        _skipped_browser_tests.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_BROWSER and _skipped_browser_tests and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if REQUIRE_BROWSER and _skipped_browser_tests:
        terminalreporter.write_line(
            f"REQUIRE_BROWSER=1 but {len(_skipped_browser_tests)} browser test(s) were skipped",
            red=True,
        )
