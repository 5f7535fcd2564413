"""Reading a JSON request body before its model checks it: what no model can say (not
JSON, not an object, not sent as JSON, not Unicode text) is a 4xx ApiError here."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request

from configurator.core.errors import ApiError, ErrorCode, is_unicode_text


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
            415,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON (Content-Type: application/json).",
        )
    try:
        body = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        raise ApiError(
            400, ErrorCode.MALFORMED_JSON, f"The body is not valid JSON: {error}"
        ) from None
    if not isinstance(body, dict):
        raise ApiError(400, ErrorCode.INVALID_BODY, "The body must be a JSON object.")
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
                raise _invalid_text(path, SURROGATE)
        elif isinstance(value, dict):
            for key, item in value.items():
                if not is_unicode_text(key):
                    where = path or "the body"
                    raise ApiError(
                        400, ErrorCode.INVALID_TEXT, f"A key in {where} {SURROGATE}.", path or None
                    )
                pending.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            pending.extend((item, path) for item in value)


def _invalid_text(field: str, fault: str) -> ApiError:
    return ApiError(400, ErrorCode.INVALID_TEXT, f"{field} {fault}.", field)
