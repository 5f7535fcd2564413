"""Reading and checking JSON request bodies; every problem is a 4xx ApiError."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request

from configurator.core.errors import ApiError, is_unicode_text, text_fault


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text}")
    return value


def _no_constants(text: str) -> None:
    raise ValueError(f"{text} is not JSON")


def json_object() -> dict[str, Any]:
    """The request body as a JSON object; 400 when it is not one, 413 when too big, 415
    when it is not sent as JSON (a form on another site can send text/plain)."""
    raw = request.get_data(cache=True)  # raises RequestEntityTooLarge past the limit
    if raw and not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."
        )
    try:
        body = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "malformed_json", f"The body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "The body must be a JSON object.")
    _check_unicode(body)
    return body


SURROGATE = "is not valid Unicode text (it contains a lone surrogate)"


def _check_unicode(body: dict[str, Any]) -> None:
    """Refuse strings (values or keys) that are not Unicode text, naming where they are:
    ``title``, ``choices.monogram`` (a list's items are named by the list). Iterative, so
    that a body nested as deep as the JSON parser allows is no problem."""
    pending: list[tuple[Any, str]] = [(body, "")]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if not is_unicode_text(value):
                raise _invalid_text(
                    path, "is not valid Unicode text (it contains a lone surrogate)"
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                if not is_unicode_text(key):
                    where = path or "the body"
                    raise ApiError(
                        400, "invalid_text", f"A key in {where} {SURROGATE}.", path or None
                    )
                pending.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            pending.extend((item, path) for item in value)


def _invalid_text(field: str, fault: str) -> ApiError:
    return ApiError(400, "invalid_text", f"{field} {fault}.", field)


def _type_error(field: str, expected: str) -> ApiError:
    return ApiError(400, "invalid_type", f"{field} must be {expected}.", field)


def required_string(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if value is None:
        raise ApiError(400, "missing_field", f"{field} is required.", field)
    if not isinstance(value, str):
        raise _type_error(field, "a string")
    return _text(value, field)


def optional_string(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(field, "a string or null")
    return _text(value, field)


def _text(value: str, field: str) -> str:
    fault = text_fault(value)
    if fault:
        raise _invalid_text(field, fault)
    return value


def optional_bool(body: dict[str, Any], field: str, default: bool) -> bool:
    value = body.get(field, default)
    if not isinstance(value, bool):
        raise _type_error(field, "true or false")
    return value


def optional_number(body: dict[str, Any], field: str) -> float | None:
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _type_error(field, "a number")
    return value


def choices_object(body: dict[str, Any]) -> dict[str, Any]:
    """The ``choices`` member; absent means nothing chosen yet."""
    choices = body.get("choices", {})
    if not isinstance(choices, dict):
        raise _type_error("choices", "an object of attribute ids to values")
    return choices
