"""Atelier: a storefront for made-to-order products."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from configurator.core.config import settings_from_env
from configurator.core.database import db, migrate
from configurator.core.errors import register_error_handlers
from configurator.core.limits import init_limits
from configurator.core.security import init_security
from configurator.core.transactions import register_transaction_hooks

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says (tests use it)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    given = dict(config or {})
    instance_path = Path(
        str(given.get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or app.instance_path)
    )
    instance_path.mkdir(parents=True, exist_ok=True)
    app.instance_path = str(instance_path)
    app.config.from_mapping(settings_from_env(instance_path, given))
    app.config["CATALOG_DIR"] = app.config["CATALOG_DIR"] or str(PROJECT_ROOT / "catalog")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    init_security(app)
    register_error_handlers(app)
    register_transaction_hooks(app)
    _register_features(app)
    app.add_url_rule("/healthz", "healthz", healthz)
    init_limits(app)  # last: it wraps the views the features registered
    return app


def healthz() -> tuple[str, int, dict[str, str]]:
    """Liveness for load balancers (and the hello-world baseline of bench/http_load.py)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _register_features(app: Flask) -> None:
    # Imported here so that importing the package stays cheap and free of cycles.
    from configurator.modules.catalog.cli import catalog_cli, seed_command
    from configurator.modules.catalog.engines import init_engine_cache
    from configurator.modules.designs import models as _design_models  # noqa: F401  (tables for migrations)
    from configurator.web.api import api_blueprint
    from configurator.web.checkout import init_checkout
    from configurator.web.previews import init_previews
    from configurator.web.storefront import init_storefront

    init_engine_cache(app)
    app.register_blueprint(api_blueprint)
    init_storefront(app)
    init_checkout(app)
    init_previews(app)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(seed_command)
