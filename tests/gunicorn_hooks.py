"""Gunicorn settings for tests/live_server.py: each worker says when it has loaded the app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def post_worker_init(worker: Any) -> None:
    folder = os.environ.get("ATELIER_TEST_READY_DIR")
    if folder:
        (Path(folder) / str(os.getpid())).touch()
