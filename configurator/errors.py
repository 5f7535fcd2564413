"""Errors turned into answers at the edge: JSON for the API, never a traceback."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

# Codes for the HTTP errors Werkzeug raises itself (routing, size limits, methods).
HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """A client error detected in a service or view, answered as JSON."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


ECHO_LENGTH = 24  # characters of a refused value quoted back in a message


def echo(value: str, limit: int = ECHO_LENGTH) -> str:
    """A value quoted in a message, cut short so that a long one is not sent back whole:
    ``“AAAAAAAA…” (5000 characters)``."""
    if len(value) <= limit:
        return f"“{value}”"
    return f"“{value[: limit - 1]}…” ({len(value)} characters)"


def is_unicode_text(text: str) -> bool:
    """False when ``text`` holds a lone surrogate: no Unicode character at all, it cannot
    be encoded as UTF-8 (to hash, store or draw it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_fault(text: str) -> str | None:
    """Why ``text`` cannot be taken as a name or a field's text, or None when it can:
    a lone surrogate, or NUL (which a PostgreSQL text column cannot hold)."""
    if not is_unicode_text(text):
        return "is not valid Unicode text (it contains a lone surrogate)"
    if "\x00" in text:
        return "contains a NUL character"
    return None


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    response = jsonify(error_body(code, message, field))
    response.status_code = status
    return response


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/api":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _html_error(status: int, title: str, message: str) -> Response:
    body = (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(title)}</title>"
        f"<main><h1>{escape(title)}</h1><p>{escape(message)}</p>"
        f'<p><a href="/">Back to the shop</a></p></main></html>'
    )
    return Response(body, status=status, mimetype="text/html")


def handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, error.field)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    message = error.description or error.name
    if wants_json():
        code = HTTP_ERROR_CODES.get(status, error.name.lower().replace(" ", "_"))
        response = error_response(status, code, message)
    else:
        response = _html_error(status, error.name, message)
    # Keep headers such as Allow on 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


CSRF_FAILED = (
    "This page is out of date (it was open a long time, or your session changed), so we "
    "could not accept it. Reload the page and try again."
)


def handle_csrf_error(error: CSRFError) -> Response:
    """A form or request without a valid CSRF token: say how to get going again.

    JSON for requests that send or accept JSON (code ``csrf_failed``), so scripts can
    tell the shopper to reload; a short page otherwise.
    """
    if request.is_json or wants_json():
        return error_response(400, "csrf_failed", CSRF_FAILED)
    return _html_error(400, "Please reload the page", f"{CSRF_FAILED} ({error.description})")


def handle_unexpected(error: Exception) -> Response:
    from flask import current_app

    if not isinstance(error, HTTPException):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    message = "Something went wrong on our side. Please try again."
    if wants_json():
        return error_response(500, "internal_error", message)
    return _html_error(500, "Internal Server Error", message)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
