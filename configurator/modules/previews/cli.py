"""`flask previews sweep` (remove expired preview files) and `flask previews pin-orders`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from configurator.core.database import db
from configurator.domain.rendering import FileStore, StoreUnavailable
from configurator.modules.previews.services import register_record, settings

previews_cli = AppGroup("previews", help="Look after the stored previews.")


@previews_cli.command("sweep")
def sweep_command() -> None:
    """Remove expired preview images and records (pinned records stay). Redis expires
    keys by itself; there is nothing to sweep."""
    store = settings().store
    if not isinstance(store, FileStore):
        click.echo("the preview store expires its keys itself: nothing to sweep")
        return
    try:
        removed = store.sweep()
    except StoreUnavailable as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(f"removed {removed.files} files ({removed.bytes} bytes) from {store.root}")


@previews_cli.command("pin-orders")
def pin_orders_command() -> None:
    """Pin the preview record of every order line, made again from the line itself.

    Orders show the picture named when they were made. Run this once after upgrading
    from a version whose records never expired (they are now swept when unused).
    """
    from configurator.modules.orders.models import (
        OrderLine,  # the orders module's rows, read here only
    )

    store = settings().store
    lines = db.session.execute(
        select(
            OrderLine.preview_hash,
            OrderLine.config_hash,
            OrderLine.product_slug,
            OrderLine.catalog_version,
            OrderLine.choices,
        )
    ).all()
    pinned = set()
    try:
        for name, config_hash, slug, version, choices in lines:
            if name == config_hash or name in pinned:
                continue  # a product without art keeps the configuration hash there
            record = {"product": slug, "version": version, "choices": choices}
            register_record(store, name, record, pinned=True)
            pinned.add(name)
    except StoreUnavailable as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(f"pinned {len(pinned)} preview records of {len(lines)} order lines")
