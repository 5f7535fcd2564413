"""`flask --app wsgi orders list|refund`: the merchant's tools until there is a back office."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..money import format_money
from . import gateway
from .services import CheckoutError, get_order, list_orders, refund_order
from .status import OrderStatus

orders_cli = AppGroup("orders", help="List orders and refund them through Stripe.")


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
