"""The orders module's public API: what the web layer and the CLI call.

Checkout is split by concern; this module only gathers it in one place:

- ``quote``: price the cart from the catalog and the engine;
- ``orders``: make orders from the cart, find them, move their statuses;
- ``intents``: the order's PaymentIntent, and the order brought in line with it;
- ``payments``: the pay page and confirming with a card;
- ``webhooks``: act once on a verified Stripe event;
- ``reconcile``: ask Stripe about an order whose event may have been lost;
- ``refunds``: refunds through Stripe, booked in the ledger;
- ``ledger``: the payment event ledger (one row per thing Stripe told us);
- ``locks``: the dialect-specific lock on an order's row.

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

from configurator.modules.orders.intents import ensure_payment_intent
from configurator.modules.orders.orders import (
    LINK_SALT,
    CheckoutError,
    Contact,
    can_pay,
    create_order,
    get_order,
    list_orders,
    order_from_token,
    order_token,
)
from configurator.modules.orders.payments import (
    PaymentAttempt,
    pay_with_payment_method,
    prepare_payment,
    start_card_setup,
)
from configurator.modules.orders.quote import Quote, QuotedLine, quote_cart, quote_items
from configurator.modules.orders.reconcile import orders_to_reconcile, reconcile_payment
from configurator.modules.orders.refunds import RefundOutcome, refund_order
from configurator.modules.orders.returns import (
    can_return_to_cart,
    orders_awaiting_payment,
    return_to_cart,
)
from configurator.modules.orders.webhooks import apply_event

__all__ = [
    "LINK_SALT",
    "CheckoutError",
    "Contact",
    "PaymentAttempt",
    "Quote",
    "QuotedLine",
    "RefundOutcome",
    "apply_event",
    "can_return_to_cart",
    "can_pay",
    "create_order",
    "ensure_payment_intent",
    "get_order",
    "list_orders",
    "order_from_token",
    "order_token",
    "orders_awaiting_payment",
    "orders_to_reconcile",
    "pay_with_payment_method",
    "prepare_payment",
    "quote_cart",
    "quote_items",
    "reconcile_payment",
    "refund_order",
    "return_to_cart",
    "start_card_setup",
]
