"""The lock on an order's row, as each database can take it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, update

from configurator.core.database import db
from configurator.modules.orders.models import Order


def lock_orders_where(where: ColumnElement[bool]) -> Order | None:
    """Lock the matching order's row until the transaction ends and read it as stored.

    PostgreSQL locks the row (SELECT ... FOR UPDATE, which also returns the newest
    committed version). SQLite has no row locks: a write that changes nothing first
    takes the database's write lock, which it holds until commit or rollback, so the
    read after it is current and no other writer can slip in before our own write.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Order)
            .where(where)
            .values(updated_at=Order.updated_at)
            .execution_options(synchronize_session=False)
        )
    query = select(Order).where(where).with_for_update().execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one_or_none()


def lock_order(order: Order) -> Order:
    """Lock the order and re-read it: the first step of every change to its statuses.

    A request that loaded the order earlier (the order page, while the webhook runs)
    then works on what is stored now, never on what it read before.
    """
    locked = lock_orders_where(Order.id == order.id)
    assert locked is order
    return order


def begin_writing() -> None:
    """On SQLite, start the write transaction now (a no-op elsewhere).

    pysqlite sends BEGIN only before the first write; a SAVEPOINT outside a
    transaction would become the transaction itself and commit when released.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        lock_orders_where(false())
