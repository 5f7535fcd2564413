"""A cart line: one configured product, pinned to the catalog version it was made under."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.core.database import db
from configurator.core.timestamps import UTCDateTime, utcnow
from configurator.modules.catalog.models import CatalogVersion, Product

MAX_QUANTITY = 20
# What makes two cart lines the same line (the unique constraint; upserts name it).
LINE_IDENTITY = ("owner_token", "product_id", "catalog_version_id", "config_hash")


class CartLine(db.Model):  # type: ignore[name-defined,misc]
    """Identity: owner + product + catalog version + hash of the canonical configuration."""

    __tablename__ = "cart_line"
    __table_args__ = (
        UniqueConstraint(*LINE_IDENTITY),
        CheckConstraint(f"quantity >= 1 AND quantity <= {MAX_QUANTITY}", name="quantity_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No separate index: the unique constraint already leads with owner_token.
    owner_token: Mapped[str] = mapped_column(String(64))
    # Accounts come later; the foreign key is added with the user table.
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id"))
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_hash: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    # The saved design the line came from, if any (for "edit the design").
    design_id: Mapped[str | None] = mapped_column(ForeignKey("design.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship(lazy="joined")
    catalog_version: Mapped[CatalogVersion] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<CartLine {self.id} {self.product.slug} x{self.quantity}>"
