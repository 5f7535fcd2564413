"""The app under gunicorn with several worker processes, on the test database.

For tests that need what only separate processes show: requests that really run at
once, each worker with its own connection and its own caches. ``gunicorn_shop`` starts
one per call on a free loopback port (the test binds the socket and hands it over, so
no other process can take the port meanwhile), against the database that
``database_url`` gives (a SQLite file, or a PostgreSQL schema), with the seed catalogs
imported, and stops it after the test.

``concurrently`` sends requests from several threads released together by a barrier.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from flask import Flask

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEED_CATALOGS = tuple(sorted((PROJECT_ROOT / "catalog").iterdir()))
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOOKS = Path(__file__).with_name("gunicorn_hooks.py")
READY_DIR_VARIABLE = "ATELIER_TEST_READY_DIR"  # read by gunicorn_hooks.py
START_SECONDS = 90  # two cores shared with other work: generous
STOP_SECONDS = 20
WORKER_TIMEOUT_SECONDS = 120

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

T = TypeVar("T")


def csrf_token_of(page: str) -> str:
    """The CSRF token a page carries (every page has it in a meta tag)."""
    found = CSRF_META.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class LiveShop:
    """A running gunicorn: its address, an app on the same database to look at what
    the workers stored, and the server's log (shown when a test fails)."""

    url: str
    app: Flask
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def errors_logged(self) -> list[str]:
        """Lines of the server's log that say a request failed."""
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if "Traceback" in line or "[ERROR]" in line]


class GunicornFactory:
    def __init__(self, make_app: Callable[..., Flask], database_url: str, tmp_path: Path) -> None:
        self.make_app = make_app
        self.database_url = database_url
        self.tmp_path = tmp_path
        self.shops: list[LiveShop] = []

    def __call__(
        self,
        *,
        workers: int = 3,
        catalogs: Sequence[Path] = SEED_CATALOGS,
        settings: Mapping[str, Any] | None = None,
    ) -> LiveShop:
        """Import ``catalogs``, then serve with ``workers`` processes.

        ``settings`` are app settings (STRIPE_SECRET_KEY, ...): the test's own app gets
        them as config, and the workers as environment variables, which is where
        configurator/core/config.py reads them (None leaves one unset).
        """
        settings = dict(settings or {})
        app = self.make_app(**settings)
        with app.app_context():
            db.create_all()
            for folder in catalogs:
                import_catalog(folder)
            db.session.commit()
        index = len(self.shops)
        ready_dir = self.tmp_path / f"gunicorn-{index}-ready"
        ready_dir.mkdir()
        env = {
            **os.environ,
            **{name: str(value) for name, value in settings.items() if value is not None},
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "INSTANCE_PATH": app.instance_path,
            READY_DIR_VARIABLE: str(ready_dir),
        }
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = listener.getsockname()[1]
        log = self.tmp_path / f"gunicorn-{index}.log"
        with listener, log.open("wb") as output:
            process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "--bind",
                    f"fd://{listener.fileno()}",
                    "--workers",
                    str(workers),
                    "--config",
                    str(HOOKS),
                    "--graceful-timeout",
                    "5",
                    # A worker's first page draws the product's art: slow on a busy machine.
                    "--timeout",
                    str(WORKER_TIMEOUT_SECONDS),
                    # Its default path is one per user: other servers may be using it.
                    "--no-control-socket",
                    "wsgi:app",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
            )
        shop = LiveShop(f"http://127.0.0.1:{port}", app, log, process)
        self.shops.append(shop)
        _wait_until_ready(shop, ready_dir, workers)
        return shop

    def stop_all(self) -> None:
        for shop in self.shops:
            shop.process.send_signal(signal.SIGTERM)
        for shop in self.shops:
            try:
                shop.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                shop.process.kill()
                shop.process.wait()


def _wait_until_ready(shop: LiveShop, ready_dir: Path, workers: int) -> None:
    """Until every worker has loaded the app and the shop answers."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if shop.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start-up:\n{shop.log.read_text()}")
        if len(list(ready_dir.iterdir())) >= workers:
            try:
                if requests.get(f"{shop.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start in {START_SECONDS} s:\n{shop.log.read_text()}")


@pytest.fixture
def gunicorn_shop(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path
) -> Iterator[GunicornFactory]:
    """Starts gunicorn on the test database (see GunicornFactory.__call__); stopped after."""
    factory = GunicornFactory(make_app, database_url, tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


def concurrently(count: int, send: Callable[[int], T]) -> list[T]:
    """``send(0)`` .. ``send(count - 1)``, each on its own thread, all released at once.

    Returns their results in order; re-raises the first exception one of them raised.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = send(index)
        except BaseException as error:  # handed to the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    if failures:
        raise failures[0]
    return results
