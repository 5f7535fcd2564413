"""Order status and payment status, kept apart, each with its table of allowed moves.

The order status says where the merchant's work stands; the payment status says what
the money did. Only the moves listed here happen: anything else raises, or (for news
from the payment provider that arrives late or twice) is ignored by the caller.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    FAILED = "failed"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset(
        {OrderStatus.IN_PRODUCTION, OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    ),
    OrderStatus.IN_PRODUCTION: frozenset({OrderStatus.SHIPPED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
}

_ATTEMPT = frozenset(
    {
        PaymentStatus.UNPAID,
        PaymentStatus.REQUIRES_ACTION,
        PaymentStatus.PROCESSING,
        PaymentStatus.FAILED,
        PaymentStatus.PAID,
    }
)

PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.UNPAID: _ATTEMPT - {PaymentStatus.UNPAID},
    PaymentStatus.REQUIRES_ACTION: _ATTEMPT - {PaymentStatus.REQUIRES_ACTION},
    PaymentStatus.PROCESSING: frozenset(
        {PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.UNPAID}
    ),
    PaymentStatus.FAILED: _ATTEMPT - {PaymentStatus.FAILED},
    PaymentStatus.PAID: frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset(
        {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
    ),
    PaymentStatus.REFUNDED: frozenset(),
}

ORDER_LABELS = {
    OrderStatus.PENDING_PAYMENT: "Awaiting payment",
    OrderStatus.PAID: "Paid",
    OrderStatus.IN_PRODUCTION: "In production",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.REFUNDED: "Refunded",
}

PAYMENT_LABELS = {
    PaymentStatus.UNPAID: "Not paid yet",
    PaymentStatus.REQUIRES_ACTION: "Waiting for your bank's confirmation",
    PaymentStatus.PROCESSING: "Processing",
    PaymentStatus.FAILED: "Failed",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.PARTIALLY_REFUNDED: "Partially refunded",
    PaymentStatus.REFUNDED: "Refunded",
}


class TransitionError(ValueError):
    """A move the tables do not allow."""


def can_move_order(current: OrderStatus, new: OrderStatus) -> bool:
    return new in ORDER_TRANSITIONS[current]


def can_move_payment(current: PaymentStatus, new: PaymentStatus) -> bool:
    return new in PAYMENT_TRANSITIONS[current]
