"""Unit tests of api/bodies.py: reading and checking JSON bodies. Every problem is an
ApiError with a 4xx status and the field it is about. No database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from configurator.core.errors import ApiError
from configurator.web.api.bodies import (
    choices_object,
    json_object,
    optional_bool,
    optional_number,
    optional_string,
    required_string,
)


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


def test_required_string(bare_app: Flask) -> None:
    assert required_string({"product": "ring"}, "product") == "ring"
    for body, code in [({}, "missing_field"), ({"product": None}, "missing_field")]:
        with pytest.raises(ApiError) as caught:
            required_string(body, "product")
        assert (caught.value.status, caught.value.code, caught.value.field) == (
            400,
            code,
            "product",
        )
    for wrong in (3, ["ring"], {"slug": "ring"}, True):
        with pytest.raises(ApiError) as caught:
            required_string({"product": wrong}, "product")
        assert (caught.value.code, caught.value.field) == ("invalid_type", "product")


def test_strings_with_nul_are_400_naming_the_field() -> None:
    for read in (required_string, optional_string):
        with pytest.raises(ApiError) as caught:
            read({"title": "Sneaker\x00for Sam"}, "title")
        assert (caught.value.status, caught.value.code, caught.value.field) == (
            400,
            "invalid_text",
            "title",
        )
        assert "NUL" in caught.value.message


def test_optional_string() -> None:
    assert optional_string({}, "title") is None
    assert optional_string({"title": None}, "title") is None
    assert optional_string({"title": ""}, "title") == ""
    with pytest.raises(ApiError) as caught:
        optional_string({"title": 12}, "title")
    assert (caught.value.status, caught.value.field) == (400, "title")


def test_optional_bool() -> None:
    assert optional_bool({}, "explain", default=True) is True
    assert optional_bool({"explain": False}, "explain", default=True) is False
    for wrong in (0, 1, "false", None):
        with pytest.raises(ApiError) as caught:
            optional_bool({"explain": wrong}, "explain", default=True)
        assert (caught.value.status, caught.value.field) == (400, "explain")


def test_optional_number() -> None:
    assert optional_number({}, "value") is None
    assert optional_number({"value": 48}, "value") == 48
    assert optional_number({"value": 48.5}, "value") == 48.5
    for wrong in (True, "48", [48]):
        with pytest.raises(ApiError) as caught:
            optional_number({"value": wrong}, "value")
        assert (caught.value.status, caught.value.field) == (400, "value")


def test_choices_object() -> None:
    assert choices_object({}) == {}
    assert choices_object({"choices": {"size": 3}}) == {"size": 3}
    for wrong in ([], "size=3", None, 3):
        with pytest.raises(ApiError) as caught:
            choices_object({"choices": wrong})
        assert (caught.value.status, caught.value.code, caught.value.field) == (
            400,
            "invalid_type",
            "choices",
        )
