"""Checkout pages, the private order page, the payment endpoints and the Stripe webhook."""

from __future__ import annotations

from typing import Any, NamedTuple

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

from configurator.core.errors import (
    CSRF_FAILED,
    ApiError,
    ErrorCode,
    NextStep,
    error_response,
    handle_csrf_error,
)
from configurator.core.identity import shopper_token
from configurator.core.security import allow_sources
from configurator.modules.orders import gateway
from configurator.modules.orders.models import Order
from configurator.modules.orders.services import (
    CheckoutError,
    apply_event,
    can_pay,
    can_return_to_cart,
    create_order,
    order_from_token,
    order_token,
    orders_awaiting_payment,
    pay_with_payment_method,
    prepare_payment,
    quote_cart,
    reconcile_payment,
    return_to_cart,
    start_card_setup,
)
from configurator.modules.orders.status import PaymentStatus
from configurator.web.api.models import CardSetup, ConfirmRequest, OrderStatus, WebhookReceipt
from configurator.web.api.models import PaymentAttempt as PaymentAttemptAnswer
from configurator.web.api.spec import operation
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


def _order_or_json_404(token: str) -> Order:
    """As _order_or_404 for the JSON endpoints: the envelope, whatever the Accept."""
    order = order_from_token(token)
    if order is None:
        raise ApiError(404, ErrorCode.NOT_FOUND, "There is no such order.")
    return order


# What the payment endpoints answer with the envelope: a stale CSRF token or a card that
# could not be read (400), no such order (404), not payable or refused (409), Stripe
# out of reach or its answer not known (503).
PAYMENT_ERRORS = (400, 404, 409, 503)
JSON_ENDPOINTS = frozenset({"checkout.setup_intent", "checkout.confirm", "checkout.order_status"})
CARD_UNREADABLE = "That card could not be read; please enter it again."


def _error_json(
    status: int,
    message: str,
    code: ErrorCode = ErrorCode.BAD_REQUEST,
    action: NextStep = NextStep.RETRY,
) -> Response:
    """An error for checkout.js, in the one envelope with what the shopper can do next
    (``action``): retry, reload the page (to start the payment again) or look at the
    order page (the outcome is not known yet, and paying again is not what they need)."""
    return error_response(status, code, message, action=action)


def _gateway_error_json(error: gateway.GatewayError) -> Response:
    if isinstance(error, gateway.RequestRefused):
        return _error_json(409, error.message, ErrorCode.PAYMENT_REFUSED, NextStep.RELOAD)
    if isinstance(error, gateway.GatewayUnavailable) and error.outcome_unknown:
        return _error_json(503, error.message, ErrorCode.OUTCOME_UNKNOWN, NextStep.ORDER)
    return _error_json(503, error.message, ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE)


def _refuse_unreadable_card(_request: object, _response: object, error: object, *_: object) -> None:
    """A confirm body without a usable ``payment_method``: the card form asks again."""
    if error is not None:
        raise _CardUnreadable()


class _CardUnreadable(Exception):
    pass


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


class AwaitingOrder(NamedTuple):
    order: Order
    token: str  # its private link's
    returnable: bool


def awaiting_payment() -> list[AwaitingOrder]:
    """The current shopper's orders waiting for payment (a template global: the cart
    and checkout pages show them, with a link to pay and a way back to the cart)."""
    token = shopper_token(create=False)
    orders = orders_awaiting_payment(token) if token else []
    return [AwaitingOrder(order, order_token(order), can_return_to_cart(order)) for order in orders]


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
    if request.endpoint in JSON_ENDPOINTS:
        return error_response(400, ErrorCode.CSRF_FAILED, CSRF_FAILED, action=NextStep.RELOAD)
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


@bp.post("/orders/<token>/return-to-cart")
def return_order_to_cart(token: str) -> Response:
    """The button beside an order waiting for payment: its lines go back in the cart."""
    order = _order_or_404(token)
    if order.owner_token is None or order.owner_token != shopper_token(create=False):
        abort(404, "There is no such order in your cart's history.")
    try:
        returned = return_to_cart(order)
    except gateway.GatewayError as error:
        flash(f"{error.message} Your items are still in order {order.id}.", "error")
        return redirect(url_for("cart.show"), 303)
    except CheckoutError as error:
        flash(error.message, "error")
        return redirect(url_for("checkout.order_page", token=token), 303)
    if returned:
        flash(
            f"The items of order {order.id} are back in your cart; the order is cancelled.",
            "success",
        )
    else:
        flash(f"The items of order {order.id} are already back in your cart.", "success")
    return redirect(url_for("cart.show"), 303)


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


@bp.errorhandler(_CardUnreadable)
def card_unreadable(_error: _CardUnreadable) -> Response:
    return _error_json(400, CARD_UNREADABLE)


@bp.post("/orders/<token>/setup-intent")
@operation("startCardSetup", ok=CardSetup, errors=PAYMENT_ERRORS)
def setup_intent(token: str) -> Response:
    """Start a card setup (card-element adapter only)

    A SetupIntent whose confirmation tokenises the card.
    """
    order = _order_or_json_404(token)
    if not can_pay(order):
        return _error_json(
            409, "This order is not waiting for a payment.", ErrorCode.NOT_PAYABLE, NextStep.ORDER
        )
    try:
        return jsonify({"client_secret": start_card_setup()})
    except gateway.GatewayError as error:
        return _gateway_error_json(error)


@bp.post("/orders/<token>/confirm")
@operation(
    "confirmPayment",
    ok=PaymentAttemptAnswer,
    errors=PAYMENT_ERRORS,
    before=_refuse_unreadable_card,
)
def confirm(token: str, json: ConfirmRequest) -> Response:
    """Charge the order with the tokenised card (card-element adapter)

    The amount is the order's own, fixed when its intent was created: nothing in this
    request can change it.
    """
    order = _order_or_json_404(token)
    try:
        attempt = pay_with_payment_method(order, json.payment_method)
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
@operation("getOrderStatus", ok=OrderStatus, errors=(404,))
def order_status(token: str) -> Response:
    """The order's status and payment status (the order page polls it)"""
    order = _order_or_json_404(token)
    return jsonify(
        {
            "status": order.status.value,
            "payment_status": order.payment_status.value,
            "label": order.payment_label,
        }
    )


@bp.post(WEBHOOK_PATH)
@operation("receiveStripeEvent", ok=WebhookReceipt, errors=(400, 413, 503))
def stripe_webhook() -> tuple[Response, int]:
    """Receive a signed Stripe event

    The body is a Stripe event, signed in the Stripe-Signature header; it is read only
    once that signature holds (so no model checks it beforehand). Acted on once per
    event id. 400: a bad signature (invalid_signature) or an event of the wrong shape
    (malformed_event, naming the field); 503: payments not configured, or Stripe out of
    reach (sent again later).
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
            503,
            ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
            "Stripe could not be reached; try again later.",
        ) from error
    return jsonify({"received": event.id, "outcome": outcome}), 200
