"""A saved design, reachable by an unguessable id at /d/<id>."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.core.database import db
from configurator.core.timestamps import UTCDateTime, utcnow
from configurator.modules.catalog.models import CatalogVersion, Product


def new_design_id() -> str:
    return secrets.token_urlsafe(12)


class Design(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "design"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_design_id)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id"))
    # Canonical choices (sorted keys, normalised values) as the engine returns them.
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_hash: Mapped[str] = mapped_column(String(64), index=True)
    owner_token: Mapped[str | None] = mapped_column(String(64), index=True)
    # Accounts come later; the foreign key is added with the user table.
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship(lazy="joined")
    catalog_version: Mapped[CatalogVersion] = relationship(lazy="joined")

    @property
    def url(self) -> str:
        return f"/d/{self.id}"

    def __repr__(self) -> str:
        return f"<Design {self.id} {self.product.slug}>"
