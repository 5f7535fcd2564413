"""`flask previews sweep`: remove the preview files that have expired."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..preview import FileStore, StoreUnavailable
from .services import settings

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
