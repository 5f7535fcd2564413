"""`flask db upgrade` builds the schema from nothing, and the models match it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TABLES = {"product", "catalog_version", "design", "alembic_version"}


def flask(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "migration-test",
        "FLASK_APP": "wsgi",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_upgrade_creates_every_table_on_an_empty_database(
    database_url: str, tmp_path: Path
) -> None:
    upgrade = flask(database_url, tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr

    engine = create_engine(database_url, poolclass=NullPool)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables >= TABLES

    check = flask(database_url, tmp_path, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_downgrade_then_upgrade_again(database_url: str, tmp_path: Path) -> None:
    assert flask(database_url, tmp_path, "db", "upgrade").returncode == 0
    downgrade = flask(database_url, tmp_path, "db", "downgrade", "base")
    assert downgrade.returncode == 0, downgrade.stderr
    again = flask(database_url, tmp_path, "db", "upgrade")
    assert again.returncode == 0, again.stderr
