"""The storefront pages: home, the configurator, saved designs, "My designs"."""

from __future__ import annotations

from flask import Blueprint, Flask, request

shop_blueprint = Blueprint("shop", __name__)

from configurator.web.storefront import views  # noqa: E402,F401  (registers the routes on the blueprint)


def init_storefront(app: Flask) -> None:
    """Register the shop and cart pages, CSRF protection for their forms, and filters."""
    from configurator.core.database import csrf
    from configurator.domain.money import format_money
    from configurator.web.api import api_blueprint
    from configurator.web.cart import cart_blueprint
    from configurator.web.storefront.views import shop_context

    # Every form post carries a CSRF token. The JSON API under /api serves non-browser
    # clients without one (the session cookie is SameSite=Lax), so it is left out.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)

    @app.before_request
    def protect_forms() -> None:
        if request.method in app.config["WTF_CSRF_METHODS"] and not (
            request.path.startswith(f"{api_blueprint.url_prefix}/")
        ):
            csrf.protect()

    app.register_blueprint(shop_blueprint)
    app.register_blueprint(cart_blueprint)
    app.add_template_filter(format_money, "money")
    app.context_processor(shop_context)
