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

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from configurator.core.database import db
from configurator.modules.catalog.models import CatalogVersion

MAX_EXAMPLES = 25  # per operation: CI stays fast, and derandomized, reproducible
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A request the document allows is taken: only the catalog may refuse it (unknown
# product or design 404, unknown id 422). Not asked of the operations that need state
# no generated request has (the order's and the page's CSRF token, Stripe's signature).
NEEDS_STATE = ("/orders/", "/api/webhooks/")
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 404, 422]}}}
)


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


@dataclass(frozen=True)
class Known:
    """What exists in the app under test, for requests to name."""

    slug: str
    attributes: frozenset[str]
    attribute: str  # one with options
    option: str
    design: str


def _known(client: FlaskClient, slug: str) -> Known:
    attributes = client.get(f"/api/products/{slug}").get_json()["attributes"]
    single = next(attribute for attribute in attributes if attribute["kind"] == "single")
    design = client.post("/api/designs", json={"product": slug}).get_json()["id"]
    return Known(
        slug,
        frozenset(attribute["id"] for attribute in attributes),
        single["id"],
        single["options"][0]["id"],
        design,
    )


def _aimed_at(case: schemathesis.Case, known: Known) -> None:
    """Names the published product, its attributes and options, and a saved design (the
    generated names never do), so that requests get past 404 and 422 to the engine."""
    parameters = case.path_parameters or {}
    for name, value in (("slug", known.slug), ("id", known.design)):
        if name in parameters:
            parameters[name] = value
    if not isinstance(case.body, dict):
        return
    for name, value in (
        ("product", known.slug),
        ("attribute", known.attribute),
        ("option", known.option),
    ):
        if name in case.body:
            case.body[name] = value
    choices = case.body.get("choices")
    if isinstance(choices, dict):
        case.body["choices"] = {k: v for k, v in choices.items() if k in known.attributes}


def _schema(app: Flask) -> Any:
    document = app.test_client().get("/api/openapi.json").get_json()
    loaded = schemathesis.openapi.from_dict(document, config=CONFIG)
    loaded.app = app
    return loaded


def _failures(operation: Any, known: Known, statuses: list[int]) -> list[str]:
    """Run one operation's bounded, derandomized examples (their answers' statuses go
    to ``statuses``); what failed, as text."""
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
        if len(statuses) % 2:
            _aimed_at(case, known)
        statuses.append(case.call_and_validate(checks=checks).status_code)

    stateless = not any(part in operation.label for part in NEEDS_STATE)
    checks = [*CHECKS, positive_data_acceptance] if stateless else CHECKS

    try:
        check()
    except (Exception, BaseExceptionGroup) as error:  # every operation's, asserted below
        failed.append(f"{operation.label}: {error}")
    return failed


def test_every_operation_keeps_to_the_document(
    app: Flask, publish: Callable[..., CatalogVersion]
) -> None:
    known = _known(app.test_client(), publish().slug)
    schema = _schema(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    document = app.test_client().get("/api/openapi.json").get_json()
    documented = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    assert {operation.label for operation in operations} == documented  # none left out
    statuses: dict[str, list[int]] = {}
    failures = [
        failure
        for operation in operations
        for failure in _failures(operation, known, statuses.setdefault(operation.label, []))
    ]
    assert failures == []
    # Each operation that needs no state was answered, not only refused.
    refused_only = [
        label
        for label, answered in statuses.items()
        if not any(part in label for part in NEEDS_STATE)
        and not any(200 <= status < 300 for status in answered)
    ]
    assert refused_only == [], statuses


def _string_schemas(node: Any, schemas: dict[str, Any], seen: set[str]) -> list[dict[str, Any]]:
    """The string schemas a request body's schema holds, references followed."""
    if isinstance(node, list):
        return [found for item in node for found in _string_schemas(item, schemas, seen)]
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _string_schemas(schemas[name], schemas, seen | {name})
    found = [node] if node.get("type") == "string" and "enum" not in node else []
    return found + [s for value in node.values() for s in _string_schemas(value, schemas, seen)]


def test_the_document_refuses_nul_in_every_string_the_server_refuses_it_in(
    app: Flask, publish: Callable[..., CatalogVersion]
) -> None:
    """A fuzzer found the server refusing NUL (400) where the document allowed it."""
    slug = publish().slug
    client = app.test_client()
    document = client.get("/api/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        body = item.get("post", {}).get("requestBody")
        if body is None:
            continue
        strings = _string_schemas(body["content"]["application/json"]["schema"], schemas, set())
        assert strings, path
        for string in strings:
            pattern = string.get("pattern")
            assert pattern is not None and re.search(pattern, "a\x00b") is None, (path, string)
    answer = client.post(f"/api/products/{slug}/missing", json={"choices": {"name": "A\x00"}})
    assert (answer.status_code, answer.json["error"]["field"]) == (400, "choices.name")
    answer = client.post("/api/designs", json={"product": slug, "title": "A\x00"})
    assert (answer.status_code, answer.json["error"]["code"]) == (400, "invalid_text")
