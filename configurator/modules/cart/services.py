"""Cart lines: add (merging identical configurations), change, remove, re-check.

Services flush; the request's end commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Insert, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from configurator.core.database import db
from configurator.core.timestamps import utcnow
from configurator.domain.engine import config_hash
from configurator.domain.reopen import NOT_CHOSEN, Carried, describe_choices
from configurator.modules.cart.models import LINE_IDENTITY, MAX_QUANTITY, CartLine
from configurator.modules.catalog.engines import carry_over, engine_for
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.catalog.services import current_version
from configurator.modules.previews.services import register_drawable_preview


class CartError(Exception):
    """A cart change that cannot be made; the message is for the shopper."""


class LineGone(CartError):
    """The line was read, but it had left the cart (another tab's checkout ordered it,
    or removed it) before this change could be written."""

    def __init__(self) -> None:
        super().__init__("That line is no longer in your cart.")


def lines_of(owner_token: str) -> list[CartLine]:
    query = (
        select(CartLine)
        .where(CartLine.owner_token == owner_token)
        .order_by(CartLine.created_at, CartLine.id)
    )
    return list(db.session.execute(query).scalars())


def lock_cart(owner_token: str) -> list[CartLine]:
    """Hold the owner's cart until the transaction ends; its lines as stored now.

    Whoever holds it is the only one turning this cart into an order: a second
    checkout of the same cart waits here, then reads what the first left (nothing).
    PostgreSQL takes an advisory lock named after the owner, then locks the lines
    themselves, so an add to one of them waits until the order is made. SQLite has no
    row locks: a write that changes nothing takes the database's write lock, which it
    holds until commit or rollback, so the read after it is current.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_cart_lock_key(owner_token))))
    else:
        db.session.execute(
            update(CartLine)
            .where(CartLine.owner_token == owner_token)
            .values(quantity=CartLine.quantity)
            .execution_options(synchronize_session=False)
        )
    query = (
        select(CartLine)
        .where(CartLine.owner_token == owner_token)
        .order_by(CartLine.created_at, CartLine.id)
        .with_for_update(of=CartLine)
        .execution_options(populate_existing=True)
    )
    return list(db.session.execute(query).scalars())


def _cart_lock_key(owner_token: str) -> int:
    """The owner's advisory lock: a signed 64-bit number, as PostgreSQL takes it."""
    digest = hashlib.blake2b(f"atelier-cart:{owner_token}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def remove_lines(line_ids: list[int]) -> None:
    """Remove these lines (those just ordered) and no others that arrived meanwhile."""
    if line_ids:
        db.session.execute(
            delete(CartLine)
            .where(CartLine.id.in_(line_ids))
            .execution_options(synchronize_session="fetch")
        )


def item_count(owner_token: str) -> int:
    query = select(func.coalesce(func.sum(CartLine.quantity), 0)).where(
        CartLine.owner_token == owner_token
    )
    return int(db.session.execute(query).scalar_one())


LINE_ID_MAX = 2**31 - 1  # CartLine.id is a 32-bit integer column


def get_line(owner_token: str, line_id: int) -> CartLine | None:
    """The shopper's line with that id; None for other shoppers' lines and for numbers no
    line id could be."""
    if not 1 <= line_id <= LINE_ID_MAX:
        return None
    line = db.session.get(CartLine, line_id)
    return line if line is not None and line.owner_token == owner_token else None


def add_line(
    owner_token: str,
    version: CatalogVersion,
    choices: Mapping[str, Any],
    *,
    quantity: int = 1,
    design_id: str | None = None,
    clamp: bool = False,
) -> CartLine:
    """Put a complete configuration in the cart; the same one again adds to its quantity.

    Raises CartError when the configuration is not a complete, valid product or the
    quantity would leave 1..MAX_QUANTITY (unless ``clamp``, which caps it); raises
    ChoiceError for unknown ids.
    """
    engine = engine_for(version)
    canonical = engine.canonical(dict(choices))
    answer = engine.configure(canonical, explain=False)
    if not answer["complete"]:
        raise CartError("Finish the design first: some choices are missing or do not go together.")
    digest = config_hash(version.slug, version.version, canonical)
    first = min(quantity, MAX_QUANTITY) if clamp else quantity
    _check_quantity(first)
    line_id = db.session.execute(
        _merge_line(
            owner_token=owner_token,
            product_id=version.product_id,
            catalog_version_id=version.id,
            choices=canonical,
            config_hash=digest,
            quantity=first,
            design_id=design_id,
            clamp=clamp,
        )
    ).scalar_one_or_none()
    if line_id is None:
        raise CartError(f"Quantities go from 1 to {MAX_QUANTITY} per design.")
    line = db.session.get(CartLine, line_id, populate_existing=True)
    assert line is not None
    return line


def _merge_line(*, quantity: int, clamp: bool, **identity_and_choices: Any) -> Insert:
    """One statement that inserts the line or adds to the quantity of the same one.

    The database does the sum, so adds that arrive at once (two workers, a double
    click) each count and none fails on the line's unique identity. Without ``clamp``
    a sum beyond MAX_QUANTITY changes nothing and returns no row; with it the
    quantity stops at MAX_QUANTITY. Returns the line's id.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(CartLine).values(
        quantity=quantity, created_at=utcnow(), **identity_and_choices
    )
    total = CartLine.quantity + statement.excluded.quantity
    return statement.on_conflict_do_update(
        index_elements=LINE_IDENTITY,
        set_={
            "quantity": case((total > MAX_QUANTITY, MAX_QUANTITY), else_=total) if clamp else total,
            "design_id": func.coalesce(CartLine.design_id, statement.excluded.design_id),
        },
        where=None if clamp else total <= MAX_QUANTITY,
    ).returning(CartLine.id)


def restore_line(
    owner_token: str,
    *,
    product_id: int,
    catalog_version_id: int,
    choices: dict[str, Any],
    config_hash: str,
    quantity: int,
) -> None:
    """Put a line that was ordered back in the cart, as it was ordered (same version and
    configuration, so the cart re-checks it as it does every line). The same design in
    the cart already gets the quantity added, up to MAX_QUANTITY."""
    db.session.execute(
        _merge_line(
            owner_token=owner_token,
            product_id=product_id,
            catalog_version_id=catalog_version_id,
            choices=choices,
            config_hash=config_hash,
            quantity=min(quantity, MAX_QUANTITY),
            design_id=None,
            clamp=True,
        )
    )


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CartError(f"Quantities go from 1 to {MAX_QUANTITY} per design.")


def set_quantity(line: CartLine, quantity: int) -> None:
    """Raises CartError for a quantity out of range, LineGone when the line has gone.

    One statement that says whether it found the line: a line that left the cart since
    it was read (another tab's checkout) is told, not a failed flush.
    """
    _check_quantity(quantity)
    changed = db.session.execute(
        update(CartLine)
        .where(CartLine.id == line.id)
        .values(quantity=quantity)
        .returning(CartLine.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if changed is None:
        raise LineGone()
    set_committed_value(line, "quantity", quantity)


def remove_line(line: CartLine) -> None:
    """Raises LineGone when the line had already left the cart."""
    removed = db.session.execute(
        delete(CartLine)
        .where(CartLine.id == line.id)
        .returning(CartLine.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expunge(line)
    if removed is None:
        raise LineGone()


@dataclass
class CheckedLine:
    line: CartLine
    check: Carried[CatalogVersion]

    @property
    def summary(self) -> str:
        """What the shopper chose, in words, as it was put in the cart (a line that needs a
        fix says what the fix would change in ``fix_changes``, not here)."""
        if self.check.valid:
            catalog, choices = engine_for(self.check.current).catalog, self.check.choices
        else:
            catalog, choices = engine_for(self.check.source).catalog, self.check.original
        rows = describe_choices(catalog, choices)
        return " · ".join(row.value for row in rows if row.value != NOT_CHOSEN)

    @property
    def fix_changes(self) -> list[tuple[str, str, str]]:
        """(attribute label, what the line has, what the fix makes it) for a line that
        cannot be ordered as it is."""
        if self.check.valid or self.check.repair is None:
            return []
        return self.check.repair.changes

    def register_preview(self) -> str | None:
        """Register (once per item) the line's picture and answer its content hash."""
        return self._registered_preview

    @cached_property
    def _registered_preview(self) -> str | None:
        """The content hash of the line's picture: as it would be made now, or for a line
        that needs a fix, as it was put in the cart (what the summary describes); without
        a text the picture cannot hold, so the thumbnail is always drawn."""
        if self.check.valid:
            return register_drawable_preview(self.check.current, self.check.choices)
        return register_drawable_preview(self.check.source, self.check.original)

    @property
    def unit_price(self) -> int:
        return int(self.check.price_now["amount"])

    @property
    def total(self) -> int:
        return self.unit_price * self.line.quantity


def check_lines(lines: list[CartLine]) -> list[CheckedLine]:
    """Each line read against its product's current catalog version."""
    checked = []
    for line in lines:
        current = current_version(line.product.slug) or line.catalog_version
        checked.append(CheckedLine(line, carry_over(line.catalog_version, line.choices, current)))
    return checked


def totals(checked: list[CheckedLine]) -> dict[str, int]:
    """Per currency, the sum of the lines that can be ordered as they are."""
    sums: dict[str, int] = {}
    for item in checked:
        if item.check.valid:
            currency = item.check.price_now["currency"]
            sums[currency] = sums.get(currency, 0) + item.total
    return sums


def apply_fix(line: CartLine) -> CartLine:
    """Move a line to the current version with the engine's repair (merging duplicates)."""
    current = current_version(line.product.slug) or line.catalog_version
    check = carry_over(line.catalog_version, line.choices, current)
    owner, quantity, design_id = line.owner_token, line.quantity, line.design_id
    remove_line(line)
    return add_line(
        owner, current, check.fixed_choices, quantity=quantity, design_id=design_id, clamp=True
    )
