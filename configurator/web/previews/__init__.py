"""Serving previews over HTTP: content-addressed URLs, drawn once, cached for a year.

The drawing itself is ``configurator.domain.rendering`` (pure Pillow); this package knows the
request, the database and where images are kept.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Flask

preview_blueprint = Blueprint("previews", __name__)


def init_previews(app: Flask) -> None:
    from configurator.modules.previews.cli import previews_cli
    from configurator.modules.previews.services import PreviewSettings, preview_src
    from configurator.web.previews import views  # noqa: F401  (routes)

    settings = PreviewSettings.from_app(app)
    app.extensions["atelier_previews"] = settings
    app.add_template_global(preview_src)
    app.register_blueprint(preview_blueprint)
    app.cli.add_command(previews_cli)
    if app.config.get("PREVIEW_WARM", not app.testing):
        # Decoding and sizing a product's art takes seconds: do it before the first
        # shopper asks, beside the server rather than inside a request.
        threading.Thread(target=settings.warm, args=(app,), daemon=True).start()
