"""Products and their immutable, versioned catalogs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.core.database import db
from configurator.core.timestamps import UTCDateTime, utcnow


class Product(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[CatalogVersion]] = relationship(
        back_populates="product", order_by="CatalogVersion.version"
    )

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class CatalogVersion(db.Model):  # type: ignore[name-defined,misc]
    """One published catalog; never changed once stored (designs and orders pin it)."""

    __tablename__ = "catalog_version"
    __table_args__ = (UniqueConstraint("product_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No separate index: unique(product_id, version) already leads with product_id.
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    # sha256 of the canonical JSON document: tells `seed --reset` whether a version equals its file.
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship(back_populates="versions", lazy="joined")

    @property
    def slug(self) -> str:
        return self.product.slug

    def __repr__(self) -> str:
        return f"<CatalogVersion {self.product.slug} v{self.version}>"


@event.listens_for(CatalogVersion, "before_update")
def _refuse_update(_mapper: object, _connection: object, target: CatalogVersion) -> None:
    raise RuntimeError(f"catalog versions are immutable: {target!r}; publish a new version")
