"""Save and load designs. Services flush; the caller commits."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from configurator.core.database import db
from configurator.domain.engine import ChoiceError, config_hash
from configurator.modules.catalog.engines import engine_for
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.designs.models import Design


def save_design(
    version: CatalogVersion,
    choices: object,
    *,
    owner_token: str | None = None,
    title: str | None = None,
) -> Design:
    """Store ``choices`` in canonical form under ``version``.

    Raises ChoiceError for unknown ids or wrong types, and (422, ``inconsistent``, field
    ``choices``) for choices that break the catalog's rules: a saved design can always
    be finished into a product. Designs saved under older versions are not re-checked
    here; they are carried over when reopened.
    """
    engine = engine_for(version)
    canonical = engine.canonical(choices)
    conflict = engine.configure(canonical, explain=False)["conflict"]
    if conflict is not None:
        raise ChoiceError(422, "inconsistent", conflict_message(conflict), "choices")
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


def conflict_message(conflict: dict[str, Any]) -> str:
    """The sentence refusing a design whose choices clash, naming the clash."""
    parts = [f"These choices don’t go together: {conflict.get('message') or 'they clash'}"]
    if conflict.get("choices"):
        parts.append(f"(choices: {', '.join(conflict['choices'])}")
        parts[-1] += f"; rules: {', '.join(conflict['rules'])})" if conflict.get("rules") else ")"
    return " ".join(parts) + " Resolve the conflict before saving."


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
