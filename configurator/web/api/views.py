"""API views: read the request, call a service or the engine, answer JSON."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from configurator.core.errors import ApiError, ErrorCode, error_response
from configurator.core.identity import shopper_token
from configurator.core.limits import rate_limited
from configurator.domain.completion import STRATEGIES, completion, still_to_choose
from configurator.domain.engine import ChoiceError
from configurator.domain.money import with_formatted_price
from configurator.modules.catalog.engines import engine_for
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.catalog.services import (
    current_version,
    current_versions,
)
from configurator.modules.designs.services import get_design, save_design
from configurator.modules.previews.services import (
    image_format,
    option_previews,
    register_preview_url,
    text_problem,
)
from configurator.web.api import api_blueprint
from configurator.web.api.bodies import (
    json_object,
)
from configurator.web.api.models import (
    CompleteRequest,
    CompleteResponse,
    ConfigureRequest,
    ConfigureResponse,
    DesignRequest,
    ExplainRequest,
    MissingRequest,
    MissingResponse,
    OptionState,
    PreviewsRequest,
    PreviewsResponse,
    ProductDetail,
    ProductList,
)
from configurator.web.api.models import Design as DesignAnswer
from configurator.web.api.serializers import design_json, product_detail, product_summary
from configurator.web.api.spec import openapi_document, operation

# What a body can get wrong, and what the engine's endpoints add (a rate limit).
BODY_ERRORS = (400, 404, 413, 415, 422)
ENGINE_ERRORS = (*BODY_ERRORS, 429)
# Which member of an explain request names what to explain, by attribute kind.
EXPLAINED_BY = {"single": "option", "multi": "option", "number": "value"}


@api_blueprint.before_request
def read_json_body() -> None:
    """Every POST body is read here, before its model checks it (spectree reads it
    leniently: a body that is not JSON would pass as empty)."""
    if request.method == "POST":
        json_object()


@api_blueprint.errorhandler(ChoiceError)
def choice_error(error: ChoiceError) -> Response:
    return error_response(error.status, ErrorCode(error.code), error.message, error.field)


def _published(slug: str, field: str | None = None) -> CatalogVersion:
    version = current_version(slug)
    if version is None:
        raise ApiError(404, ErrorCode.UNKNOWN_PRODUCT, f"There is no product {slug!r}.", field)
    return version


def _published_for_reading(slug: str) -> CatalogVersion:
    """As _published, for the endpoints that only read the catalog (the hot ones)."""
    version = current_version(slug, read="shared")
    if version is None:
        raise ApiError(404, ErrorCode.UNKNOWN_PRODUCT, f"There is no product {slug!r}.")
    return version


@api_blueprint.get("/products")
@operation("listProducts", ok=ProductList)
def list_products() -> dict[str, Any]:
    """List the products on sale with their current catalog version"""
    return {"products": [product_summary(version) for version in current_versions()]}


@api_blueprint.get("/products/<slug>")
@operation("getProduct", ok=ProductDetail, errors=(404,))
def show_product(slug: str) -> dict[str, Any]:
    """The current catalog of a product: attributes and options"""
    version = _published_for_reading(slug)
    return product_detail(version, engine_for(version).catalog)


@api_blueprint.post("/products/<slug>/configure")
@operation("configure", ok=ConfigureResponse, errors=ENGINE_ERRORS)
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def configure(slug: str, json: ConfigureRequest) -> dict[str, Any]:
    """Availability, reasons, conflict, repair and price for choices

    Answered 200 for every well-formed request, consistent or not.
    """
    version = _published_for_reading(slug)
    engine = engine_for(version)
    changed = json.changed
    if changed is not None and engine.catalog.attribute(changed) is None:
        raise ApiError(
            422, ErrorCode.UNKNOWN_ATTRIBUTE, f"There is no attribute {changed!r}.", "changed"
        )
    canonical = engine.canonical(json.choices)  # validates, as configure would
    answer = engine.configure(canonical, explain=json.explain, changed=changed)
    # Only a configuration that can be drawn gets a picture (and a record in the store).
    preview = problem = None
    if answer["consistent"]:
        preview = register_preview_url(version, canonical, ext=image_format(), pinned=False)
        problem = text_problem(version, canonical) if preview is None else None
    return {
        "product": slug,
        "version": version.version,
        **answer,
        "price": with_formatted_price(answer["price"]),
        "preview": preview,
        "preview_problem": problem.json() if problem else None,
    }


@api_blueprint.post("/products/<slug>/previews")
@operation("optionPreviews", ok=PreviewsResponse, errors=ENGINE_ERRORS)
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def previews(slug: str, json: PreviewsRequest) -> dict[str, Any]:
    """Preview URLs of the next likely choices, to prefetch

    For each available option of ``attribute``, the picture with that option picked
    (the page prefetches them when idle).
    """
    version = _published_for_reading(slug)
    attribute_id = json.attribute
    attribute = engine_for(version).catalog.attribute(attribute_id)
    if attribute is None:
        raise ApiError(
            422,
            ErrorCode.UNKNOWN_ATTRIBUTE,
            f"There is no attribute {attribute_id!r}.",
            "attribute",
        )
    if attribute.kind not in ("single", "multi"):
        raise ApiError(
            422,
            ErrorCode.NOT_AN_OPTION_ATTRIBUTE,
            f"{attribute_id!r} has no options to preview; ask for a single or multi attribute.",
            "attribute",
        )
    found = option_previews(version, json.choices, attribute_id, ext=image_format())
    return {"previews": found}


@api_blueprint.post("/products/<slug>/explain")
@operation("explain", ok=OptionState, errors=ENGINE_ERRORS)
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def explain(slug: str, json: ExplainRequest) -> dict[str, Any]:
    """Why one option (or number value) is unavailable

    ``option`` is required for a single or multi attribute, ``value`` for a number
    one: which depends on the catalog, so leaving it out is 422 (missing_field).
    """
    version = _published_for_reading(slug)
    engine = engine_for(version)
    attribute = engine.catalog.attribute(json.attribute)
    needed = EXPLAINED_BY.get(attribute.kind) if attribute else None
    if attribute and needed and getattr(json, needed) is None:
        message = f"{needed} is required for the {attribute.kind} attribute {attribute.id!r}."
        raise ApiError(422, ErrorCode.MISSING_FIELD, message, needed)
    return engine.explain(json.choices, json.attribute, option=json.option, value=json.value)


@api_blueprint.post("/products/<slug>/complete")
@operation("complete", ok=CompleteResponse, errors=ENGINE_ERRORS)
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def complete(slug: str, json: CompleteRequest) -> dict[str, Any]:
    """Complete the choices into a valid design (Surprise me, Cheapest)

    A full valid configuration from ``choices`` that keeps their texts and numbers.
    """
    version = _published_for_reading(slug)
    strategy = STRATEGIES[json.strategy]
    return {"choices": completion(engine_for(version), json.choices, strategy)}


@api_blueprint.post("/products/<slug>/missing")
@operation("missing", ok=MissingResponse, errors=ENGINE_ERRORS)
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def missing(slug: str, json: MissingRequest) -> dict[str, Any]:
    """The attributes still to choose before the choices make a product

    Required ones, and those the rules ask for, in page order (the status line).
    """
    version = _published_for_reading(slug)
    return {"missing": still_to_choose(engine_for(version), json.choices)}


@api_blueprint.post("/designs")
@operation(
    "createDesign",
    ok=DesignAnswer,
    errors=BODY_ERRORS,
    created=True,
    notes={
        422: (
            "An unknown attribute or option id, a title longer than 200 characters, or "
            "choices that do not go together (code inconsistent, field choices; the "
            "message names the clash and its rules). Unfinished but consistent designs "
            "are saved."
        )
    },
)
def create_design(json: DesignRequest) -> tuple[Response, int, dict[str, str]]:
    """Save a design under the product's current catalog version"""
    version = _published(json.product, field="product")
    design = save_design(version, json.choices, owner_token=shopper_token(), title=json.title)
    return jsonify(design_json(design)), 201, {"Location": f"/api/designs/{design.id}"}


@api_blueprint.get("/designs/<id>")
@operation("getDesign", ok=DesignAnswer, errors=(404,))
def show_design(id: str) -> dict[str, Any]:
    """A saved design"""
    design = get_design(id)
    if design is None:
        raise ApiError(404, ErrorCode.UNKNOWN_DESIGN, f"There is no design {id!r}.")
    return design_json(design)


@api_blueprint.get("/openapi.json")
@operation("getOpenApi", ok=None)
def openapi() -> dict[str, Any]:
    """This document (OpenAPI 3.1), generated from the models"""
    return openapi_document()
