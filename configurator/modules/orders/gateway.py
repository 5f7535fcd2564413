"""The one place that talks to Stripe (or to localstripe, which speaks the same API).

Views and services call these few functions and see three kinds of failure:

- ``PaymentDeclined``: the card or the bank said no. Show the reason; they may retry.
- ``RequestRefused``: Stripe refused the request itself (an unknown or used-up payment
  method, a missing intent, an intent in a state that cannot take it). Nothing was
  done; the payment has to be started again from a fresh page.
- ``GatewayUnavailable``: Stripe or the network failed. For a request that moves
  money (a confirm, a refund) the answer may have been lost after Stripe acted
  (``outcome_unknown``): only a re-read or the webhook can tell, so never claim that
  nothing happened. Retrying with the same idempotency key is safe either way.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import stripe
from flask import Flask, current_app

from configurator.core.errors import ApiError, ErrorCode, text_fault
from configurator.modules.orders.models import (
    EVENT_REFERENCE_LENGTH,
    EVENT_TYPE_LENGTH,
    INTENT_ID_LENGTH,
)

EXTENSION_KEY = "atelier_stripe"
REQUEST_TIMEOUT = 20  # seconds; the default of 80 leaves a shopper staring too long
NETWORK_RETRIES = 2  # stripe-python resends with the same Idempotency-Key


# What a request does, which decides what may be said when it fails.
Effect = Literal["read", "prepare", "charge", "refund"]

UNREACHABLE = "We could not reach our payment provider just now. Please try again in a moment."
UNREACHABLE_NOTHING_CHARGED = (
    "We could not reach our payment provider. Nothing was charged; please try again in a moment."
)
OUTCOME_UNKNOWN = (
    "We did not hear back from our payment provider, so we cannot tell yet whether your "
    "payment went through. Please do not pay again for now: your order page shows the "
    "outcome as soon as we know, and this order is never charged twice."
)
REFUSED = (
    "This payment could not go ahead as it was started, so nothing was charged. "
    "Please reload the page and enter your card again."
)
INTENT_LOST = (
    "Our payment provider no longer knows this payment, so we cannot tell how it went. "
    "The shop has been told; please contact us about this order."
)
NOT_WORKING = (
    "Payments are not working on our side right now, so nothing was charged. "
    "Please try again later."
)

# Stripe.js and its Payment Element, per Stripe's Content-Security-Policy guide.
STRIPE_JS_SOURCES: dict[str, tuple[str, ...]] = {
    "script-src": ("https://js.stripe.com", "https://*.js.stripe.com"),
    "frame-src": ("https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"),
    "connect-src": ("https://api.stripe.com",),
    "img-src": ("https://*.stripe.com",),
}


class GatewayError(Exception):
    """Base of the failures a caller turns into a message.

    ``message`` is for the shopper; ``detail`` is Stripe's own account of it, for the
    merchant and the logs.
    """

    def __init__(self, message: str, code: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail or message


class PaymentDeclined(GatewayError):
    """The card was declined or could not be authenticated."""


class RequestRefused(GatewayError):
    """Stripe refused the request as invalid; it did nothing."""


class IntentMissing(RequestRefused):
    """Stripe does not know the PaymentIntent (its data was reset, or another account's
    key is in use): nothing can be charged through it any more."""


class GatewayUnavailable(GatewayError):
    """Stripe could not be reached, or failed on its side.

    ``outcome_unknown``: the request moves money and may have been carried out.
    """

    def __init__(
        self,
        message: str,
        code: str | None = None,
        detail: str | None = None,
        *,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message, code, detail)
        self.outcome_unknown = outcome_unknown


class PaymentsNotConfigured(GatewayError):
    pass


@dataclass(frozen=True)
class StripeSettings:
    secret_key: str
    publishable_key: str
    webhook_secret: str | None
    api_base: str | None

    @property
    def is_local(self) -> bool:
        """True against localstripe, whose Stripe.js lacks the Payment Element."""
        return self.api_base is not None

    @property
    def js_url(self) -> str:
        if self.api_base is not None:
            return f"{self.api_base.rstrip('/')}/js.stripe.com/v3/"
        return "https://js.stripe.com/v3/"

    @property
    def browser_adapter(self) -> str:
        return "card-element" if self.is_local else "payment-element"

    @property
    def browser_sources(self) -> dict[str, tuple[str, ...]]:
        """What the pay page's Content-Security-Policy must let Stripe.js load, frame
        and call: localstripe's own origin, or the hosts Stripe documents."""
        if self.api_base is None:
            return STRIPE_JS_SOURCES
        base = urlsplit(self.api_base)
        origin = (f"{base.scheme}://{base.netloc}",)
        return {"script-src": origin, "frame-src": origin, "connect-src": origin}


def settings() -> StripeSettings:
    config = current_app.config
    secret = config.get("STRIPE_SECRET_KEY")
    publishable = config.get("STRIPE_PUBLISHABLE_KEY")
    if not secret or not publishable:
        raise PaymentsNotConfigured(
            "Payments are not set up on this shop yet (no Stripe keys); please come back later."
        )
    return StripeSettings(
        secret_key=secret,
        publishable_key=publishable,
        webhook_secret=config.get("STRIPE_WEBHOOK_SECRET"),
        api_base=config.get("STRIPE_API_BASE"),
    )


def payments_configured() -> bool:
    try:
        settings()
    except PaymentsNotConfigured:
        return False
    return True


def _client() -> stripe.StripeClient:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    client = app.extensions.get(EXTENSION_KEY)
    if client is None:
        config = settings()
        options: dict[str, Any] = {}
        if config.api_base is not None:
            options["base_addresses"] = {"api": config.api_base.rstrip("/")}
        client = stripe.StripeClient(
            config.secret_key,
            max_network_retries=NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT),
            **options,
        )
        app.extensions[EXTENSION_KEY] = client
    assert isinstance(client, stripe.StripeClient)
    return client


def _translate(error: stripe.StripeError, effect: Effect) -> GatewayError:
    """Stripe's error as one of ours, with a message that claims no more than is known."""
    if isinstance(error, stripe.CardError):
        message = error.user_message or "Your card was declined."
        return PaymentDeclined(message, error.code)
    # Stripe's first sentence: the rest of a network error is advice and a traceback.
    detail = str(error.user_message or error).strip().split("\n")[0].split(".  ")[0]
    detail = detail or type(error).__name__
    if isinstance(error, stripe.InvalidRequestError | stripe.IdempotencyError):
        current_app.logger.warning("Stripe refused a request (%s): %r", effect, error)
        # Stripe says resource_missing; localstripe only answers 404.
        if error.code == "resource_missing" or error.http_status == 404:
            return IntentMissing(REFUSED, error.code or "resource_missing", detail)
        return RequestRefused(REFUSED, error.code, detail)
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        current_app.logger.error("Stripe does not accept our API key: %r", error)
        return GatewayUnavailable(NOT_WORKING, error.code, detail)
    current_app.logger.warning("Stripe request failed (%s): %r", effect, error)
    # The network, a timeout or Stripe's own failure may come after Stripe acted; a
    # rate limit turns the request away before it does anything.
    moves_money = effect in ("charge", "refund")
    unknown = moves_money and not isinstance(error, stripe.RateLimitError)
    if unknown:
        message = OUTCOME_UNKNOWN
    elif effect == "read":
        message = UNREACHABLE
    else:
        message = UNREACHABLE_NOTHING_CHARGED
    return GatewayUnavailable(message, error.code, detail, outcome_unknown=unknown)


def create_payment_intent(
    *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str
) -> stripe.PaymentIntent:
    """A PaymentIntent for ``amount`` minor units; the same key never makes a second one."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency.lower(),
        "metadata": metadata,
        "expand": ["latest_charge"],
    }
    try:
        return _client().v1.payment_intents.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _translate(error, "prepare") from error


def retrieve_payment_intent(intent_id: str) -> stripe.PaymentIntent:
    try:
        return _client().v1.payment_intents.retrieve(
            intent_id, params={"expand": ["latest_charge"]}
        )
    except stripe.StripeError as error:
        raise _translate(error, "read") from error


def confirm_with_payment_method(
    intent_id: str, payment_method: str, *, idempotency_key: str
) -> stripe.PaymentIntent:
    """Attach a payment method, then confirm (localstripe cannot do both in one call).

    The keys name the payment method: resending the same attempt replays Stripe's
    answer instead of charging again, and a new card is a new attempt.
    """
    client = _client()
    attempt = f"{idempotency_key}-{payment_method}"
    try:
        client.v1.payment_intents.update(
            intent_id,
            params={"payment_method": payment_method},
            options={"idempotency_key": f"{attempt}-attach"},
        )
    except stripe.StripeError as error:
        raise _translate(error, "prepare") from error
    try:
        return client.v1.payment_intents.confirm(
            intent_id,
            params={"expand": ["latest_charge"]},
            options={"idempotency_key": f"{attempt}-confirm"},
        )
    except stripe.StripeError as error:
        raise _translate(error, "charge") from error


def cancel_payment_intent(intent_id: str) -> None:
    try:
        _client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError as error:
        raise _translate(error, "prepare") from error


def create_setup_intent() -> stripe.SetupIntent:
    """For the card-element adapter: the browser turns card details into a payment method."""
    try:
        return _client().v1.setup_intents.create(
            params={"payment_method_types": ["card"]}  # type: ignore[arg-type]
        )
    except stripe.StripeError as error:
        raise _translate(error, "prepare") from error


# The refund's own idempotency key, kept on it: a retry after a lost answer finds it.
REFUND_KEY_METADATA = "atelier_refund_key"


def create_refund(intent_id: str, amount: int, *, idempotency_key: str) -> stripe.Refund:
    try:
        return _client().v1.refunds.create(
            params={
                "payment_intent": intent_id,
                "amount": amount,
                "metadata": {REFUND_KEY_METADATA: idempotency_key},
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _translate(error, "refund") from error


def list_refunds(intent_id: str) -> list[stripe.Refund]:
    """Every refund of the intent's payment, whatever its status (at most 100)."""
    try:
        page = _client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100})
    except stripe.StripeError as error:
        raise _translate(error, "read") from error
    return list(page.data)


# How far a signed timestamp may lie in the past (Stripe's own default) and ahead of
# our clock: further ahead is no clock skew but a signature made for later use.
SIGNATURE_TOLERANCE_SECONDS = stripe.Webhook.DEFAULT_TOLERANCE
FUTURE_TOLERANCE_SECONDS = 300


class WebhookRefused(ApiError):
    """A delivery to the webhook that is not acted on, answered with the error envelope:
    400 for one that is not a signed, well-formed event (Stripe does not send it again),
    503 for one the shop cannot take now (Stripe sends it again later)."""


@dataclass(frozen=True)
class WebhookEvent:
    """A signed event, of a shape that is safe to read and store: what it says of the
    thing it is about (``data.object``) that the shop uses. ``intent_id`` is the
    PaymentIntent it concerns, when it names one (a payment intent, or a charge or
    refund of one)."""

    id: str
    type: str
    intent_id: str | None
    amount: int | None


def _malformed(message: str, field: str | None = None) -> WebhookRefused:
    return WebhookRefused(400, ErrorCode.MALFORMED_EVENT, message, field)


def _text_field(value: Any, field: str, longest: int) -> str:
    if not isinstance(value, str) or not value:
        raise _malformed(f"{field} must be a non-empty string.", field)
    if len(value) > longest:
        raise _malformed(f"{field} is longer than {longest} characters.", field)
    fault = text_fault(value)
    if fault is not None:
        raise _malformed(f"{field} {fault}.", field)
    return value


def _intent_of(obj: dict[str, Any]) -> str | None:
    kind = obj.get("object")
    if kind == "payment_intent":
        return _text_field(obj.get("id"), "data.object.id", INTENT_ID_LENGTH)
    if kind in ("charge", "refund") and obj.get("payment_intent") is not None:
        return _text_field(obj["payment_intent"], "data.object.payment_intent", INTENT_ID_LENGTH)
    return None


def webhook_event(body: Any) -> WebhookEvent:
    """The event in a verified body, once everything read from it has the right shape;
    raises WebhookRefused (400, ``malformed_event``, naming the field) otherwise."""
    if not isinstance(body, dict):
        raise _malformed("The event must be a JSON object.")
    event_id = _text_field(body.get("id"), "id", EVENT_REFERENCE_LENGTH)
    event_type = _text_field(body.get("type"), "type", EVENT_TYPE_LENGTH)
    data = body.get("data")
    if not isinstance(data, dict):
        raise _malformed("data must be an object.", "data")
    obj = data.get("object")
    if not isinstance(obj, dict):
        raise _malformed("data.object must be an object.", "data.object")
    amount = obj.get("amount")
    return WebhookEvent(
        id=event_id,
        type=event_type,
        intent_id=_intent_of(obj),
        amount=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
    )


def _signed_at(header: str) -> int:
    """The header's timestamp, read as stripe-python reads it (the first ``t=``)."""
    items = [item.split("=", 2) for item in header.split(",")]
    return int(next(item[1] for item in items if item[0] == "t"))


def verified_event(payload: bytes, signature: str) -> WebhookEvent:
    """The event, once its signature over the raw body checks out, it was signed
    neither too long ago nor for later, and its shape is one we can read.

    Raises WebhookRefused: 400 ``invalid_signature`` or ``malformed_event``, 503
    ``payments_not_configured`` without a webhook secret.
    """
    try:
        secret = settings().webhook_secret
    except PaymentsNotConfigured as error:
        raise WebhookRefused(503, ErrorCode.PAYMENTS_NOT_CONFIGURED, error.message) from error
    if not secret:
        raise WebhookRefused(
            503, ErrorCode.PAYMENTS_NOT_CONFIGURED, "STRIPE_WEBHOOK_SECRET is not set."
        )
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("The body is not UTF-8 text.") from None
    try:
        stripe.WebhookSignature.verify_header(
            text, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        message = f"The signature does not verify: {error.user_message or error}"
        raise WebhookRefused(
            400, ErrorCode.INVALID_SIGNATURE, message, "Stripe-Signature"
        ) from error
    if _signed_at(signature) > time.time() + FUTURE_TOLERANCE_SECONDS:
        raise WebhookRefused(
            400,
            ErrorCode.INVALID_SIGNATURE,
            f"The signature's timestamp is more than {FUTURE_TOLERANCE_SECONDS} s ahead.",
            "Stripe-Signature",
        )
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise _malformed(f"The body is not valid JSON: {error}") from None
    return webhook_event(body)
