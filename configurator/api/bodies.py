"""Reading and checking JSON request bodies; every problem is a 4xx ApiError."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request

from ..errors import ApiError


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text}")
    return value


def _no_constants(text: str) -> None:
    raise ValueError(f"{text} is not JSON")


def json_object() -> dict[str, Any]:
    """The request body as a JSON object; 400 when it is not one, 413 when too big."""
    raw = request.get_data(cache=True)  # raises RequestEntityTooLarge past the limit
    try:
        body = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "malformed_json", f"The body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "The body must be a JSON object.")
    return body


def _type_error(field: str, expected: str) -> ApiError:
    return ApiError(400, "invalid_type", f"{field} must be {expected}.", field)


def required_string(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if value is None:
        raise ApiError(400, "missing_field", f"{field} is required.", field)
    if not isinstance(value, str):
        raise _type_error(field, "a string")
    return value


def optional_string(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise _type_error(field, "a string or null")
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
