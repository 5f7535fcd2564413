"""The shopper's cart: lines of configured products, re-checked at every view."""

from __future__ import annotations

from flask import Blueprint

cart_blueprint = Blueprint("cart", __name__, url_prefix="/cart")

from configurator.web.cart import views  # noqa: E402,F401  (registers the routes on the blueprint)
