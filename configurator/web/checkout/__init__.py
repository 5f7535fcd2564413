"""Checkout and payment: orders paid exactly once, through Stripe."""

from __future__ import annotations

from flask import Blueprint, Flask

checkout_blueprint = Blueprint("checkout", __name__)

from configurator.web.checkout import views  # noqa: E402  (registers the routes on the blueprint)


def init_checkout(app: Flask) -> None:
    """Register the checkout pages, the Stripe webhook (exempt from CSRF) and `orders`."""
    from configurator.core.database import csrf
    from configurator.modules.orders.cli import orders_cli

    # Stripe signs the webhook instead; it carries no CSRF token.
    csrf.exempt(views.stripe_webhook)
    app.register_blueprint(checkout_blueprint)
    app.add_template_global(views.awaiting_payment, "orders_awaiting_payment")
    app.cli.add_command(orders_cli)


__all__ = ["checkout_blueprint", "init_checkout"]
