"""Cart lines: a configured product per owner, pinned to a catalog version.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cart_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("catalog_version_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("design_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "quantity >= 1 AND quantity <= 20", name=op.f("ck_cart_line_quantity_range")
        ),
        sa.ForeignKeyConstraint(
            ["catalog_version_id"],
            ["catalog_version.id"],
            name=op.f("fk_cart_line_catalog_version_id_catalog_version"),
        ),
        sa.ForeignKeyConstraint(
            ["design_id"], ["design.id"], name=op.f("fk_cart_line_design_id_design")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_cart_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_line")),
        sa.UniqueConstraint(
            "owner_token",
            "product_id",
            "catalog_version_id",
            "config_hash",
            name=op.f("uq_cart_line_owner_token_product_id_catalog_version_id_config_hash"),
        ),
    )
    op.create_index(op.f("ix_cart_line_user_id"), "cart_line", ["user_id"])


def downgrade():
    op.drop_table("cart_line")
