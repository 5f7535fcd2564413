"""`flask catalog import|export|lint` and `flask seed`."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..engine import Catalog, CatalogError, lint_catalog, load_catalog
from ..extensions import db
from ..preview import art_problems
from .services import export_catalog, import_catalog, is_current, publish_catalog

SEED_PRODUCTS = ("shoes", "chocolate", "jewellery")

catalog_cli = AppGroup("catalog", help="Import, export and check product catalogs.")


def _refuse(problems: list[str]) -> NoReturn:
    for problem in problems:
        click.echo(problem, err=True)
    raise SystemExit(1)


def art_problems_beside(path: Path, catalog: Catalog) -> list[str]:
    """Why the art beside a catalog folder (``<folder>/art``) cannot draw the catalog:
    files that do not load, a bad manifest, unknown attributes. Nothing without art."""
    folder = path / "art"
    if not (folder / "manifest.toml").is_file():
        return []
    return art_problems(folder, catalog)


@catalog_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def import_command(path: Path) -> None:
    """Publish PATH (a product folder or a .toml/.json file) as a new version."""
    try:
        version = import_catalog(path)
    except CatalogError as error:
        db.session.rollback()
        _refuse(error.problems)
    db.session.commit()
    click.echo(f"{version.slug} v{version.version}")


@catalog_cli.command("export")
@click.argument("slug")
def export_command(slug: str) -> None:
    """Print the current version of SLUG as TOML."""
    text = export_catalog(slug)
    if text is None:
        _refuse([f"{slug}: no such product"])
    click.echo(text, nl=False)


@catalog_cli.command("lint")
@click.argument("path", type=click.Path(path_type=Path))
def lint_command(path: Path) -> None:
    """Check PATH and print a report; exit status 1 when it has errors."""
    try:
        report = lint_catalog(path)
        if report.ok:
            report.errors.extend(art_problems_beside(path, load_catalog(path)))
    except CatalogError as error:
        _refuse(error.problems)
    click.echo(report.format())
    if not report.ok:
        raise SystemExit(1)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Import the seed catalogs that are missing or whose file changed."""
    catalog_dir = Path(current_app.config["CATALOG_DIR"])
    for name in SEED_PRODUCTS:
        folder = catalog_dir / name
        if not folder.exists():
            click.echo(f"{name}: {folder} not found, skipped", err=True)
            continue
        try:
            catalog = load_catalog(folder)
            art = art_problems_beside(folder, catalog)
            if art:
                _refuse([f"{name}: {problem}" for problem in art])
            if is_current(catalog):
                click.echo(f"{catalog.slug} unchanged")
                continue
            version = publish_catalog(catalog)
        except CatalogError as error:
            db.session.rollback()
            _refuse(error.problems)
        db.session.commit()
        click.echo(f"{version.slug} v{version.version}")
