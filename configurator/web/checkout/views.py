"""Checkout pages, the private order page, the payment endpoints and the Stripe webhook."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from configurator.core.errors import handle_csrf_error
from configurator.core.identity import shopper_token
from configurator.core.security import allow_sources
from configurator.modules.orders import gateway
from configurator.modules.orders.models import Order
from configurator.modules.orders.services import (
    CheckoutError,
    apply_event,
    can_pay,
    create_order,
    order_from_token,
    order_token,
    pay_with_payment_method,
    prepare_payment,
    quote_cart,
    reconcile_payment,
    start_card_setup,
)
from configurator.modules.orders.status import PaymentStatus
from configurator.web.checkout import checkout_blueprint as bp
from configurator.web.checkout.forms import CheckoutForm, country_name

# Under /api: like the JSON API it serves a non-browser client, which signs its
# requests instead of sending a CSRF token.
WEBHOOK_PATH = "/api/webhooks/stripe"
# While Stripe has not confirmed yet, the order page looks again by itself.
REFRESH_SECONDS = 2


def _order_or_404(token: str) -> Order:
    order = order_from_token(token)
    if order is None:
        abort(404, "There is no such order. Check the link from your confirmation.")
    return order


def _error_json(
    status: int, message: str, code: str = "bad_request", action: str = "retry"
) -> tuple[Response, int]:
    """An error for checkout.js. ``action`` says what the shopper can do next: "retry",
    "reload" (the page, to start the payment again) or "order" (look at the order
    page: the outcome is not known yet, and paying again is not what they need)."""
    return jsonify({"error": {"code": code, "message": message, "action": action}}), status


def _gateway_error_json(error: gateway.GatewayError) -> tuple[Response, int]:
    if isinstance(error, gateway.RequestRefused):
        return _error_json(409, error.message, "payment_refused", "reload")
    if isinstance(error, gateway.GatewayUnavailable) and error.outcome_unknown:
        return _error_json(503, error.message, "outcome_unknown", "order")
    return _error_json(503, error.message, "payment_provider_unavailable")


def _checkout_page(form: CheckoutForm, status: int) -> tuple[str, int]:
    token = shopper_token()
    assert token is not None
    page = render_template(
        "checkout/checkout.html",
        form=form,
        quote=quote_cart(token),
        configured=gateway.payments_configured(),
    )
    return page, status


@bp.route("/checkout", methods=["GET", "POST"])
def checkout() -> tuple[str, int] | Response:
    token = shopper_token()
    assert token is not None
    form = CheckoutForm()
    if form.validate_on_submit() and gateway.payments_configured():
        try:
            order = create_order(token, form.contact(), form.checkout_key.data)
        except CheckoutError:
            pass  # an empty cart or lines that cannot be bought: the page shows which
        else:
            return redirect(url_for("checkout.pay", token=order_token(order)), code=303)
    return _checkout_page(form, 422 if request.method == "POST" else 200)


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> tuple[str, int] | Response:
    """A stale or missing CSRF token: the checkout form comes back with what was typed
    and a fresh token; the JSON endpoints answer JSON that says to reload."""
    if request.endpoint != "checkout.checkout":
        return handle_csrf_error(error)
    form = CheckoutForm()  # what was sent, and a fresh token when rendered
    flash(
        "Your session had expired, so we could not take this form yet. Your details are "
        "still here: please check them and continue again.",
        "error",
    )
    return _checkout_page(form, 400)


@bp.get("/orders/<token>")
def order_page(token: str) -> str:
    order = _order_or_404(token)
    unavailable = None
    try:
        reconcile_payment(order)
    except gateway.IntentMissing:
        # The pay page makes a fresh intent; an order that cannot be paid again is stuck.
        if not can_pay(order):
            current_app.logger.error("order %s: Stripe no longer knows its intent", order.id)
            unavailable = gateway.INTENT_LOST
    except gateway.GatewayError as error:
        unavailable = error.message
    waiting = order.payment_status in (PaymentStatus.PROCESSING,)
    return render_template(
        "checkout/order.html",
        order=order,
        token=token,
        unavailable=unavailable,
        can_pay=can_pay(order),
        country_name=country_name(order.shipping_country),
        refresh=REFRESH_SECONDS if waiting else None,
    )


@bp.get("/orders/<token>/pay")
def pay(token: str) -> str | Response:
    order = _order_or_404(token)
    if not can_pay(order):
        return redirect(url_for("checkout.order_page", token=token))
    context: dict[str, Any] = {"order": order, "token": token, "unavailable": None}
    try:
        stripe_settings = gateway.settings()
        intent = prepare_payment(order)
    except gateway.GatewayError as error:
        context["unavailable"] = error.message
        return render_template("checkout/pay.html", **context), 503  # type: ignore[return-value]
    if not can_pay(order):
        return redirect(url_for("checkout.order_page", token=token))
    if intent is None:  # another request gave the order a new intent: read it again
        return redirect(url_for("checkout.pay", token=token))
    if stripe_settings.browser_adapter == "payment-element":
        context["client_secret"] = intent.client_secret
    context["stripe"] = stripe_settings
    allow_sources(stripe_settings.browser_sources)
    return render_template("checkout/pay.html", **context)


@bp.post("/orders/<token>/setup-intent")
def setup_intent(token: str) -> Response | tuple[Response, int]:
    """Card-element adapter only: a SetupIntent whose confirmation tokenises the card."""
    order = _order_or_404(token)
    if not can_pay(order):
        return _error_json(409, "This order is not waiting for a payment.", "not_payable", "order")
    try:
        return jsonify({"client_secret": start_card_setup()})
    except gateway.GatewayError as error:
        return _gateway_error_json(error)


@bp.post("/orders/<token>/confirm")
def confirm(token: str) -> Response | tuple[Response, int]:
    """Card-element adapter: charge the order's own intent with the tokenised card.

    The amount is the order's, fixed when the intent was created: nothing in this
    request can change it.
    """
    order = _order_or_404(token)
    body = request.get_json(silent=True)
    payment_method = body.get("payment_method") if isinstance(body, dict) else None
    if not isinstance(payment_method, str):
        return _error_json(400, "That card could not be read; please enter it again.")
    try:
        attempt = pay_with_payment_method(order, payment_method)
    except CheckoutError as error:
        return _error_json(400, error.message)
    except gateway.GatewayError as error:
        return _gateway_error_json(error)
    return jsonify(
        {
            "status": attempt.status.value,
            "message": attempt.message,
            "client_secret": attempt.client_secret,
            "order_url": url_for("checkout.order_page", token=token),
            "action": "stop" if attempt.refused else None,
        }
    )


@bp.get("/orders/<token>/status")
def order_status(token: str) -> Response:
    order = _order_or_404(token)
    return jsonify(
        {
            "status": order.status.value,
            "payment_status": order.payment_status.value,
            "label": order.payment_label,
        }
    )


@bp.post(WEBHOOK_PATH)
def stripe_webhook() -> tuple[Response, int]:
    """Verify the signature on the raw body, act once per event id, answer 200.

    Anything else is answered with the error envelope (``gateway.WebhookRefused``).
    """
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = gateway.verified_event(request.get_data(), signature)
    except gateway.WebhookRefused as refused:
        current_app.logger.warning("Refused a Stripe webhook: %s", refused.message)
        raise
    try:
        outcome = apply_event(event)
    except gateway.GatewayError as error:
        # Not recorded: Stripe delivers it again, and we re-read the intent then.
        current_app.logger.warning("Webhook %s deferred: %s", event.id, error.message)
        raise gateway.WebhookRefused(
            503, "payment_provider_unavailable", "Stripe could not be reached; try again later."
        ) from error
    return jsonify({"received": event.id, "outcome": outcome}), 200
