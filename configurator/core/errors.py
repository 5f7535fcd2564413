"""Errors turned into answers at the edge: JSON for the API, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, SecurityError

from configurator.core.database import db
from configurator.domain.text import ECHO_LENGTH as ECHO_LENGTH
from configurator.domain.text import echo as echo

# Codes for the HTTP errors Werkzeug raises itself (routing, size limits, methods).
HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class ApiError(Exception):
    """A client error detected in a service or view, answered as JSON."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


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


@dataclass(frozen=True)
class ErrorPage:
    """What an HTML error page says: ``name`` is the status's own (Werkzeug's) name."""

    name: str
    title: str
    paragraphs: tuple[str, ...]
    reload: str | None = None  # the page to load again (its form's token is stale)


# Plain words for the errors a shopper can meet, used when the code that refused the
# request gave no message of its own (Werkzeug's defaults speak of servers and URLs).
PLAIN_WORDS = {
    400: (
        "We couldn’t make sense of that request",
        "Something your browser sent was missing or not what we expected. Go back to the "
        "page and try again.",
    ),
    404: (
        "We can’t find that page",
        "The link may be mistyped, or the page may have moved or been removed.",
    ),
    405: (
        "That page can’t be opened like this",
        "This address only takes a form sent from its own page. Go back to the page and "
        "use its button.",
    ),
    415: (
        "We can’t read what was sent",
        "What your browser sent is of a kind this page does not take. Go back and try again.",
    ),
    429: (
        "That was a lot at once",
        "We had many requests from you in a short time. Please wait a moment and try again.",
    ),
}
INTERNAL_ERROR = "Something went wrong on our side. Please try again."


def is_local_path(path: str) -> bool:
    """True for a path on this site: one ``/`` and then anything but another ``/`` or a
    ``\\`` (``//evil.example/x`` and ``/\\evil.example/x`` lead to another site)."""
    return path.startswith("/") and path[1:2] not in ("/", "\\")


def _same_site_referrer() -> str | None:
    """Where the shopper came from, when it is a page of this shop other than this one."""
    referrer = urlsplit(request.referrer or "")
    if referrer.scheme not in ("http", "https") or referrer.netloc != request.host:
        return None
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if not is_local_path(back):
        return None
    # A form posts to the page it is on: going back there is the way on, not a loop.
    looping = request.method == "GET" and back == request.full_path.rstrip("?")
    return None if looping else back


def _plain_page(status: int, page: ErrorPage) -> Response:
    """The error page without the shop around it: for when the shop page cannot be drawn."""
    body = (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(page.title)}</title>"
        f"<main><h1>{escape(page.title)}</h1>"
        + "".join(f"<p>{escape(paragraph)}</p>" for paragraph in page.paragraphs)
        + '<p><a href="/">Back to the shop</a></p></main></html>'
    )
    return Response(body, status=status, mimetype="text/html")


def _html_error(status: int, page: ErrorPage) -> Response:
    """A page in the shop's layout that says what happened and offers a way on."""
    back = _same_site_referrer()
    try:
        body = render_template(
            "errors/error.html",
            status=status,
            page=page,
            back=None if page.reload and page.reload == back else back,
        )
    except Exception:
        # The layout reads the database (the cart's count): it may be what failed.
        current_app.logger.exception("The %s error page could not be drawn", status)
        return _plain_page(status, page)
    return Response(body, status=status, mimetype="text/html")


def _size_limit() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return f"{limit // 1024} KB" if isinstance(limit, int) and limit >= 1024 else "our limit"


def _error_page(error: HTTPException) -> ErrorPage:
    status = error.code or 500
    own_message = error.description != type(error).description
    if status == 413:
        return ErrorPage(
            error.name,
            "That was more than we can take",
            (
                f"What you sent is larger than {_size_limit()}, the most we accept at once. "
                "Please go back and send something shorter.",
            ),
        )
    title, default = PLAIN_WORDS.get(status, (error.name, error.description or error.name))
    message = error.description if own_message and error.description else default
    return ErrorPage(error.name, title, (message,))


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
        response = _html_error(status, _error_page(error))
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
    return _html_error(
        400,
        ErrorPage("Bad Request", "Please reload the page", (CSRF_FAILED,), _same_site_referrer()),
    )


def handle_unexpected(error: Exception) -> Response:
    if not isinstance(error, HTTPException):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        # A failed statement leaves the session unusable, and the page reads the cart.
        if db.session.registry.has():
            db.session.rollback()
    if wants_json():
        return error_response(500, "internal_error", INTERNAL_ERROR)
    page = ErrorPage(
        "Internal Server Error",
        "Something went wrong on our side",
        (
            "Sorry: we could not show this page, and what you asked for may not have "
            "been done. Please try again in a moment.",
        ),
    )
    return _html_error(500, page)


UNTRUSTED_HOST = "This shop does not answer for that host name."


def handle_untrusted_host(error: SecurityError) -> Response:
    """A Host outside ``TRUSTED_HOSTS``: refused plainly, since the shop's layout builds
    its links from the very host that was refused."""
    if wants_json():
        return error_response(400, "untrusted_host", UNTRUSTED_HOST)
    return _plain_page(400, ErrorPage("Bad Request", "Unknown host", (UNTRUSTED_HOST,)))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
