"""The one place that talks to Stripe (or to localstripe, which speaks the same API).

Views and services call these few functions and see two kinds of failure: a
``PaymentDeclined`` (the card or the bank said no: show the reason, let them retry) and
a ``GatewayUnavailable`` (Stripe or the network failed: nothing is known to have
happened, so retrying with the same idempotency key is safe).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from flask import Flask, current_app

EXTENSION_KEY = "atelier_stripe"
REQUEST_TIMEOUT = 20  # seconds; the default of 80 leaves a shopper staring too long
NETWORK_RETRIES = 2  # stripe-python resends with the same Idempotency-Key


class GatewayError(Exception):
    """Base of the failures a caller turns into a message."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PaymentDeclined(GatewayError):
    """The card was declined or could not be authenticated."""


class GatewayUnavailable(GatewayError):
    """Stripe could not be reached or answered with an error of its own."""


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


def _translate(error: stripe.StripeError) -> GatewayError:
    if isinstance(error, stripe.CardError):
        message = error.user_message or "Your card was declined."
        return PaymentDeclined(message, error.code)
    current_app.logger.warning("Stripe request failed: %r", error)
    return GatewayUnavailable(
        "We could not reach our payment provider. Nothing was charged; please try again.",
        error.code,
    )


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
        raise _translate(error) from error


def retrieve_payment_intent(intent_id: str) -> stripe.PaymentIntent:
    try:
        return _client().v1.payment_intents.retrieve(
            intent_id, params={"expand": ["latest_charge"]}
        )
    except stripe.StripeError as error:
        raise _translate(error) from error


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
        return client.v1.payment_intents.confirm(
            intent_id,
            params={"expand": ["latest_charge"]},
            options={"idempotency_key": f"{attempt}-confirm"},
        )
    except stripe.StripeError as error:
        raise _translate(error) from error


def cancel_payment_intent(intent_id: str) -> None:
    try:
        _client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError as error:
        raise _translate(error) from error


def create_setup_intent() -> stripe.SetupIntent:
    """For the card-element adapter: the browser turns card details into a payment method."""
    try:
        return _client().v1.setup_intents.create(
            params={"payment_method_types": ["card"]}  # type: ignore[arg-type]
        )
    except stripe.StripeError as error:
        raise _translate(error) from error


def create_refund(intent_id: str, amount: int, *, idempotency_key: str) -> stripe.Refund:
    try:
        return _client().v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _translate(error) from error


def verified_event(payload: bytes, signature: str) -> stripe.Event:
    """The event, once its signature over the raw body checks out; raises ValueError."""
    secret = settings().webhook_secret
    if not secret:
        raise PaymentsNotConfigured("STRIPE_WEBHOOK_SECRET is not set")
    try:
        event: stripe.Event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise ValueError(f"bad signature: {error.user_message or error}") from error
    return event
