"""`flask catalog import|export|lint` and `flask seed`."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from configurator.core.database import db
from configurator.domain.engine import Catalog, CatalogError, lint_catalog, load_catalog
from configurator.domain.rendering import art_problems
from configurator.modules.catalog.services import (
    current_version,
    export_catalog,
    import_catalog,
    is_current,
    publish_catalog,
)

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
@click.option(
    "--reset",
    metavar="PRODUCT",
    help="Also publish PRODUCT's seed catalog as its next version, replacing its current one.",
)
@with_appcontext
def seed_command(reset: str | None) -> None:
    """Import the seed catalogs of the products the shop does not have yet.

    A product that exists is kept as it is (a merchant's imports stand across restarts);
    only --reset PRODUCT publishes that product's seed catalog again, as a new version.
    """
    catalog_dir = Path(current_app.config["CATALOG_DIR"])
    seeds: list[Catalog] = []
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
            seeds.append(catalog)
        except CatalogError as error:
            _refuse(error.problems)
    slugs = [catalog.slug for catalog in seeds]
    if reset is not None and reset not in slugs:
        _refuse([f"{reset}: no seed catalog for this product (seed products: {', '.join(slugs)})"])
    for catalog in seeds:
        current = current_version(catalog.slug, read="fresh")
        if current is not None and catalog.slug != reset:
            click.echo(f"{catalog.slug} kept at v{current.version}")
            continue
        if current is not None and is_current(catalog):
            click.echo(f"{catalog.slug} v{current.version} already equals its seed catalog, kept")
            continue
        try:
            version = publish_catalog(catalog)
        except CatalogError as error:
            db.session.rollback()
            _refuse(error.problems)
        db.session.commit()
        reset_note = " (reset to its seed catalog)" if current is not None else ""
        click.echo(f"{version.slug} v{version.version}{reset_note}")
