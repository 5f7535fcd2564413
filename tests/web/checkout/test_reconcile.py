"""A payment whose webhook never came: `orders reconcile` and the order page apply it.

Here the shop's webhook receiver is stopped for good: the module's localstripe posts
every event, signed, to a port nobody listens on, and (like Stripe once its retries run
out) never again. The events it recorded stand for a webhook that comes late after all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from configurator.core.database import db
from configurator.modules.orders import gateway
from configurator.modules.orders.models import Order
from configurator.modules.orders.services import apply_event, get_order, reconcile_payment
from configurator.modules.orders.status import OrderStatus, PaymentStatus
from tests.web.checkout.conftest import (
    CARD_OK,
    PROJECT_ROOT,
    STRIPE_TEST_MODE,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Shopper,
    StripeBackend,
    closed_port,
    deliver_events,
    ledger,
    localstripe_backend,
    post_event,
    signature_header,
    stripe_config,
    stripe_events,
    stripe_test_mode,
    with_stripe_down,
)

BLACK_GLOW = {"colour": "black", "print": "glow"}  # 2800


@pytest.fixture(scope="module")
def stripe_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeBackend]:
    """This module's Stripe: localstripe delivering webhooks to a stopped receiver.

    (Against Stripe test mode, no webhook endpoint reaches the tests anyway.)
    """
    if STRIPE_TEST_MODE:
        yield stripe_test_mode()
        return
    stopped = f"http://127.0.0.1:{closed_port()}{WEBHOOK_PATH}"
    yield from localstripe_backend(
        tmp_path_factory.mktemp("localstripe-no-receiver"),
        *("--webhook-url", stopped, "--webhook-secret", WEBHOOK_SECRET),
    )


def paid_at_stripe(shopper: Shopper) -> Order:
    """An order whose card payment succeeded at Stripe; no webhook reached the shop."""
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    assert shopper.pay(CARD_OK)["status"] == "processing"
    order = shopper.order()
    assert (order.status, order.payment_status) == (
        OrderStatus.PENDING_PAYMENT,
        PaymentStatus.PROCESSING,
    )
    return order


def reconcile(app: Flask, *options: str) -> Result:
    return app.test_cli_runner().invoke(args=["orders", "reconcile", *options])


def transitions_to_paid(app: Flask) -> int:
    """How many times the ledger says an order was made paid (the outcome of a change
    names the new statuses; news that changes nothing says "unchanged")."""
    return sum(1 for row in ledger(app) if row.outcome == "paid/paid")


def test_a_payment_whose_webhook_never_came_is_reconciled_once(
    shopper: Shopper, app: Flask
) -> None:
    order = paid_at_stripe(shopper)
    intent = order.payment_intent_id

    # Just paid: the webhook may still be on its way, so the default leaves it be.
    early = reconcile(app)
    assert early.exit_code == 0, early.output
    assert early.output == "No orders awaiting payment for more than 5 minutes.\n"
    assert shopper.order().payment_status == PaymentStatus.PROCESSING

    first = reconcile(app, "--older-than", "0")
    assert first.exit_code == 0, first.output
    assert first.output == f"order {order.id} ({intent}): paid/paid\n"
    order = shopper.order()
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.PAID)
    rows = [(row.reference, row.type, row.amount, row.outcome) for row in ledger(app)]
    assert rows == [(f"reconcile:{intent}:succeeded", "reconcile", 2800, "paid/paid")]

    again = reconcile(app, "--older-than", "0")
    assert again.exit_code == 0, again.output
    assert again.output == "No orders awaiting payment for more than 0 minutes.\n"
    assert len(ledger(app)) == 1

    # The webhook comes after all: recorded, and it changes nothing.
    outcomes = [answer["outcome"] for answer in deliver_events(shopper.client, shopper.stripe)]
    assert "unchanged: paid" in outcomes and "paid/paid" not in outcomes
    assert transitions_to_paid(app) == 1
    assert shopper.order().payment_status == PaymentStatus.PAID


def test_an_order_page_that_finds_the_intent_succeeded_shows_it_paid(
    shopper: Shopper, app: Flask
) -> None:
    order = paid_at_stripe(shopper)
    for _ in range(2):
        page = shopper.client.get(f"/orders/{shopper.token}")
        assert page.status_code == 200
        assert "Paid — thank you!" in page.text
        assert 'http-equiv="refresh"' not in page.text
    assert shopper.order().status == OrderStatus.PAID
    rows = [(row.reference, row.outcome) for row in ledger(app)]
    assert rows == [(f"reconcile:{order.payment_intent_id}:succeeded", "paid/paid")]
    # The command, run next, finds nothing left to do.
    later = reconcile(app, "--older-than", "0")
    assert later.output == "No orders awaiting payment for more than 0 minutes.\n"


def succeeded_event(shopper: Shopper) -> bytes:
    (event,) = stripe_events(shopper.stripe, "payment_intent.succeeded")
    return json.dumps(event).encode()


def while_holding(app: Flask, holder: Callable[[], str], waiter: Callable[[], None]) -> None:
    """Run ``holder`` (it changes the order and leaves its transaction open, holding
    the order's lock), start ``waiter`` on another connection, see it wait, commit."""
    second = threading.Thread(target=waiter)
    with app.app_context():
        assert holder() == "paid/paid"
        second.start()
        second.join(timeout=1.5)
        assert second.is_alive(), "the second did not wait for the first's lock"
        db.session.commit()
    second.join(timeout=30)
    assert not second.is_alive()


def test_a_reconcile_during_the_webhook_waits_for_it_and_changes_nothing(
    shopper: Shopper, app: Flask
) -> None:
    order = paid_at_stripe(shopper)
    payload = succeeded_event(shopper)
    results: dict[str, Result] = {}

    def webhook() -> str:
        return apply_event(gateway.verified_event(payload, signature_header(payload)))

    def command() -> None:
        results["reconcile"] = reconcile(app, "--older-than", "0")

    while_holding(app, webhook, command)
    assert results["reconcile"].exit_code == 0, results["reconcile"].output
    assert results["reconcile"].output == (
        f"order {order.id} ({order.payment_intent_id}): unchanged: paid\n"
    )
    assert transitions_to_paid(app) == 1
    assert [row.type for row in ledger(app)] == ["payment_intent.succeeded"]


def test_a_webhook_during_a_reconcile_waits_for_it_and_changes_nothing(
    shopper: Shopper, app: Flask
) -> None:
    order = paid_at_stripe(shopper)
    payload = succeeded_event(shopper)
    answers: dict[str, Any] = {}

    def command() -> str:
        stored = get_order(order.id)
        assert stored is not None
        return reconcile_payment(stored)

    def webhook() -> None:
        answers["webhook"] = app.test_client().post(
            WEBHOOK_PATH,
            data=payload,
            headers={"Stripe-Signature": signature_header(payload)},
            content_type="application/json",
        )

    while_holding(app, command, webhook)
    assert answers["webhook"].status_code == 200, answers["webhook"].text
    assert answers["webhook"].json["outcome"] == "unchanged: paid"
    assert transitions_to_paid(app) == 1
    assert [row.type for row in ledger(app)] == ["reconcile", "payment_intent.succeeded"]


def test_reconciles_order_pages_and_webhooks_all_at_once_make_one_transition(
    shopper: Shopper, app: Flask
) -> None:
    order = paid_at_stripe(shopper)
    (event,) = stripe_events(shopper.stripe, "payment_intent.succeeded")
    start = threading.Barrier(6)
    problems: list[str] = []

    def webhook() -> None:
        start.wait()
        answer = post_event(app.test_client(), event)
        if answer.status_code != 200:
            problems.append(f"webhook {answer.status_code}: {answer.text}")

    def order_page() -> None:
        start.wait()
        page = app.test_client().get(f"/orders/{shopper.token}")
        if page.status_code != 200 or "Paid — thank you!" not in page.text:
            problems.append(f"order page {page.status_code}")

    def command() -> None:
        start.wait()
        result = reconcile(app, "--older-than", "0")
        if result.exit_code != 0:
            problems.append(f"reconcile: {result.output}")

    threads = [threading.Thread(target=work) for work in (webhook, order_page, command) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert problems == []
    assert transitions_to_paid(app) == 1
    # The event is recorded once; a reconcile row only if a reconcile came first.
    references = [row.reference for row in ledger(app)]
    assert references.count(event["id"]) == 1
    assert set(references) <= {event["id"], f"reconcile:{order.payment_intent_id}:succeeded"}
    assert shopper.order().status == OrderStatus.PAID


def test_reconcile_exits_1_and_changes_nothing_when_stripe_cannot_be_reached(
    make_app: Callable[..., Flask], shopper: Shopper
) -> None:
    order = paid_at_stripe(shopper)
    down = with_stripe_down(make_app, shopper.stripe)
    result = reconcile(down, "--older-than", "0")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"order {order.id} ({order.payment_intent_id}): not checked: Stripe could not be reached"
    )
    assert "Stripe could not be reached for 1 of 1 orders" in lines[1]
    assert shopper.order().payment_status == PaymentStatus.PROCESSING


def test_the_periodic_reconcile_makes_the_order_paid_by_itself(
    shopper: Shopper, database_url: str, tmp_path: Path
) -> None:
    """`orders reconcile --every N`, the process `make run` starts beside the app."""
    order = paid_at_stripe(shopper)
    settings = stripe_config(
        shopper.stripe.api_base, shopper.stripe.secret_key, shopper.stripe.publishable_key
    )
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "reconcile-instance"),
        **{name: value for name, value in settings.items() if value is not None},
    }
    command = ["-m", "flask", "--app", "wsgi", "orders", "reconcile", "--older-than", "0"]
    process = subprocess.Popen(
        [sys.executable, *command, "--every", "1"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while shopper.order().status != OrderStatus.PAID:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the periodic reconcile did not pay the order"
            time.sleep(0.2)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    paid = f"order {order.id} ({order.payment_intent_id}): paid/paid"
    assert output.splitlines().count(paid) == 1
    assert "unchanged" not in output
