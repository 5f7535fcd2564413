"""Save and load designs. Services flush; the caller commits."""

from __future__ import annotations

import re

from sqlalchemy import select

from ..engine import config_hash
from ..extensions import db
from ..products.engines import engine_for
from ..products.models import CatalogVersion
from .models import Design


def save_design(
    version: CatalogVersion,
    choices: object,
    *,
    owner_token: str | None = None,
    title: str | None = None,
) -> Design:
    """Store ``choices`` in canonical form under ``version``; raises ChoiceError."""
    canonical = engine_for(version).canonical(choices)
    design = Design(
        product_id=version.product_id,
        catalog_version=version,
        choices=canonical,
        config_hash=config_hash(version.slug, version.version, canonical),
        owner_token=owner_token,
        title=title,
    )
    db.session.add(design)
    db.session.flush()
    return design


# The shape of the ids new_design_id() makes (URL-safe base64), within Design.id's length.
DESIGN_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def get_design(design_id: str) -> Design | None:
    """The design with that id; None for unknown ids and for text no id could be."""
    if DESIGN_ID.fullmatch(design_id) is None:
        return None
    return db.session.get(Design, design_id)


def designs_of(owner_token: str) -> list[Design]:
    query = (
        select(Design)
        .where(Design.owner_token == owner_token)
        .order_by(Design.created_at.desc(), Design.id)
    )
    return list(db.session.execute(query).scalars())
