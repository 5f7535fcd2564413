"""Orders, the lines they snapshot, and the ledger of payment events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ORDER_STATUSES = ("pending_payment", "paid", "in_production", "shipped", "cancelled", "refunded")
PAYMENT_STATUSES = (
    "unpaid",
    "requires_action",
    "processing",
    "failed",
    "paid",
    "partially_refunded",
    "refunded",
)


def upgrade():
    op.create_table(
        "shop_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("owner_token", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("shipping_name", sa.String(length=200), nullable=False),
        sa.Column("shipping_line1", sa.String(length=200), nullable=False),
        sa.Column("shipping_line2", sa.String(length=200), nullable=True),
        sa.Column("shipping_city", sa.String(length=100), nullable=False),
        sa.Column("shipping_postal_code", sa.String(length=20), nullable=False),
        sa.Column("shipping_country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_amount", sa.Integer(), nullable=False),
        sa.Column("amount_refunded", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*ORDER_STATUSES, name="orderstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "payment_status",
            sa.Enum(*PAYMENT_STATUSES, name="paymentstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("payment_error", sa.String(length=500), nullable=True),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("intent_generation", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_order")),
        sa.UniqueConstraint("payment_intent_id", name=op.f("uq_shop_order_payment_intent_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_shop_order_reference")),
    )
    op.create_index(op.f("ix_shop_order_owner_token"), "shop_order", ["owner_token"])
    op.create_table(
        "payment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["shop_order.id"], name=op.f("fk_payment_event_order_id_shop_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_event")),
        sa.UniqueConstraint(
            "provider", "reference", name=op.f("uq_payment_event_provider_reference")
        ),
    )
    op.create_index(op.f("ix_payment_event_order_id"), "payment_event", ["order_id"])
    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("product_slug", sa.String(length=64), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("catalog_version_id", sa.Integer(), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("option_labels", sa.JSON(), nullable=False),
        sa.Column("price_lines", sa.JSON(), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("preview_hash", sa.String(length=64), nullable=False),
        sa.Column("unit_amount", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("line_amount", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_version_id"],
            ["catalog_version.id"],
            name=op.f("fk_order_line_catalog_version_id_catalog_version"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["shop_order.id"], name=op.f("fk_order_line_order_id_shop_order")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_order_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line")),
    )
    op.create_index(op.f("ix_order_line_order_id"), "order_line", ["order_id"])


def downgrade():
    op.drop_table("order_line")
    op.drop_table("payment_event")
    op.drop_table("shop_order")
