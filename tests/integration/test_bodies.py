"""Unit tests of api/bodies.py and the request models: reading and checking JSON bodies.
Every problem is an ApiError with a 4xx status and the field it is about. No database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from pydantic import BaseModel, ValidationError

from configurator.core.errors import ApiError
from configurator.web.api.bodies import (
    json_object,
)
from configurator.web.api.models import (
    CompleteRequest,
    ConfigureRequest,
    DesignRequest,
    ExplainRequest,
    MissingRequest,
)
from configurator.web.api.spec import api_error_from


@pytest.fixture(scope="module")
def bare_app() -> Flask:
    return Flask(__name__)


def parse(
    app: Flask, raw: bytes | str, content_type: str | None = "application/json"
) -> dict[str, Any]:
    with app.test_request_context("/", method="POST", data=raw, content_type=content_type):
        return json_object()


def refused(
    app: Flask, raw: bytes | str, content_type: str | None = "application/json"
) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse(app, raw, content_type)
    return caught.value


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/json",
    ],
)
def test_a_body_not_sent_as_json_is_415(bare_app: Flask, content_type: str | None) -> None:
    """What a form on another site can send without asking first (text/plain, forms) is
    never read as JSON, however JSON-like the body."""
    error = refused(bare_app, '{"choices": {}}', content_type)
    assert (error.status, error.code, error.field) == (415, "unsupported_media_type", None)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/merge-patch+json"]
)
def test_json_media_types_are_read(bare_app: Flask, content_type: str) -> None:
    assert parse(bare_app, '{"a": 1}', content_type) == {"a": 1}


def test_an_object_is_read(bare_app: Flask) -> None:
    raw = '{"choices": {"size": 42.5, "extras": ["tag"]}, "title": "Mine"}'
    assert parse(bare_app, raw) == {"choices": {"size": 42.5, "extras": ["tag"]}, "title": "Mine"}


@pytest.mark.parametrize(
    "raw",
    ["", "{", "{'a': 1}", '{"a": NaN}', '{"a": Infinity}', '{"a": 1e999}', "[" * 100_000],
)
def test_malformed_json_is_400(bare_app: Flask, raw: str) -> None:
    error = refused(bare_app, raw)
    assert (error.status, error.code, error.field) == (400, "malformed_json", None)


@pytest.mark.parametrize("raw", ["[]", '"text"', "42", "null"])
def test_a_body_that_is_not_an_object_is_400(bare_app: Flask, raw: str) -> None:
    error = refused(bare_app, raw)
    assert (error.status, error.code) == (400, "invalid_body")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "\ud800"}, "title"),
        ({"choices": {"monogram": "A\udfffB"}}, "choices.monogram"),
        ({"choices": {"toppings": ["hazelnut", "\ud83d"]}}, "choices.toppings"),
        ({"choices": {"\ud800": "x"}}, "choices"),
        ({"\udc00": 1}, None),
    ],
)
def test_lone_surrogates_are_400_naming_the_field(
    bare_app: Flask, body: dict[str, Any], field: str | None
) -> None:
    # json.dumps writes lone surrogates as \\uXXXX escapes, which json.loads accepts.
    error = refused(bare_app, json.dumps(body))
    assert (error.status, error.code, error.field) == (400, "invalid_text", field)
    assert "lone surrogate" in error.message


def test_surrogate_pairs_are_text(bare_app: Flask) -> None:
    assert parse(bare_app, '{"title": "\\ud83d\\udc5f"}') == {"title": "\U0001f45f"}


def test_a_body_nested_as_deep_as_json_allows_is_checked(bare_app: Flask) -> None:
    depth = 900  # json.loads reads it; the check walks it without recursing
    raw = '{"a": ' * depth + '"\\ud800"' + "}" * depth
    error = refused(bare_app, raw)
    assert (error.code, error.field) == ("invalid_text", ".".join(["a"] * depth))


def refused_by(model: type[BaseModel], body: dict[str, Any]) -> ApiError:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return api_error_from(caught.value)


def test_required_string() -> None:
    assert DesignRequest.model_validate({"product": "ring"}).product == "ring"
    for body, code in [({}, "missing_field"), ({"product": None}, "missing_field")]:
        error = refused_by(DesignRequest, body)
        assert (error.status, error.code, error.field) == (400, code, "product")
    for wrong in (3, ["ring"], {"slug": "ring"}, True):
        error = refused_by(DesignRequest, {"product": wrong})
        assert (error.code, error.field) == ("invalid_type", "product")


def test_strings_with_nul_are_400_naming_the_field() -> None:
    for body in ({"product": "Sneaker\x00for Sam"}, {"product": "ring", "title": "A\x00B"}):
        error = refused_by(DesignRequest, body)
        assert (error.status, error.code, error.field) == (
            400,
            "invalid_text",
            next(reversed(body)),
        )
        assert "NUL" in error.message


def test_nul_in_a_chosen_text_is_400_naming_the_choice() -> None:
    for value in ("A\x00", ["hazelnut", "\x00"]):
        error = refused_by(MissingRequest, {"choices": {"monogram": value}})
        assert (error.status, error.code, error.field) == (400, "invalid_text", "choices.monogram")


def test_optional_string() -> None:
    assert DesignRequest.model_validate({"product": "ring"}).title is None
    assert DesignRequest.model_validate({"product": "ring", "title": None}).title is None
    assert DesignRequest.model_validate({"product": "ring", "title": ""}).title == ""
    error = refused_by(DesignRequest, {"product": "ring", "title": 12})
    assert (error.status, error.field) == (400, "title")


def test_a_title_too_long_is_422() -> None:
    error = refused_by(DesignRequest, {"product": "ring", "title": "x" * 201})
    assert (error.status, error.code, error.field) == (422, "too_long", "title")


def test_optional_bool() -> None:
    assert ConfigureRequest.model_validate({}).explain is True
    assert ConfigureRequest.model_validate({"explain": False}).explain is False
    for wrong in (0, 1, "false", None):
        error = refused_by(ConfigureRequest, {"explain": wrong})
        assert (error.status, error.field) == (400, "explain")


def test_optional_number() -> None:
    body = {"attribute": "size"}
    assert ExplainRequest.model_validate(body).value is None
    assert ExplainRequest.model_validate({**body, "value": 48}).value == 48
    assert ExplainRequest.model_validate({**body, "value": 48.5}).value == 48.5
    for wrong in (True, "48", [48]):
        error = refused_by(ExplainRequest, {**body, "value": wrong})
        assert (error.status, error.field) == (400, "value")


def test_choices_object() -> None:
    assert MissingRequest.model_validate({}).choices == {}
    assert MissingRequest.model_validate({"choices": {"size": 3}}).choices == {"size": 3}
    for wrong in ([], "size=3", None, 3):
        error = refused_by(MissingRequest, {"choices": wrong})
        assert (error.status, error.code, error.field) == (400, "invalid_type", "choices")


def test_a_choice_of_no_json_kind_is_400_naming_it() -> None:
    for wrong in (True, {"a": 1}, [1, 2]):
        error = refused_by(MissingRequest, {"choices": {"upper": wrong}})
        assert (error.status, error.code, error.field) == (400, "invalid_type", "choices.upper")


def test_an_unknown_strategy_is_422() -> None:
    error = refused_by(CompleteRequest, {"strategy": "dearest"})
    assert (error.status, error.code, error.field) == (422, "unknown_strategy", "strategy")
