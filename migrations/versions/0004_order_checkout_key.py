"""The checkout form's key on its order, unique per shopper.

Revision ID: 0004_order_checkout_key
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_order_checkout_key"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("shop_order", sa.Column("checkout_key", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_shop_order_owner_token_checkout_key",
        "shop_order",
        ["owner_token", "checkout_key"],
        unique=True,
    )


def downgrade():
    op.drop_index("uq_shop_order_owner_token_checkout_key", table_name="shop_order")
    with op.batch_alter_table("shop_order") as batch:
        batch.drop_column("checkout_key")
