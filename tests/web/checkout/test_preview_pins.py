"""An order's picture outlives the expiry of passing preview records."""

from __future__ import annotations

import time

from flask import Flask

from configurator.core.database import db
from configurator.domain.rendering import FileStore
from configurator.modules.catalog.engines import engine_for
from configurator.modules.catalog.services import current_version, import_catalog
from tests.web.checkout.conftest import Shopper
from tests.web.storefront.conftest import SEED_DIR

YEAR = 365 * 24 * 3600


def test_an_order_pins_its_picture_and_pin_orders_makes_it_again(
    app: Flask, shopper: Shopper
) -> None:
    with app.app_context():
        import_catalog(SEED_DIR / "jewellery")
        db.session.commit()
        version = current_version("ring")
        assert version is not None
        choices = engine_for(version).complete({"gem": "ruby"}, "cheapest")
    shopper.add_to_cart(choices, slug="ring")
    shopper.checkout()
    (line,) = shopper.order().lines
    assert line.preview_hash != line.config_hash
    store = app.extensions["atelier_previews"].store
    assert isinstance(store, FileStore)
    record = store.path(f"{line.preview_hash}.json", pinned=True)
    assert record.exists()
    store.sweep(now=time.time() + YEAR)
    assert record.exists()  # pinned when the order was made

    record.unlink()  # as after an upgrade whose first sweep removed the old records
    result = app.test_cli_runner().invoke(args=["previews", "pin-orders"])
    assert result.exit_code == 0, result.output
    assert result.output == "pinned 1 preview records of 1 order lines\n"
    assert record.exists()
    image = shopper.client.get(f"/previews/{line.preview_hash}.300.webp")
    assert image.status_code == 200 and image.content_type == "image/webp"
