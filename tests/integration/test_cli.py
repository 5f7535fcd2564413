"""`flask catalog import|export|lint` and `flask seed` through Flask's CLI runner."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from configurator.engine import catalog_to_document, load_catalog, parse_catalog
from configurator.extensions import db
from configurator.products.models import CatalogVersion, Product

from ..catalogs import tee_document, write_catalog


def version_count(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(CatalogVersion)).scalar_one()


@pytest.mark.parametrize("fmt", ["folder", "toml", "json"])
def test_import_prints_slug_and_version(
    runner: FlaskCliRunner, catalog_path: Callable[..., Path], fmt: str
) -> None:
    result = runner.invoke(args=["catalog", "import", str(catalog_path(fmt=fmt))])
    assert result.exit_code == 0, result.output
    assert result.stdout == "tee v1\n"


def test_second_import_is_the_next_version(
    app: Flask, runner: FlaskCliRunner, catalog_path: Callable[..., Path]
) -> None:
    path = catalog_path()
    runner.invoke(args=["catalog", "import", str(path)])
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.stdout == "tee v2\n"
    assert version_count(app) == 2


def test_export_then_import_gives_an_equal_catalog(
    runner: FlaskCliRunner, catalog_path: Callable[..., Path], tmp_path: Path
) -> None:
    original = load_catalog(catalog_path())
    runner.invoke(args=["catalog", "import", str(catalog_path())])
    exported = runner.invoke(args=["catalog", "export", "tee"])
    assert exported.exit_code == 0
    exported_file = tmp_path / "exported.toml"
    exported_file.write_text(exported.stdout)

    reimported = runner.invoke(args=["catalog", "import", str(exported_file)])
    assert reimported.stdout == "tee v2\n"
    assert load_catalog(exported_file) == original
    assert parse_catalog(tomllib.loads(exported.stdout)) == original
    assert tomllib.loads(exported.stdout) == catalog_to_document(original)


def test_export_of_an_unknown_product_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["catalog", "export", "nothing"])
    assert result.exit_code == 1
    assert "nothing" in result.stderr
    assert result.stdout == ""


def broken_document() -> dict[str, object]:
    document = tee_document()
    document["rules"] = [
        {"id": "bad-option", "kind": "constraint", "expr": "colour = 'purple'"},
        {"id": "bad-attribute", "kind": "requires", "when": "fabric = 'silk'", "then": "true"},
    ]
    return document


def test_invalid_catalog_is_refused_with_one_line_per_problem(
    app: Flask, runner: FlaskCliRunner, catalog_path: Callable[..., Path]
) -> None:
    result = runner.invoke(args=["catalog", "import", str(catalog_path(broken_document()))])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 2
    assert any("bad-option" in line for line in lines)
    assert any("bad-attribute" in line for line in lines)
    assert version_count(app) == 0
    with app.app_context():
        assert db.session.execute(select(Product)).first() is None


def test_unsatisfiable_catalog_imports_nothing(
    app: Flask, runner: FlaskCliRunner, catalog_path: Callable[..., Path]
) -> None:
    document = tee_document()
    document["rules"] = [
        {"id": "never-white", "kind": "constraint", "expr": "colour != 'white'"},
        {"id": "never-black", "kind": "constraint", "expr": "colour != 'black'"},
    ]
    result = runner.invoke(args=["catalog", "import", str(catalog_path(document))])
    assert result.exit_code == 1
    assert result.stderr.strip()
    assert version_count(app) == 0


def test_missing_path_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["catalog", "import", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.stderr.strip()


def test_lint_of_a_good_catalog_passes(
    runner: FlaskCliRunner, catalog_path: Callable[..., Path]
) -> None:
    result = runner.invoke(args=["catalog", "lint", str(catalog_path())])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()


def test_lint_of_a_broken_catalog_fails(
    runner: FlaskCliRunner, catalog_path: Callable[..., Path]
) -> None:
    result = runner.invoke(args=["catalog", "lint", str(catalog_path(broken_document()))])
    assert result.exit_code == 1
    assert "bad-option" in result.output


def test_seed_imports_missing_and_changed_products_only(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    seed_dir = tmp_path / "seed"
    for folder, slug in [("shoes", "s"), ("chocolate", "c"), ("jewellery", "j")]:
        write_catalog(seed_dir / folder, tee_document(slug=slug, name=f"Product {slug}"))
    app = make_app(CATALOG_DIR=str(seed_dir))
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == ["s v1", "c v1", "j v1"]

    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0
    assert "v2" not in again.stdout

    write_catalog(seed_dir / "chocolate", tee_document(slug="c", name="Better chocolate"))
    changed = runner.invoke(args=["seed"])
    assert "c v2" in changed.stdout.splitlines()
    assert version_count(app) == 4
