"""The JSON API under /api, used by the configurator page and outside tools."""

from __future__ import annotations

from flask import Blueprint

api_blueprint = Blueprint("api", __name__, url_prefix="/api")

from configurator.web.api import views  # noqa: E402,F401  (registers the routes on the blueprint)
