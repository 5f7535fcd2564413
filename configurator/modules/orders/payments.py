"""The pay page and the card-element path: confirm the order's own intent with a card."""

from __future__ import annotations

import re
from dataclasses import dataclass

import stripe
from flask import current_app

from configurator.modules.orders import gateway
from configurator.modules.orders.intents import (
    create_intent_for,
    ensure_payment_intent,
    intent_mismatch,
    record_new_intent,
    renew_lost_intent,
    replace_payment_intent,
    sync_with_intent,
)
from configurator.modules.orders.ledger import already_recorded, record_event
from configurator.modules.orders.locks import lock_order
from configurator.modules.orders.models import Order
from configurator.modules.orders.orders import CheckoutError, can_pay, order_key, set_payment_status
from configurator.modules.orders.reconcile import reconcile_with_intent
from configurator.modules.orders.status import (
    PaymentStatus,
)

PAYMENT_METHOD_ID = re.compile(r"pm_[A-Za-z0-9_]{1,250}")


def _cannot_be_confirmed_again(intent: stripe.PaymentIntent) -> bool:
    """Whether a new attempt needs a new intent.

    A cancelled intent is finished. And localstripe (unlike Stripe) cannot confirm an
    intent again once a charge on it was declined (measured; see docs/payments.md).
    """
    if intent.status == "canceled":
        return True
    charge = intent.latest_charge
    return (
        gateway.settings().is_local
        and intent.status == "requires_payment_method"
        and isinstance(charge, stripe.Charge)
        and charge.status == "failed"
    )


def prepare_payment(order: Order) -> stripe.PaymentIntent | None:
    """Before the pay page: the order's intent exists at Stripe and the order says
    what Stripe knows of it (a lost intent is renewed, see ``renew_lost_intent``).

    Every call to Stripe comes before the order is locked. Returns the intent the
    page pays through, or None when the order moved to another intent meanwhile (a
    request of the same order's; the page reads again).
    """
    if order.payment_intent_id is None:
        generation = order.intent_generation
        intent = create_intent_for(order, generation)
        return intent if record_new_intent(order, intent, generation) else None
    known = order.payment_intent_id
    try:
        intent = gateway.retrieve_payment_intent(known)
    except gateway.IntentMissing:
        return renew_lost_intent(order, known)
    reconcile_with_intent(order, intent)
    return intent if order.payment_intent_id == intent.id else None


@dataclass(frozen=True)
class PaymentAttempt:
    status: PaymentStatus
    message: str | None = None
    client_secret: str | None = None  # when the bank asks for 3-D Secure
    refused: bool = False  # the server would not charge; trying again will not help


def _payment_method_of(intent: stripe.PaymentIntent) -> str | None:
    method = intent.payment_method
    if isinstance(method, stripe.PaymentMethod):
        return str(method.id)
    return str(method) if method else None


# Said when the server will not confirm an intent that does not match its order.
REFUSED_MISMATCH = (
    "We stopped this payment before charging your card: what our payment provider holds "
    "for it does not match order {order_id}. Nothing was charged. The shop has been told; "
    "please contact us about this order."
)


def _refuse_mismatch(order: Order, intent: stripe.PaymentIntent, problem: str) -> PaymentAttempt:
    """Never confirm an intent that is not exactly this order's: log it, tell the shopper."""
    current_app.logger.error("order %s: refused to confirm %s: %s", order.id, intent.id, problem)
    reference = f"refused-confirm-{intent.id}"
    if not already_recorded(reference):
        record_event(
            reference, "confirm_refused", order, intent.id, intent.amount, f"refused: {problem}"
        )
    message = REFUSED_MISMATCH.format(order_id=order.id)
    return PaymentAttempt(order.payment_status, message, refused=True)


def pay_with_payment_method(order: Order, payment_method: str) -> PaymentAttempt:
    """Confirm the order's intent with a card the browser tokenised (card-element path).

    The card given is the one charged: an intent still waiting for an earlier card's
    3-D Secure check is cancelled (so that check can no longer charge) and a new one
    takes this card. An intent that already succeeded or is processing is never
    confirmed again, nor one whose amount, currency or order differs from this
    order's. Raises CheckoutError for a malformed payment method, and the gateway's
    errors when Stripe refuses or cannot be reached.
    """
    if not PAYMENT_METHOD_ID.fullmatch(payment_method):
        raise CheckoutError("That card could not be read; please enter it again.")
    lock_order(order)
    if not can_pay(order):
        return PaymentAttempt(order.payment_status, order.payment_error)
    intent = gateway.retrieve_payment_intent(ensure_payment_intent(order))
    problem = intent_mismatch(order, intent)
    if problem is not None:
        return _refuse_mismatch(order, intent, problem)
    if intent.status == "requires_action" and _payment_method_of(intent) != payment_method:
        intent = replace_payment_intent(order, intent)  # a new card after an abandoned check
    elif _cannot_be_confirmed_again(intent):
        intent = replace_payment_intent(order, intent)
    if intent.status in ("requires_payment_method", "requires_confirmation"):
        problem = intent_mismatch(order, intent)
        if problem is not None:
            return _refuse_mismatch(order, intent, problem)
        try:
            intent = _confirm(order, intent, payment_method)
        except gateway.PaymentDeclined as declined:
            set_payment_status(order, PaymentStatus.FAILED, declined.message)
            return PaymentAttempt(PaymentStatus.FAILED, declined.message)
    sync_with_intent(order, intent, verified=False)
    if intent.status == "requires_action":
        return PaymentAttempt(PaymentStatus.REQUIRES_ACTION, client_secret=intent.client_secret)
    return PaymentAttempt(order.payment_status, order.payment_error)


def _charge_id(intent: stripe.PaymentIntent) -> str | None:
    charge = intent.latest_charge
    if isinstance(charge, stripe.Charge):
        return str(charge.id)
    return str(charge) if charge else None


def _confirm(
    order: Order, intent: stripe.PaymentIntent, payment_method: str
) -> stripe.PaymentIntent:
    """Confirm the intent with the card; when that fails, the intent says what happened.

    A confirm whose answer was lost may have charged, and a confirm Stripe refused may
    be the repeat of one that went through (localstripe ignores idempotency keys): so
    the intent is read again, and if it moved on, that is the answer. If it did not,
    nothing was charged and the shopper may say so.
    """
    try:
        return gateway.confirm_with_payment_method(
            intent.id, payment_method, idempotency_key=f"{order_key(order)}-{intent.id}"
        )
    except (gateway.RequestRefused, gateway.GatewayUnavailable) as error:
        try:
            now = gateway.retrieve_payment_intent(intent.id)
        except gateway.GatewayError:
            raise error from None
        if now.status in ("processing", "succeeded", "requires_capture", "requires_action") or (
            _charge_id(now) != _charge_id(intent)
        ):
            return now
        if isinstance(error, gateway.GatewayUnavailable) and error.outcome_unknown:
            raise gateway.GatewayUnavailable(
                gateway.UNREACHABLE_NOTHING_CHARGED, error.code, error.detail
            ) from error
        raise


def start_card_setup() -> str:
    """A SetupIntent's client secret, for localstripe's card element to tokenise a card."""
    return str(gateway.create_setup_intent().client_secret)
