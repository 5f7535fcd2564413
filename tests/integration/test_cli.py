"""`flask catalog import|export|lint` and `flask seed` through Flask's CLI runner."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from configurator.core.database import db
from configurator.domain.engine import catalog_to_document, load_catalog, parse_catalog
from configurator.modules.catalog.models import CatalogVersion, Product
from configurator.modules.catalog.services import current_version
from tests.catalogs import tee_document, write_catalog


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


def test_seed_imports_only_the_products_the_shop_lacks(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    seed_dir = tmp_path / "seed"
    for folder, slug in [("shoes", "s"), ("chocolate", "c"), ("jewellery", "j")]:
        write_catalog(seed_dir / folder, tee_document(slug=slug, name=f"Product {slug}"))
    app = make_app(CATALOG_DIR=str(seed_dir))
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    own = write_catalog(tmp_path / "own", tee_document(slug="c", name="The merchant's own"))
    assert runner.invoke(args=["catalog", "import", str(own)]).stdout == "c v1\n"

    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == ["s v1", "c kept at v1", "j v1"]

    # A seed file that changed is no reason to publish over what the shop has.
    write_catalog(seed_dir / "shoes", tee_document(slug="s", name="Better shoes"))
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == ["s kept at v1", "c kept at v1", "j kept at v1"]
    assert version_count(app) == 3
    with app.app_context():
        assert current_version("c").document["product"]["name"] == "The merchant's own"


SEED_DIR = Path(__file__).resolve().parents[2] / "catalog"


def test_a_merchants_import_stands_across_a_restart_until_an_explicit_reset(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(CATALOG_DIR=str(SEED_DIR))
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed"]).stdout.splitlines()[0] == "sneaker v1"
    seed_document = catalog_to_document(load_catalog(SEED_DIR / "shoes"))
    edited = tomllib.loads(runner.invoke(args=["catalog", "export", "sneaker"]).stdout)
    edited["product"]["name"] = "Porto Sneaker"
    edited["product"]["base_price"] += 1000
    edited_file = tmp_path / "edited.toml"
    edited_file.write_text(tomli_w.dumps(edited))
    assert runner.invoke(args=["catalog", "import", str(edited_file)]).stdout == "sneaker v2\n"

    # `make run` again: a new process seeds the same database.
    restarted = make_app(CATALOG_DIR=str(SEED_DIR)).test_cli_runner()
    seeded = restarted.invoke(args=["seed"])
    assert seeded.exit_code == 0, seeded.output
    assert "sneaker kept at v2" in seeded.stdout.splitlines()
    exported = restarted.invoke(args=["catalog", "export", "sneaker"]).stdout
    assert tomllib.loads(exported) == edited

    reset = restarted.invoke(args=["seed", "--reset", "sneaker"])
    assert reset.exit_code == 0, reset.output
    assert reset.stdout.splitlines() == [
        "sneaker v3 (reset to its seed catalog)",
        "chocolate-bar kept at v1",
        "ring kept at v1",
    ]
    exported = restarted.invoke(args=["catalog", "export", "sneaker"]).stdout
    assert tomllib.loads(exported) == seed_document
    with app.app_context():
        versions = db.session.scalars(
            select(CatalogVersion).join(Product).where(Product.slug == "sneaker")
        ).all()
        assert {v.version: v.document for v in versions} == {
            1: seed_document,
            2: edited,
            3: seed_document,
        }

    # Resetting what already is the seed catalog publishes nothing more.
    again = restarted.invoke(args=["seed", "--reset", "sneaker"])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == "sneaker v3 already equals its seed catalog, kept"
    assert version_count(app) == 5


def test_seed_reset_of_an_unknown_product_fails_and_imports_nothing(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(CATALOG_DIR=str(SEED_DIR))
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["seed", "--reset", "tshirt"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("tshirt: no seed catalog for this product")
    assert "sneaker" in result.stderr
    assert version_count(app) == 0
