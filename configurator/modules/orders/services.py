"""Checkout: quote the cart, create orders, take payment, apply what Stripe says.

Services flush; the caller (the request, the CLI) commits. Money is integer minor
units throughout. Three rules hold everywhere here:

- every price comes from the catalog and the engine, never from the browser or cart;
- one PaymentIntent per order, created with a key derived from the order, so no
  retry (ours, the shopper's or stripe-python's) can charge twice;
- an order becomes paid only when the app itself has read its intent from Stripe (with
  its secret key) and found it succeeded: ``apply_event`` does so for a signed event,
  ``reconcile_payment`` for the order page and for ``orders reconcile`` (a lost
  webhook); an intent or event the browser passes on may only report progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import stripe
from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy import ColumnElement, false, func, select, update
from sqlalchemy.exc import IntegrityError

from configurator.core.database import db
from configurator.domain.engine import ChoiceError, config_hash
from configurator.domain.engine.model import Catalog
from configurator.domain.engine.pricing import price_json
from configurator.domain.rendering import preview_key
from configurator.domain.reopen import value_label
from configurator.modules.cart.models import MAX_QUANTITY
from configurator.modules.catalog.engines import carry_over, engine_for
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.catalog.services import current_version
from configurator.modules.orders import gateway
from configurator.modules.orders.cart_source import (
    CartItem,
    cart_items,
    remove_ordered,
    take_cart_items,
)
from configurator.modules.orders.models import Order, OrderLine, PaymentEvent
from configurator.modules.orders.status import (
    OrderStatus,
    PaymentStatus,
    TransitionError,
    can_move_order,
    can_move_payment,
)
from configurator.modules.previews.services import register_drawable_preview, register_preview

PROVIDER = "stripe"
PAYMENT_METHOD_ID = re.compile(r"pm_[A-Za-z0-9_]{1,250}")
LINK_SALT = "atelier-order-link"

# Events that say something about a PaymentIntent's state or its charge's refunds.
HANDLED_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.processing",
        "payment_intent.requires_action",
        "payment_intent.canceled",
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.updated",
        "refund.failed",
    }
)


class CheckoutError(Exception):
    """Something the shopper or merchant is told, in words they can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- quoting the cart --------------------------------------------------------------


@dataclass
class QuotedLine:
    """One cart line priced by the server, or the reason it cannot be bought."""

    item: CartItem
    product_name: str
    version: CatalogVersion | None = None
    canonical: dict[str, Any] = field(default_factory=dict)
    option_labels: list[dict[str, str]] = field(default_factory=list)
    price_lines: list[dict[str, Any]] = field(default_factory=list)
    currency: str = ""
    unit_amount: int = 0
    problem: str | None = None
    preview_name: str | None = None  # the content hash of its preview, when it has art
    preview_url: str | None = None

    @property
    def quantity(self) -> int:
        return self.item.quantity

    @property
    def line_amount(self) -> int:
        return self.unit_amount * self.quantity

    @property
    def config_hash(self) -> str:
        assert self.version is not None
        return config_hash(self.version.slug, self.version.version, self.canonical)


@dataclass
class Quote:
    lines: list[QuotedLine]
    problem: str | None = None  # about the cart as a whole

    @property
    def problems(self) -> list[str]:
        found = [f"{line.product_name}: {line.problem}" for line in self.lines if line.problem]
        return found + ([self.problem] if self.problem else [])

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not self.problems

    @property
    def currency(self) -> str:
        return self.lines[0].currency if self.lines else ""

    @property
    def total(self) -> int:
        return sum(line.line_amount for line in self.lines if line.problem is None)


def option_labels(catalog: Catalog, canonical: dict[str, Any]) -> list[dict[str, str]]:
    """What the shopper chose, in words, in the catalog's order: each value as the cart
    and the configurator show it (``value_label``), so a monogram reads “AB” on all."""
    return [
        {"attribute": attribute.label, "value": value_label(attribute, canonical[attribute.id])}
        for attribute in catalog.attributes
        if canonical.get(attribute.id) is not None
    ]


def quote_item(item: CartItem) -> QuotedLine:
    """Price one cart line from the current catalog, as if it had just been chosen."""
    version = current_version(item.product_slug)
    if version is None:
        return QuotedLine(item, item.product_slug, problem="This product is no longer sold.")
    line = QuotedLine(item, version.product.name, version=version)
    source = db.session.get(CatalogVersion, item.catalog_version_id)
    if source is None or source.product_id != version.product_id:
        line.problem = "This line does not match its product; please design it again."
        return line
    if not isinstance(item.quantity, int) or not 1 <= item.quantity <= MAX_QUANTITY:
        line.problem = f"The quantity must be between 1 and {MAX_QUANTITY}."
        return line
    if not isinstance(item.choices, dict):
        line.problem = "This design could not be read; please design it again."
        return line
    try:
        carried = carry_over(source, item.choices, version)
    except ChoiceError as error:
        line.problem = f"This design no longer fits the catalog: {error.message}"
        return line
    if not carried.valid:
        conflict = carried.conflict or {}
        reasons = [*carried.dropped, str(conflict.get("message") or "")]
        if not carried.complete and not conflict:
            catalog = engine_for(version).catalog
            missing = [
                a.label for a in catalog.attributes if a.required and a.id not in carried.choices
            ]
            if missing:
                reasons.append(f"Still to choose: {_in_words(missing)}.")
        line.problem = " ".join(reason for reason in reasons if reason)
        # what the shopper has (as it was put in the cart), beside what to fix
        line.option_labels = option_labels(engine_for(source).catalog, carried.original)
        line.preview_name = register_drawable_preview(source, carried.original)
        return line
    engine = engine_for(version)
    line.canonical = carried.choices
    price = price_json(engine.catalog, engine.parse(carried.choices))
    line.price_lines = list(price["lines"])
    line.currency = str(price["currency"]).upper()
    line.unit_amount = int(price["amount"])
    line.option_labels = option_labels(engine.catalog, line.canonical)
    line.preview_name = register_preview(version, line.canonical)
    if line.preview_name is not None:
        line.preview_url = f"/previews/{preview_key(line.preview_name, '300', 'webp')}"
    return line


def _in_words(labels: list[str]) -> str:
    """'Sole', 'Sole and Laces', 'Sole, Laces and Lining'."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def quote_cart(owner_token: str) -> Quote:
    return quote_items(cart_items(owner_token))


def quote_items(items: list[CartItem]) -> Quote:
    quote = Quote([quote_item(item) for item in items])
    currencies = {line.currency for line in quote.lines if line.problem is None}
    if len(currencies) > 1:
        quote.problem = (
            "Your cart mixes currencies ("
            + ", ".join(sorted(currencies))
            + "); order the items separately."
        )
    return quote


# -- orders ------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    email: str
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str


def create_order(owner_token: str, contact: Contact, checkout_key: str) -> Order:
    """Snapshot the re-priced cart into an order awaiting payment; empties the cart.

    One cart gives one order, whatever arrives at once: checkouts of one shopper's
    cart take turns (``take_cart_items``), and each reads the cart only once it has
    its turn. ``checkout_key`` names the form sent: sent again (a double click, a
    reload, Back), it returns the order it made, even though the cart is empty now.

    Raises CheckoutError when the cart is empty or a line cannot be bought as it is.
    """
    items = take_cart_items(owner_token)
    made = order_for_checkout(owner_token, checkout_key)
    if made is not None:
        return made
    quote = quote_items(items)
    if not quote.lines:
        raise CheckoutError("Your cart is empty.")
    if not quote.ok:
        raise CheckoutError(" ".join(quote.problems))
    order = Order(
        owner_token=owner_token,
        checkout_key=checkout_key,
        email=contact.email,
        shipping_name=contact.name,
        shipping_line1=contact.line1,
        shipping_line2=contact.line2 or None,
        shipping_city=contact.city,
        shipping_postal_code=contact.postal_code,
        shipping_country=contact.country,
        currency=quote.currency,
        total_amount=quote.total,
        amount_refunded=0,
        status=OrderStatus.PENDING_PAYMENT,
        payment_status=PaymentStatus.UNPAID,
        intent_generation=0,
    )
    for position, line in enumerate(quote.lines):
        assert line.version is not None
        order.lines.append(
            OrderLine(
                position=position,
                product_id=line.version.product_id,
                product_slug=line.version.slug,
                product_name=line.product_name,
                catalog_version_id=line.version.id,
                catalog_version=line.version.version,
                choices=line.canonical,
                option_labels=line.option_labels,
                price_lines=line.price_lines,
                config_hash=line.config_hash,
                # Products without art keep the configuration hash in its place.
                preview_hash=line.preview_name or line.config_hash,
                unit_amount=line.unit_amount,
                quantity=line.quantity,
                line_amount=line.line_amount,
            )
        )
    db.session.add(order)
    db.session.flush()
    remove_ordered(items)
    return order


def order_for_checkout(owner_token: str, checkout_key: str) -> Order | None:
    """The order this shopper's checkout form (named by its key) already made, if any."""
    return db.session.execute(
        select(Order).where(Order.owner_token == owner_token, Order.checkout_key == checkout_key)
    ).scalar_one_or_none()


def get_order(order_id: int) -> Order | None:
    return db.session.get(Order, order_id)


def list_orders(status: OrderStatus | None = None) -> list[Order]:
    query = select(Order).order_by(Order.id)
    if status is not None:
        query = query.where(Order.status == status)
    return list(db.session.execute(query).scalars())


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def order_token(order: Order) -> str:
    """The private link's token: the random reference, signed with the app's key."""
    return _signer().sign(order.reference).decode()


def order_from_token(token: str) -> Order | None:
    try:
        reference = _signer().unsign(token).decode()
    except BadSignature:
        return None
    return db.session.execute(
        select(Order).where(Order.reference == reference)
    ).scalar_one_or_none()


def _lock_orders(where: ColumnElement[bool]) -> Order | None:
    """Lock the matching order's row until the transaction ends and read it as stored.

    PostgreSQL locks the row (SELECT ... FOR UPDATE, which also returns the newest
    committed version). SQLite has no row locks: a write that changes nothing first
    takes the database's write lock, which it holds until commit or rollback, so the
    read after it is current and no other writer can slip in before our own write.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Order)
            .where(where)
            .values(updated_at=Order.updated_at)
            .execution_options(synchronize_session=False)
        )
    query = select(Order).where(where).with_for_update().execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one_or_none()


def lock_order(order: Order) -> Order:
    """Lock the order and re-read it: the first step of every change to its statuses.

    A request that loaded the order earlier (the order page, while the webhook runs)
    then works on what is stored now, never on what it read before.
    """
    locked = _lock_orders(Order.id == order.id)
    assert locked is order
    return order


def move_order(order: Order, new: OrderStatus) -> None:
    if order.status == new:
        return
    if not can_move_order(order.status, new):
        raise TransitionError(f"order {order.id}: {order.status.value} -> {new.value}")
    order.status = new


# -- payment -----------------------------------------------------------------------


def _order_key(order: Order) -> str:
    return f"atelier-order-{order.reference}"


def ensure_payment_intent(order: Order) -> str:
    """The order's PaymentIntent id, created once for the order's server-side amount."""
    if order.payment_intent_id:
        return order.payment_intent_id
    made_meanwhile = lock_order(order).payment_intent_id  # by another request
    if made_meanwhile:
        return made_meanwhile
    intent = gateway.create_payment_intent(
        amount=order.total_amount,
        currency=order.currency,
        metadata={"order_id": str(order.id), "order_reference": order.reference},
        idempotency_key=f"{_order_key(order)}-payment-intent"
        + (f"-{order.intent_generation}" if order.intent_generation else ""),
    )
    order.payment_intent_id = intent.id
    db.session.flush()
    return intent.id


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


def replace_payment_intent(order: Order, intent: stripe.PaymentIntent) -> stripe.PaymentIntent:
    """Cancel an intent that must take no more attempts and make the next generation.

    Returns the intent to go on with: the new one or, when the old one moved on before
    it could be cancelled (its 3-D Secure check was completed just then), the old one
    as it is now, so that it is never paid twice.
    """
    if intent.status != "canceled":
        try:
            gateway.cancel_payment_intent(intent.id)
        except gateway.RequestRefused:
            now = gateway.retrieve_payment_intent(intent.id)
            if now.status != "canceled":
                current_app.logger.warning(
                    "order %s: %s could not be cancelled (%s)", order.id, intent.id, now.status
                )
                return now
    return gateway.retrieve_payment_intent(_next_intent(order))


def _next_intent(order: Order) -> str:
    """Make the order's next generation of intent (the order is locked)."""
    order.intent_generation += 1
    order.payment_intent_id = None
    return ensure_payment_intent(order)


def renew_lost_intent(order: Order, lost_id: str) -> None:
    """Give the order a fresh intent in place of one Stripe no longer knows.

    Nothing can be charged through an intent Stripe has forgotten (its test data was
    reset, the keys changed accounts), so the order would otherwise be stuck. Only an
    order that may still be paid gets one: a paid or processing order keeps its intent,
    so that no order is charged twice. Another request that renewed it first wins.
    """
    lock_order(order)
    if order.payment_intent_id != lost_id or not can_pay(order):
        return
    current_app.logger.warning("order %s: Stripe no longer knows %s", order.id, lost_id)
    record_event(f"lost:{lost_id}", "intent_lost", order, lost_id, None, "a fresh intent was made")
    _next_intent(order)


def prepare_payment(order: Order) -> None:
    """Before the pay page: the order's intent exists at Stripe and the order says
    what Stripe knows of it (a lost intent is renewed, see ``renew_lost_intent``)."""
    intent_id = ensure_payment_intent(order)
    try:
        reconcile_payment(order)
    except gateway.IntentMissing:
        renew_lost_intent(order, intent_id)


def client_secret(order: Order) -> str:
    intent = gateway.retrieve_payment_intent(ensure_payment_intent(order))
    return str(intent.client_secret)


def _intent_status(intent: stripe.PaymentIntent, *, verified: bool) -> PaymentStatus:
    status = intent.status
    if status == "succeeded":
        # Only a verified event may say "paid"; anything else may say "processing".
        return PaymentStatus.PAID if verified else PaymentStatus.PROCESSING
    if status in ("processing", "requires_capture"):
        return PaymentStatus.PROCESSING
    if status == "requires_action":
        return PaymentStatus.REQUIRES_ACTION
    if status == "canceled":
        return PaymentStatus.FAILED
    return PaymentStatus.FAILED if intent.last_payment_error else PaymentStatus.UNPAID


def _intent_error(intent: stripe.PaymentIntent) -> str | None:
    error = intent.last_payment_error
    if not error:
        return None
    message = getattr(error, "message", None) or "The payment did not go through."
    return str(message)[:500]


def _mismatch(order: Order, intent: stripe.PaymentIntent) -> str | None:
    metadata = intent.metadata
    order_id = metadata["order_id"] if metadata and "order_id" in metadata else None
    if order_id != str(order.id):
        return "intent belongs to another order"
    if intent.amount != order.total_amount or str(intent.currency).upper() != order.currency:
        return f"intent is for {intent.amount} {intent.currency}, order is {order.total_amount}"
    return None


def set_payment_status(order: Order, new: PaymentStatus, error: str | None = None) -> bool:
    """Move the payment status if the table allows it; late or repeated news is ignored."""
    if order.payment_status == new:
        if new == PaymentStatus.FAILED and error:
            order.payment_error = error
        return False
    if not can_move_payment(order.payment_status, new):
        return False
    order.payment_status = new
    order.payment_error = error if new == PaymentStatus.FAILED else None
    if new == PaymentStatus.PAID and can_move_order(order.status, OrderStatus.PAID):
        move_order(order, OrderStatus.PAID)
    return True


def apply_refunded_total(order: Order, refunded: int) -> bool:
    """Record that ``refunded`` minor units have been given back in all."""
    if refunded <= order.amount_refunded:
        return False
    order.amount_refunded = min(refunded, order.total_amount)
    if order.amount_refunded >= order.total_amount:
        set_payment_status(order, PaymentStatus.REFUNDED)
        if can_move_order(order.status, OrderStatus.REFUNDED):
            move_order(order, OrderStatus.REFUNDED)
    else:
        set_payment_status(order, PaymentStatus.PARTIALLY_REFUNDED)
    return True


def record_refund(order: Order, refund: stripe.Refund) -> PaymentEvent:
    """The ledger's row for one refund of the order (written once per refund id)."""
    recorded = db.session.execute(
        select(PaymentEvent).where(
            PaymentEvent.provider == PROVIDER, PaymentEvent.reference == refund.id
        )
    ).scalar_one_or_none()
    if recorded is not None:
        return recorded
    event = PaymentEvent(
        provider=PROVIDER,
        reference=refund.id,
        type="refund",
        order=order,
        payment_intent_id=order.payment_intent_id,
        amount=int(refund.amount),
        outcome=f"refund {refund.status}",
    )
    db.session.add(event)
    db.session.flush()
    return event


REFUND_UNDER_WAY = ("pending", "requires_action")


def apply_refunds(order: Order, refunds: list[stripe.Refund]) -> bool:
    """Count what Stripe has given back: only succeeded refunds count. Pending ones
    count once Stripe says they succeeded; failed or cancelled ones never do."""
    succeeded = sum(int(refund.amount) for refund in refunds if refund.status == "succeeded")
    return apply_refunded_total(order, succeeded)


def _refunds_under_way(refunds: list[stripe.Refund]) -> int:
    return sum(int(refund.amount) for refund in refunds if refund.status in REFUND_UNDER_WAY)


def sync_refunds(order: Order, intent_id: str) -> bool:
    """Read the payment's refunds from Stripe, book the new ones, count the succeeded."""
    refunds = gateway.list_refunds(intent_id)
    for refund in refunds:
        record_refund(order, refund)
    return apply_refunds(order, refunds)


def sync_with_intent(order: Order, intent: stripe.PaymentIntent, *, verified: bool) -> str:
    """Bring the order in line with the intent as Stripe reports it now."""
    mismatch = _mismatch(order, intent)
    if mismatch is not None:
        current_app.logger.error("order %s: %s (%s)", order.id, mismatch, intent.id)
        return f"ignored: {mismatch}"
    new = _intent_status(intent, verified=verified)
    moved = set_payment_status(order, new, _intent_error(intent))
    charge = intent.latest_charge
    refunded = False
    if verified and isinstance(charge, stripe.Charge) and int(charge.amount_refunded or 0) > 0:
        refunded = sync_refunds(order, intent.id)
    if moved or refunded:
        return f"{order.status.value}/{order.payment_status.value}"
    return f"unchanged: {order.payment_status.value}"


AWAITING_NEWS = (
    PaymentStatus.UNPAID,
    PaymentStatus.REQUIRES_ACTION,
    PaymentStatus.PROCESSING,
    PaymentStatus.FAILED,
)


def _awaits_news(order: Order) -> bool:
    return order.payment_intent_id is not None and order.payment_status in AWAITING_NEWS


def _news_in(order: Order, intent: stripe.PaymentIntent) -> bool:
    """Whether applying the intent would change the order (or be refused)."""
    return (
        _mismatch(order, intent) is not None
        or _intent_status(intent, verified=True) != order.payment_status
    )


def reconcile_payment(order: Order) -> str:
    """Apply what Stripe says of the order's intent now, as a verified event would.

    The app asks Stripe itself, with its secret key, so the answer is as good as the
    re-read behind a signed event: an intent found succeeded makes the order paid.
    This is what catches an event that never arrived (the app was down, Stripe gave
    up); the order page and ``orders reconcile`` both call it. Stripe is read without
    the order's lock first, and only news is applied: under the lock, from a second
    read, so that what the webhook stored meanwhile wins (a paid order is left
    alone) and the webhook, the page and the command leave one transition between
    them. The first time the order takes an intent state this way, the ledger gets
    ``reconcile:<intent id>:<status>``. Returns what was done; raises the gateway's
    errors (``IntentMissing`` when Stripe no longer knows the intent).
    """
    if not _awaits_news(order):
        return f"unchanged: {order.payment_status.value}"
    assert order.payment_intent_id is not None
    if not _news_in(order, gateway.retrieve_payment_intent(order.payment_intent_id)):
        return f"unchanged: {order.payment_status.value}"
    lock_order(order)
    if not _awaits_news(order):
        return f"unchanged: {order.payment_status.value}"  # settled since it was read
    assert order.payment_intent_id is not None
    intent = gateway.retrieve_payment_intent(order.payment_intent_id)
    outcome = sync_with_intent(order, intent, verified=True)
    reference = f"reconcile:{intent.id}:{intent.status}"
    if not outcome.startswith("unchanged") and not already_recorded(reference):
        record_event(reference, "reconcile", order, intent.id, intent.amount, outcome)
    return outcome


def orders_to_reconcile(last_changed_before: datetime) -> list[int]:
    """Ids of the orders still waiting to hear how their payment went, unchanged since."""
    query = (
        select(Order.id)
        .where(
            Order.status == OrderStatus.PENDING_PAYMENT,
            Order.payment_intent_id.is_not(None),
            Order.payment_status.in_(AWAITING_NEWS),
            Order.updated_at < last_changed_before,
        )
        .order_by(Order.id)
    )
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class PaymentAttempt:
    status: PaymentStatus
    message: str | None = None
    client_secret: str | None = None  # when the bank asks for 3-D Secure
    refused: bool = False  # the server would not charge; trying again will not help


def can_pay(order: Order) -> bool:
    return order.status == OrderStatus.PENDING_PAYMENT and order.payment_status in (
        PaymentStatus.UNPAID,
        PaymentStatus.FAILED,
        PaymentStatus.REQUIRES_ACTION,
    )


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
    problem = _mismatch(order, intent)
    if problem is not None:
        return _refuse_mismatch(order, intent, problem)
    if intent.status == "requires_action" and _payment_method_of(intent) != payment_method:
        intent = replace_payment_intent(order, intent)  # a new card after an abandoned check
    elif _cannot_be_confirmed_again(intent):
        intent = replace_payment_intent(order, intent)
    if intent.status in ("requires_payment_method", "requires_confirmation"):
        problem = _mismatch(order, intent)
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
            intent.id, payment_method, idempotency_key=f"{_order_key(order)}-{intent.id}"
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


# -- webhooks ----------------------------------------------------------------------


def order_for_intent(intent_id: str) -> Order | None:
    """The order paid through this intent, locked (see ``lock_order``)."""
    return _lock_orders(Order.payment_intent_id == intent_id)


def already_recorded(reference: str) -> bool:
    query = select(PaymentEvent.id).where(
        PaymentEvent.provider == PROVIDER, PaymentEvent.reference == reference
    )
    return db.session.execute(query).first() is not None


def record_event(
    reference: str,
    kind: str,
    order: Order | None,
    intent_id: str | None,
    amount: int | None,
    outcome: str,
) -> None:
    """The ledger's row for something Stripe told us and what handling it did."""
    db.session.add(
        PaymentEvent(
            provider=PROVIDER,
            reference=reference,
            type=kind,
            order=order,
            payment_intent_id=intent_id,
            amount=amount,
            outcome=outcome[:200],
        )
    )
    db.session.flush()


def _begin_writing() -> None:
    """On SQLite, start the write transaction now (a no-op elsewhere).

    pysqlite sends BEGIN only before the first write; a SAVEPOINT outside a
    transaction would become the transaction itself and commit when released.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        _lock_orders(false())


def apply_event(event: gateway.WebhookEvent) -> str:
    """Act on a verified event once: re-read the intent, sync the order, log the event.

    Returns what was done. A repeat of a recorded event changes nothing ("duplicate").
    Raises GatewayUnavailable when the intent cannot be re-read (the caller answers
    with an error so Stripe delivers the event again later). Like every service it
    only flushes: its work sits in a savepoint, so losing the race to record the event
    undoes just that work and the caller's transaction goes on.
    """
    if already_recorded(event.id):
        return "duplicate"
    intent_id = event.intent_id
    handled = event.type in HANDLED_EVENTS and intent_id is not None
    order = order_for_intent(intent_id) if handled and intent_id is not None else None
    if order is None:
        _begin_writing()
    elif already_recorded(event.id):
        return "duplicate"  # handled by another worker while we waited for the order
    try:
        with db.session.begin_nested():
            outcome = _apply_to_order(event, order, handled)
            record_event(event.id, event.type, order, intent_id, event.amount, outcome)
    except IntegrityError:
        # The same event, recorded at the same moment by another worker: theirs stands.
        return "duplicate"
    return outcome


def _apply_to_order(event: gateway.WebhookEvent, order: Order | None, handled: bool) -> str:
    if not handled:
        return f"ignored: {event.type} is not handled"
    if order is None:
        return "ignored: no order for this intent"
    assert event.intent_id is not None
    intent = gateway.retrieve_payment_intent(event.intent_id)
    return sync_with_intent(order, intent, verified=True)


# -- refunds -----------------------------------------------------------------------


@dataclass(frozen=True)
class RefundOutcome:
    """What Stripe did with a refund: ``status`` is Stripe's (succeeded, pending,
    requires_action, failed, canceled); ``earlier`` when the same refund had already
    been made by an attempt whose answer was lost."""

    event: PaymentEvent
    status: str
    amount: int
    failure_reason: str | None = None
    earlier: bool = False

    @property
    def reference(self) -> str:
        return self.event.reference


def _refund_key(refund: stripe.Refund) -> str | None:
    metadata = refund.metadata
    key = gateway.REFUND_KEY_METADATA
    return str(metadata[key]) if metadata and key in metadata else None


def _refund_outcome(order: Order, refund: stripe.Refund, *, earlier: bool) -> RefundOutcome:
    reason = getattr(refund, "failure_reason", None)
    return RefundOutcome(
        event=record_refund(order, refund),
        status=str(refund.status),
        amount=int(refund.amount),
        failure_reason=str(reason) if reason else None,
        earlier=earlier,
    )


def refund_order(order: Order, amount: int | None = None) -> RefundOutcome:
    """Refund ``amount`` minor units (default: all that is left) through Stripe.

    What Stripe already holds is read first: refunds made elsewhere are booked, and a
    refund made by an earlier attempt of this same command (same key; its answer was
    lost) is reported instead of being made again. The key also goes to Stripe as the
    idempotency key. Only succeeded refunds count as refunded; pending ones are
    booked and count when Stripe confirms them. Raises CheckoutError or gateway errors.
    """
    lock_order(order)
    if order.payment_status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
        raise CheckoutError(
            f"Order {order.id} cannot be refunded: payment is {order.payment_status.value}."
        )
    intent_id = order.payment_intent_id
    assert intent_id is not None
    booked = db.session.execute(
        select(func.count(PaymentEvent.id)).where(
            PaymentEvent.order_id == order.id, PaymentEvent.type == "refund"
        )
    ).scalar_one()
    key = f"{_order_key(order)}-refund-{booked}-{amount if amount is not None else 'rest'}"
    refunds = gateway.list_refunds(intent_id)
    for refund in refunds:
        record_refund(order, refund)
    apply_refunds(order, refunds)
    for refund in refunds:
        if _refund_key(refund) == key:
            return _refund_outcome(order, refund, earlier=True)
    remaining = order.refundable_amount - _refunds_under_way(refunds)
    if remaining <= 0:
        raise CheckoutError(
            f"Order {order.id} has nothing left to refund: Stripe shows all of it refunded "
            "or on its way back."
        )
    amount = remaining if amount is None else amount
    if not 0 < amount <= remaining:
        raise CheckoutError(
            f"Order {order.id}: a refund must be between 1 and {remaining} (minor units)."
        )
    refund = gateway.create_refund(intent_id, amount, idempotency_key=key)
    apply_refunds(order, [*(known for known in refunds if known.id != refund.id), refund])
    return _refund_outcome(order, refund, earlier=False)
