"""Orders, the lines they snapshot, and the append-only ledger of payment events."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.core.database import db
from configurator.core.timestamps import UTCDateTime, utcnow
from configurator.modules.orders.status import (
    ORDER_LABELS,
    PAYMENT_LABELS,
    OrderStatus,
    PaymentStatus,
)

# Column sizes that what Stripe sends is checked against before it is stored.
EVENT_REFERENCE_LENGTH = 255
EVENT_TYPE_LENGTH = 100
INTENT_ID_LENGTH = 255


def new_order_reference() -> str:
    return secrets.token_urlsafe(12)


def _status_column(enum: type[StrEnum]) -> Enum:
    return Enum(
        enum,
        native_enum=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Order(db.Model):  # type: ignore[name-defined,misc]
    """What a shopper bought, at the price the server computed when they ordered."""

    __tablename__ = "shop_order"
    __table_args__ = (
        Index("uq_shop_order_owner_token_checkout_key", "owner_token", "checkout_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random: the private order link signs it, and nothing else identifies an order.
    reference: Mapped[str] = mapped_column(String(32), unique=True, default=new_order_reference)
    owner_token: Mapped[str | None] = mapped_column(String(64), index=True)
    # The checkout form's own random key: the same form sent again (a double click, a
    # reload, Back) finds the order it made instead of making another.
    checkout_key: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    shipping_name: Mapped[str] = mapped_column(String(200))
    shipping_line1: Mapped[str] = mapped_column(String(200))
    shipping_line2: Mapped[str | None] = mapped_column(String(200))
    shipping_city: Mapped[str] = mapped_column(String(100))
    shipping_postal_code: Mapped[str] = mapped_column(String(20))
    shipping_country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[int] = mapped_column(Integer)
    amount_refunded: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[OrderStatus] = mapped_column(
        _status_column(OrderStatus), default=OrderStatus.PENDING_PAYMENT
    )
    payment_status: Mapped[PaymentStatus] = mapped_column(
        _status_column(PaymentStatus), default=PaymentStatus.UNPAID
    )
    # The provider's last word on a failed attempt, shown to the shopper as is.
    payment_error: Mapped[str | None] = mapped_column(String(500))
    payment_intent_id: Mapped[str | None] = mapped_column(String(INTENT_ID_LENGTH), unique=True)
    # How many times the intent was replaced (only ever after it can no longer be
    # confirmed); part of the creation key, so each generation is created once.
    intent_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[PaymentEvent]] = relationship(
        back_populates="order", order_by="PaymentEvent.id"
    )

    @property
    def status_label(self) -> str:
        return ORDER_LABELS[self.status]

    @property
    def payment_label(self) -> str:
        return PAYMENT_LABELS[self.payment_status]

    @property
    def refundable_amount(self) -> int:
        return self.total_amount - self.amount_refunded

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.status.value}/{self.payment_status.value}>"


class OrderLine(db.Model):  # type: ignore[name-defined,misc]
    """A snapshot: later catalog versions or cart changes never alter it."""

    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    product_slug: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(200))
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id"))
    catalog_version: Mapped[int] = mapped_column(Integer)
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{"attribute": "Metal", "value": "18k yellow gold"}, ...] in catalog order.
    option_labels: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # The engine's price lines for one unit: [{"label": ..., "amount": ...}, ...].
    price_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    config_hash: Mapped[str] = mapped_column(String(64))
    preview_hash: Mapped[str] = mapped_column(String(64))
    unit_amount: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_amount: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="lines")


class PaymentEvent(db.Model):  # type: ignore[name-defined,misc]
    """One thing the payment provider told us or did for us; rows are never changed.

    ``reference`` is the provider's id for it (an event id, a refund id): the unique
    constraint is what makes a second delivery of the same event a no-op.
    """

    __tablename__ = "payment_event"
    __table_args__ = (UniqueConstraint("provider", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(EVENT_REFERENCE_LENGTH))
    type: Mapped[str] = mapped_column(String(EVENT_TYPE_LENGTH))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(INTENT_ID_LENGTH))
    amount: Mapped[int | None] = mapped_column(Integer)
    # What handling it did: "paid", "ignored: ...", "refund", ...
    outcome: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order | None] = relationship(back_populates="events")
