"""The webhook refuses, with the error envelope, whatever is not a signed event it can read.

Every body here is signed correctly, as Stripe (or someone holding the secret) would
sign it: the signature alone does not make a body safe to read or store.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.checkout.conftest import (
    CARD_OK,
    WEBHOOK_PATH,
    Shopper,
    ledger,
    post_event,
    signature_header,
    stripe_events,
    with_stripe_down,
)

INTENT = {"object": "payment_intent", "id": "pi_123", "amount": 2800}


def event(**fields: Any) -> dict[str, Any]:
    return {
        "id": "evt_123",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": INTENT},
        **fields,
    }


def signed_post(client: FlaskClient, payload: bytes, timestamp: int | None = None) -> Any:
    return client.post(
        WEBHOOK_PATH,
        data=payload,
        headers={"Stripe-Signature": signature_header(payload, timestamp=timestamp)},
        content_type="application/json",
    )


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


MALFORMED: dict[str, tuple[bytes, str | None]] = {
    "a list": (json_body([event()]), None),
    "a string": (json_body("evt_123"), None),
    "null": (b"null", None),
    "not JSON": (b'{"id": "evt_123",', None),
    "not UTF-8": (b'{"id": "evt_\xff"}', None),
    "no id": (json_body({key: v for key, v in event().items() if key != "id"}), "id"),
    "an id that is a number": (json_body(event(id=123)), "id"),
    "an empty id": (json_body(event(id="")), "id"),
    "an id longer than the column": (json_body(event(id="evt_" + "x" * 252)), "id"),
    "a NUL in the id": (json_body(event(id="evt_\x00")), "id"),
    "a lone surrogate in the id": (b'{"id": "evt_\\ud800", "type": "x", "data": {}}', "id"),
    "no type": (json_body({key: v for key, v in event().items() if key != "type"}), "type"),
    "a type longer than the column": (json_body(event(type="t" * 101)), "type"),
    "a NUL in the type": (json_body(event(type="payment_intent.\x00")), "type"),
    "no data": (json_body({key: v for key, v in event().items() if key != "data"}), "data"),
    "data a list": (json_body(event(data=[INTENT])), "data"),
    "no data.object": (json_body(event(data={})), "data.object"),
    "data.object a string": (json_body(event(data={"object": "pi_123"})), "data.object"),
    "an intent id that is an object": (
        json_body(event(data={"object": {**INTENT, "id": {"id": "pi_123"}}})),
        "data.object.id",
    ),
    "an intent id longer than the column": (
        json_body(event(data={"object": {**INTENT, "id": "pi_" + "x" * 253}})),
        "data.object.id",
    ),
    "a NUL in the intent id": (
        json_body(event(data={"object": {**INTENT, "id": "pi_\x00"}})),
        "data.object.id",
    ),
    "a charge whose intent is a number": (
        json_body(
            event(
                type="charge.refunded",
                data={"object": {"object": "charge", "id": "ch_1", "payment_intent": 7}},
            )
        ),
        "data.object.payment_intent",
    ),
}


@pytest.mark.parametrize("payload, field", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_event_of_the_wrong_shape_is_refused_with_400(
    app: Flask, client: FlaskClient, payload: bytes, field: str | None
) -> None:
    answer = signed_post(client, payload)
    assert answer.status_code == 400, answer.text
    error = answer.json["error"]
    assert (error["code"], error["field"]) == ("malformed_event", field)
    assert error["message"]
    assert ledger(app) == []


def test_a_bad_signature_is_refused_with_the_envelope(client: FlaskClient) -> None:
    payload = json_body(event())
    answer = client.post(
        WEBHOOK_PATH,
        data=payload,
        headers={"Stripe-Signature": signature_header(payload, secret="whsec_wrong")},
    )
    assert answer.status_code == 400
    error = answer.json["error"]
    assert (error["code"], error["field"]) == ("invalid_signature", "Stripe-Signature")
    unsigned = client.post(WEBHOOK_PATH, data=payload)
    assert unsigned.json["error"]["code"] == "invalid_signature"


def test_a_well_formed_event_for_no_order_is_recorded_and_ignored(
    app: Flask, client: FlaskClient
) -> None:
    answer = signed_post(client, json_body(event()))
    assert answer.status_code == 200, answer.text
    assert answer.json["outcome"] == "ignored: no order for this intent"
    assert [(row.reference, row.payment_intent_id, row.amount) for row in ledger(app)] == [
        ("evt_123", "pi_123", 2800)
    ]


@pytest.mark.parametrize("ahead, status", [(10 * 60, 400), (60, 200)])
def test_signatures_made_for_later_are_refused(
    app: Flask, client: FlaskClient, ahead: int, status: int
) -> None:
    """Stripe's library checks only how old a signature is; one made more than five
    minutes ahead of our clock is not clock skew."""
    answer = signed_post(client, json_body(event()), timestamp=int(time.time()) + ahead)
    assert answer.status_code == status, answer.text
    if status == 400:
        error = answer.json["error"]
        assert (error["code"], error["field"]) == ("invalid_signature", "Stripe-Signature")
        assert ledger(app) == []


def test_an_old_signature_is_still_refused(client: FlaskClient) -> None:
    answer = signed_post(client, json_body(event()), timestamp=int(time.time()) - 10 * 60)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_signature"


def test_without_a_webhook_secret_the_webhook_answers_503_with_the_envelope(
    make_app: Callable[..., Flask], stripe_api: Any
) -> None:
    bare = make_app(**{**stripe_api.config(), "STRIPE_WEBHOOK_SECRET": None})
    answer = signed_post(bare.test_client(), json_body(event()))
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "payments_not_configured"


def test_when_stripe_cannot_be_reached_the_event_is_deferred_with_the_envelope(
    make_app: Callable[..., Flask], shopper: Shopper
) -> None:
    shopper.add_to_cart({"colour": "black", "print": "glow"})
    shopper.start(shopper.checkout())
    shopper.pay(CARD_OK)
    (succeeded,) = stripe_events(shopper.stripe, "payment_intent.succeeded")
    down = with_stripe_down(make_app, shopper.stripe)
    answer = post_event(down.test_client(), succeeded)
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "payment_provider_unavailable"
    assert ledger(shopper.app) == []
