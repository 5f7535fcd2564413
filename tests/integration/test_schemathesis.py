"""Schemathesis against the app (through WSGI): every operation of the generated OpenAPI
document, bounded and derandomized, checked for 5xx and for status, content type and
answer schema conformance.

What random requests cannot reach (docs/api.md says so too): the payment endpoints need
an order token and the page's CSRF token, so they are fuzzed on their 404 and 400
answers; their successful answers are checked by tests/checkout. The Stripe webhook
needs a signature over the body, so it is fuzzed on its refusals (400, 503);
tests/checkout/test_webhook_events.py sends signed events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from configurator.extensions import db
from configurator.products.models import CatalogVersion

MAX_EXAMPLES = 25  # per operation: CI stays fast, and derandomized, reproducible
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Payments configured (to an address that is never reached: no generated request gets
# that far), so that the webhook answers an unsigned body 400, not 503 "not set up".
PAYMENTS = {
    "STRIPE_SECRET_KEY": "sk_test_schemathesis",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_schemathesis",
    "STRIPE_WEBHOOK_SECRET": "whsec_schemathesis",
    "STRIPE_API_BASE": "http://127.0.0.1:9",
}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(**PAYMENTS)
    with app.app_context():
        db.create_all()
    yield app


def _now_and_then(schema: dict[str, Any], known: str) -> dict[str, Any]:
    """A string schema that often names the published product, so that generated
    requests get past the 404 and reach the engine."""
    return {"anyOf": [{"const": known}, schema]}


def _aimed_at(document: dict[str, Any], slug: str) -> dict[str, Any]:
    for path in document["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "slug":
                    parameter["schema"] = _now_and_then(parameter["schema"], slug)
    product = document["components"]["schemas"]["DesignRequest"]["properties"]["product"]
    document["components"]["schemas"]["DesignRequest"]["properties"]["product"] = _now_and_then(
        product, slug
    )
    return document


def _schema(app: Flask, slug: str) -> Any:
    document = app.test_client().get("/api/openapi.json").get_json()
    loaded = schemathesis.openapi.from_dict(_aimed_at(document, slug))
    loaded.app = app
    return loaded


def _failures(operation: Any) -> list[str]:
    """Run one operation's bounded, derandomized examples; what failed, as text."""
    failed: list[str] = []

    @given(operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    try:
        check()
    except (Exception, BaseExceptionGroup) as error:  # every operation's, asserted below
        failed.append(f"{operation.label}: {error}")
    return failed


def test_every_operation_keeps_to_the_document(
    app: Flask, publish: Callable[..., CatalogVersion]
) -> None:
    schema = _schema(app, publish().slug)
    operations = [result.ok() for result in schema.get_all_operations()]
    document = app.test_client().get("/api/openapi.json").get_json()
    documented = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    assert {operation.label for operation in operations} == documented  # none left out
    failures = [failure for operation in operations for failure in _failures(operation)]
    assert failures == []
