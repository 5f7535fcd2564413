"""API views: read the request, call a service or the engine, answer JSON."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from configurator.core.errors import ApiError, error_response
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
    choices_object,
    json_object,
    optional_bool,
    optional_number,
    optional_string,
    required_string,
)
from configurator.web.api.openapi import openapi_document
from configurator.web.api.serializers import design_json, product_detail, product_summary

TITLE_MAX_LENGTH = 200


@api_blueprint.errorhandler(ChoiceError)
def choice_error(error: ChoiceError) -> Response:
    return error_response(error.status, error.code, error.message, error.field)


def _published(slug: str, field: str | None = None) -> CatalogVersion:
    version = current_version(slug)
    if version is None:
        raise ApiError(404, "unknown_product", f"There is no product {slug!r}.", field)
    return version


def _published_for_reading(slug: str) -> CatalogVersion:
    """As _published, for the endpoints that only read the catalog (the hot ones)."""
    version = current_version(slug, read="shared")
    if version is None:
        raise ApiError(404, "unknown_product", f"There is no product {slug!r}.")
    return version


@api_blueprint.get("/products")
def list_products() -> dict[str, Any]:
    return {"products": [product_summary(version) for version in current_versions()]}


@api_blueprint.get("/products/<slug>")
def show_product(slug: str) -> dict[str, Any]:
    version = _published_for_reading(slug)
    return product_detail(version, engine_for(version).catalog)


@api_blueprint.post("/products/<slug>/configure")
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def configure(slug: str) -> dict[str, Any]:
    version = _published_for_reading(slug)
    body = json_object()
    choices = choices_object(body)
    explain = optional_bool(body, "explain", default=True)
    changed = optional_string(body, "changed")
    engine = engine_for(version)
    if changed is not None and engine.catalog.attribute(changed) is None:
        raise ApiError(422, "unknown_attribute", f"There is no attribute {changed!r}.", "changed")
    canonical = engine.canonical(choices)  # validates, as configure would
    answer = engine.configure(canonical, explain=explain, changed=changed)
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
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def previews(slug: str) -> dict[str, Any]:
    """Preview URLs one click away: for each available option of ``attribute``, the
    picture with that option picked (the page prefetches them when idle)."""
    version = _published_for_reading(slug)
    body = json_object()
    choices = choices_object(body)
    attribute_id = required_string(body, "attribute")
    attribute = engine_for(version).catalog.attribute(attribute_id)
    if attribute is None:
        raise ApiError(
            422, "unknown_attribute", f"There is no attribute {attribute_id!r}.", "attribute"
        )
    if attribute.kind not in ("single", "multi"):
        raise ApiError(
            422,
            "not_an_option_attribute",
            f"{attribute_id!r} has no options to preview; ask for a single or multi attribute.",
            "attribute",
        )
    return {"previews": option_previews(version, choices, attribute_id, ext=image_format())}


@api_blueprint.post("/products/<slug>/explain")
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def explain(slug: str) -> dict[str, Any]:
    version = _published_for_reading(slug)
    body = json_object()
    choices = choices_object(body)
    attribute = required_string(body, "attribute")
    option = optional_string(body, "option")
    value = optional_number(body, "value")
    return engine_for(version).explain(choices, attribute, option=option, value=value)


@api_blueprint.post("/products/<slug>/complete")
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def complete(slug: str) -> dict[str, Any]:
    """A full valid configuration from ``choices`` that keeps their texts and numbers:
    ``strategy`` "surprise" (random) or "cheapest" (the page's two buttons)."""
    version = _published_for_reading(slug)
    body = json_object()
    choices = choices_object(body)
    strategy = required_string(body, "strategy")
    if strategy not in STRATEGIES:
        raise ApiError(422, "unknown_strategy", 'strategy is "surprise" or "cheapest".', "strategy")
    return {"choices": completion(engine_for(version), choices, STRATEGIES[strategy])}


@api_blueprint.post("/products/<slug>/missing")
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def missing(slug: str) -> dict[str, Any]:
    """The attributes still to choose before the choices make a product (required ones,
    and those the rules ask for), for the page's status line."""
    version = _published_for_reading(slug)
    choices = choices_object(json_object())
    return {"missing": still_to_choose(engine_for(version), choices)}


@api_blueprint.post("/designs")
def create_design() -> tuple[Response, int, dict[str, str]]:
    body = json_object()
    slug = required_string(body, "product")
    version = _published(slug, field="product")
    title = optional_string(body, "title")
    if title is not None and len(title) > TITLE_MAX_LENGTH:
        raise ApiError(
            422, "too_long", f"title is longer than {TITLE_MAX_LENGTH} characters.", "title"
        )
    design = save_design(version, choices_object(body), owner_token=shopper_token(), title=title)
    return jsonify(design_json(design)), 201, {"Location": f"/api/designs/{design.id}"}


@api_blueprint.get("/designs/<design_id>")
def show_design(design_id: str) -> dict[str, Any]:
    design = get_design(design_id)
    if design is None:
        raise ApiError(404, "unknown_design", f"There is no design {design_id!r}.")
    return design_json(design)


@api_blueprint.get("/openapi.json")
def openapi() -> dict[str, Any]:
    return openapi_document()
