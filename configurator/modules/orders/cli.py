"""`flask --app wsgi orders list|refund|reconcile`: the merchant's tools until there is a
back office, and the periodic check that catches payments whose webhook was lost."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from configurator.core.database import db
from configurator.core.timestamps import utcnow
from configurator.domain.money import format_money
from configurator.modules.orders import gateway
from configurator.modules.orders.services import (
    CheckoutError,
    get_order,
    list_orders,
    orders_to_reconcile,
    reconcile_payment,
    refund_order,
)
from configurator.modules.orders.status import OrderStatus

orders_cli = AppGroup("orders", help="List, refund and reconcile orders through Stripe.")


@orders_cli.command("list")
@click.option(
    "--status",
    type=click.Choice([status.value for status in OrderStatus]),
    help="Only orders with this status.",
)
def list_command(status: str | None) -> None:
    """One line per order: id, date, email, total, order status, payment status."""
    orders = list_orders(OrderStatus(status) if status else None)
    if not orders:
        click.echo("No orders.")
        return
    for order in orders:
        refunded = (
            f" (refunded {format_money(order.amount_refunded, order.currency)})"
            if order.amount_refunded
            else ""
        )
        click.echo(
            f"{order.id:>6}  {order.created_at:%Y-%m-%d %H:%M}  {order.email:<32}  "
            f"{format_money(order.total_amount, order.currency):>12}  "
            f"{order.status.value:<16} {order.payment_status.value}{refunded}"
        )


def refund_failure(order_id: int, error: gateway.GatewayError) -> str:
    """What the merchant is told when Stripe did not refund, or may have."""
    if isinstance(error, gateway.GatewayUnavailable) and error.outcome_unknown:
        return (
            f"Stripe did not answer ({error.detail}), so it is not known whether the refund "
            f"of order {order_id} was made. Run the same command again: it is recognised "
            "as the same refund, so the money is refunded at most once."
        )
    if isinstance(error, gateway.RequestRefused):
        return (
            f"Stripe refused the refund of order {order_id}: {error.detail} Nothing was refunded."
        )
    if isinstance(error, gateway.PaymentsNotConfigured):
        return f"Payments are not set up (no Stripe keys): {error.message}"
    return (
        f"Stripe could not be reached ({error.detail}); nothing was refunded for order "
        f"{order_id}. Try again later."
    )


@orders_cli.command("refund")
@click.argument("order_id", type=int)
@click.option(
    "--amount",
    type=click.IntRange(min=1),
    help="In minor units (cents); the whole remaining amount when left out.",
)
def refund_command(order_id: int, amount: int | None) -> None:
    """Refund an order in full, or part of it with --amount."""
    order = get_order(order_id)
    if order is None:
        raise click.ClickException(f"There is no order {order_id}.")
    try:
        outcome = refund_order(order, amount)
    except CheckoutError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    except gateway.GatewayError as error:
        db.session.rollback()
        raise click.ClickException(refund_failure(order_id, error)) from error
    db.session.commit()  # the ledger keeps every refund Stripe reported, failed ones too
    money = format_money(outcome.amount, order.currency)
    state = f"order is {order.status.value}, payment {order.payment_status.value}."
    if outcome.status in ("failed", "canceled"):
        reason = f" ({outcome.failure_reason})" if outcome.failure_reason else ""
        raise click.ClickException(
            f"Stripe could not make the refund of {money} for order {order.id} "
            f"({outcome.reference}): it is {outcome.status}{reason}. Nothing was refunded; "
            f"{state}"
        )
    if outcome.status != "succeeded":
        click.echo(
            f"Stripe accepted the refund of {money} for order {order.id} "
            f"({outcome.reference}) but reports it {outcome.status}: it counts as refunded "
            f"once Stripe confirms it. For now the {state}"
        )
        return
    earlier = " It had been made by the earlier attempt; nothing more was refunded." * (
        outcome.earlier
    )
    click.echo(f"Refunded {money} of order {order.id} ({outcome.reference}); {state}{earlier}")


@dataclass(frozen=True)
class Reconciled:
    """What a reconcile did for one order; ``reached``: whether Stripe answered."""

    order_id: int
    intent_id: str | None
    outcome: str
    reached: bool = True

    @property
    def changed_nothing(self) -> bool:
        return self.outcome.startswith("unchanged")

    def __str__(self) -> str:
        return f"order {self.order_id} ({self.intent_id}): {self.outcome}"


def reconcile_pending(older_than: timedelta) -> list[Reconciled]:
    """Reconcile every order awaiting news of its payment and unchanged for
    ``older_than``, each in its own transaction (its lock is held only for it)."""
    done: list[Reconciled] = []
    for order_id in orders_to_reconcile(utcnow() - older_than):
        order = get_order(order_id)
        if order is None:
            continue
        intent_id = order.payment_intent_id
        try:
            outcome = reconcile_payment(order)
        except gateway.IntentMissing:
            db.session.rollback()
            outcome = (
                "not checked: Stripe no longer knows this intent (an order that may "
                "still be paid gets a fresh one on its pay page)"
            )
        except gateway.GatewayError as error:
            db.session.rollback()
            outcome = f"not checked: Stripe could not be reached ({error.detail})"
            done.append(Reconciled(order_id, intent_id, outcome, reached=False))
            continue
        else:
            db.session.commit()
        done.append(Reconciled(order_id, intent_id, outcome))
    return done


def _reconcile_forever(older_than: timedelta, every: int) -> None:
    """Reconcile, then wait ``every`` seconds, until stopped. Prints what changed, and
    what could not be done when it differs from the last pass's word on that order.
    A pass that fails (the database is away) is logged and the next one tries again."""
    said: dict[int, str] = {}
    while True:
        try:
            done = reconcile_pending(older_than)
        except SQLAlchemyError:
            current_app.logger.exception("orders reconcile: this pass failed")
            db.session.rollback()
            done = []
        for result in done:
            if not result.changed_nothing and said.get(result.order_id) != result.outcome:
                click.echo(str(result))
            said[result.order_id] = result.outcome
        db.session.remove()
        time.sleep(every)


@orders_cli.command("reconcile")
@click.option(
    "--older-than",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Only orders whose payment has not changed for this many minutes.",
)
@click.option(
    "--every",
    type=click.IntRange(min=1),
    help="Keep running, once every this many seconds (printing only what changed).",
)
def reconcile_command(older_than: int, every: int | None) -> None:
    """Ask Stripe about orders still awaiting payment and apply what it says.

    This is what a lost webhook would have done: an intent that succeeded makes its
    order paid, once, however often this runs or the webhook comes after all. One line
    per order; exit status 1 when Stripe could not be reached for some order.
    """
    if every is not None:
        try:
            _reconcile_forever(timedelta(minutes=older_than), every)
        except KeyboardInterrupt:
            return
    done = reconcile_pending(timedelta(minutes=older_than))
    for result in done:
        click.echo(str(result))
    if not done:
        click.echo(f"No orders awaiting payment for more than {older_than} minutes.")
    unreachable = sum(1 for result in done if not result.reached)
    if unreachable:
        raise click.ClickException(
            f"Stripe could not be reached for {unreachable} of {len(done)} orders; they "
            "were left as they were. Run this again later."
        )
