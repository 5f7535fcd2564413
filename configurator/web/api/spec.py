"""The one SpecTree of the JSON API: it validates request bodies against the models in
``models.py`` and answers for the OpenAPI document (docs/api.md says how to add an
endpoint)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from pydantic import BaseModel, ValidationError
from spectree import Response, SpecTree

from configurator.core.errors import ApiError, ErrorCode
from configurator.web.api.models import Error

View = TypeVar("View", bound=Callable[..., Any])

ERROR_STATUSES = {
    400: (
        "Malformed JSON, a body that is not an object, a value of the wrong type, or a "
        "string that is not text (a lone surrogate anywhere; NUL in a string)."
    ),
    404: "Unknown product, design or order.",
    413: "The body is larger than the server accepts.",
    415: "The body is not sent as JSON (Content-Type: application/json).",
    422: "An unknown attribute or option id, or a value the catalog does not allow.",
    429: (
        "Too many requests from this client in a short time (code rate_limited); the "
        "Retry-After header says in how many seconds to try again."
    ),
}
# The codes of a failed check of a body against its model, by pydantic error type.
FIELD_CODES = {
    "missing": (400, ErrorCode.MISSING_FIELD),
    "string_too_long": (422, ErrorCode.TOO_LONG),
    "too_long": (422, ErrorCode.TOO_LONG),
    "literal_error": (422, ErrorCode.INVALID_VALUE),
    ErrorCode.INVALID_TEXT.value: (400, ErrorCode.INVALID_TEXT),
}
# A literal's own code where the contract names one.
LITERAL_CODES = {"strategy": ErrorCode.UNKNOWN_STRATEGY}


def _field(location: tuple[int | str, ...]) -> str:
    """``choices.upper`` for a choice (whatever the union member or list position
    pydantic adds), the member's name otherwise."""
    names = [str(part) for part in location]
    return ".".join(names[:2] if names[:1] == ["choices"] else names[:1])


CHOICE_KINDS = "an option id, a list of option ids, a string, a number or null"


def api_error_from(error: ValidationError) -> ApiError:
    """The first problem of a body, as the contract's error: a text's own fault before
    the type errors of the other members of a union."""
    problems = error.errors(include_url=False)
    problem = next((p for p in problems if p["type"] == ErrorCode.INVALID_TEXT.value), problems[0])
    field = _field(problem["loc"]) if problem["loc"] else None
    kind = problem["type"]
    # null for a required member leaves it out (as it always has); choices null is a type
    if kind.endswith("_type") and problem.get("input", ...) is None and field != "choices":
        kind = "missing"
    status, code = FIELD_CODES.get(kind, (400, ErrorCode.INVALID_TYPE))
    if kind == "literal_error" and field in LITERAL_CODES:
        code = LITERAL_CODES[field]
    if kind == "missing":
        message = f"{field} is required."
    elif code is ErrorCode.TOO_LONG:
        message = f"{field} is longer than {problem.get('ctx', {}).get('max_length')} characters."
    elif code is ErrorCode.INVALID_TEXT:
        message = f"{field} {problem['msg']}."
    elif code is ErrorCode.INVALID_TYPE and field and field.startswith("choices."):
        message = f"{field} must be {CHOICE_KINDS}."
    else:
        message = f"{field}: {problem['msg']}."
    return ApiError(status, code, message, field)


def _refuse_invalid_body(_request: Any, _response: Any, error: Exception | None, *_: Any) -> None:
    if isinstance(error, ValidationError):
        raise api_error_from(error) from None


def _refuse_wrong_answer(_request: Any, _response: Any, error: Exception | None, *_: Any) -> None:
    """An answer that breaks its own schema is the server's fault: logged, then 500."""
    if error is not None:
        current_app.logger.error("An answer does not match its schema: %s", error)
        raise RuntimeError("answer does not match the OpenAPI document") from error


api_spec = SpecTree(
    "flask",
    mode="strict",  # only the operations decorated below, never an HTML page
    path="apidoc",  # spectree's own pages stay unregistered: /api/openapi.json serves it
    title="Atelier API",
    version="1.0.0",
    description=(
        "Configure made-to-order products. Prices are integers in minor units. "
        'Every error answers {"error": {"code", "message", "field"}}.'
    ),
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_status=400,
    validation_error_model=Error,
    before=_refuse_invalid_body,
    after=_refuse_wrong_answer,
)


class Answers(Response):
    """The answers of one operation. Checked against their models under tests and in
    debug mode only: the check walks the whole answer (a large catalog's configure
    answer is big), and the schemathesis run keeps server and models in agreement."""

    def find_model(self, code: int) -> Any:
        if not (current_app.testing or current_app.debug):
            return None
        return super().find_model(code)


def operation(
    operation_id: str,
    *,
    ok: type[BaseModel] | None,
    errors: tuple[int, ...] = (),
    created: bool = False,
    before: Callable[..., None] | None = None,
    notes: dict[int, str] | None = None,
) -> Callable[[View], View]:
    """Document and validate one endpoint: its body model comes from the view's ``json``
    annotation, its 200 (or 201) answer is ``ok``, and ``errors`` are the statuses it
    answers with the error envelope (``notes`` says what they mean here, where that is
    more than ERROR_STATUSES says)."""
    statuses: dict[str, Any] = {"HTTP_201" if created else "HTTP_200": ok}
    for status in errors:
        said = (notes or {}).get(status) or ERROR_STATUSES.get(status)
        statuses[f"HTTP_{status}"] = (Error, said) if said else Error
    decorate: Callable[[View], View] = api_spec.validate(
        resp=Answers(**statuses),
        operation_id=operation_id,
        before=before,
    )
    return decorate


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = api_spec.spec
    document["servers"] = [{"url": "/"}]
    schemas = document["components"]["schemas"]
    # The envelope reads whole where it is defined (tools show Error, not a reference).
    schemas["Error"]["properties"]["error"] = schemas["ErrorDetail"]
    return document
