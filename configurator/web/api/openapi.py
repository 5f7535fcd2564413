"""The OpenAPI 3.1 description of the JSON API, written by hand."""

from __future__ import annotations

from typing import Any

ERROR_STATUSES = {
    "400": (
        "Malformed JSON, a body that is not an object, a value of the wrong type, or a "
        "string that is not text (a lone surrogate anywhere; NUL in a name such as "
        "product or title)."
    ),
    "404": "Unknown product or design.",
    "413": "The body is larger than the server accepts.",
    "415": "The body is not sent as JSON (Content-Type: application/json).",
    "422": "An unknown attribute or option id, or a value the catalog does not allow.",
    "429": (
        "Too many requests from this client in a short time (code rate_limited); the "
        "Retry-After header says in how many seconds to try again."
    ),
}
# The operations under RATELIMIT_ANONYMOUS_ENGINE (configurator/core/limits.py).
RATE_LIMITED = frozenset({"configure", "optionPreviews", "explain", "complete", "missing"})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/Error{status}"} for status in statuses}


def _body(schema_name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema_name)}}}


SLUG_PARAMETER = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"},
}

CHOICES = {
    "type": "object",
    "description": (
        "Attribute id to value, by kind: single, an option id or null; multi, a list of "
        "option ids; text, a string; number, a number or null. Left-out attributes are "
        "not chosen yet."
    ),
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "null"},
            {"type": "array", "items": {"type": "string"}},
        ]
    },
}

REASON = {
    "type": "object",
    "required": ["message", "rules", "choices"],
    "properties": {
        "message": {"type": "string"},
        "rules": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Rule ids; a rule without an id is named #N (1-based position).",
        },
        "choices": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Attributes whose current choice is part of the reason.",
        },
        "limits": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Attributes whose own min/max/required take part.",
        },
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "field"],
                "properties": {
                    "code": {"type": "string", "examples": ["unknown_option"]},
                    "message": {"type": "string"},
                    "field": {"type": ["string", "null"], "examples": ["choices.upper"]},
                },
            }
        },
    },
    "ProductSummary": {
        "type": "object",
        "required": ["slug", "name", "description", "currency", "base_price", "version"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "currency": {"type": "string", "description": "ISO 4217"},
            "base_price": {"type": "integer", "description": "Minor units."},
            "version": {"type": "integer"},
        },
    },
    "Option": {
        "type": "object",
        "required": ["id", "label", "price"],
        "properties": {
            "id": {"type": "string"},
            "label": {"type": "string"},
            "price": {"type": "integer", "description": "Minor units added when chosen."},
            "swatch": {"type": ["string", "null"]},
        },
    },
    "Attribute": {
        "type": "object",
        "required": ["id", "label", "kind", "required"],
        "properties": {
            "id": {"type": "string"},
            "label": {"type": "string"},
            "kind": {"enum": ["single", "multi", "text", "number"]},
            "required": {"type": "boolean"},
            "default": {},
            "options": {"type": "array", "items": _ref("Option")},
            "min": {"type": ["number", "null"]},
            "max": {"type": ["number", "null"]},
            "step": {"type": ["number", "null"]},
            "max_length": {"type": ["integer", "null"]},
            "pattern": {"type": ["string", "null"]},
        },
    },
    "ProductDetail": {
        "allOf": [
            _ref("ProductSummary"),
            {
                "type": "object",
                "required": ["attributes"],
                "properties": {"attributes": {"type": "array", "items": _ref("Attribute")}},
            },
        ]
    },
    "Choices": CHOICES,
    "Reason": REASON,
    "ConfigureRequest": {
        "type": "object",
        "properties": {
            "choices": _ref("Choices"),
            "explain": {
                "type": "boolean",
                "default": True,
                "description": "false leaves reasons out; ask /explain for one option.",
            },
            "changed": {
                "type": ["string", "null"],
                "description": "The attribute the shopper just changed; repairs keep it.",
            },
        },
    },
    "OptionState": {
        "type": "object",
        "required": ["available"],
        "properties": {"available": {"type": "boolean"}, "reason": _ref("Reason")},
    },
    "AttributeState": {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": ["single", "multi", "text", "number"]},
            "options": {"type": "object", "additionalProperties": _ref("OptionState")},
            "allowed": {"type": "array", "items": {"type": "number"}},
            "max_length": {"type": ["integer", "null"]},
            "pattern": {"type": ["string", "null"]},
        },
    },
    "Price": {
        "type": "object",
        "required": ["currency", "amount", "lines"],
        "properties": {
            "currency": {"type": "string"},
            "amount": {"type": "integer", "description": "Sum of the lines, minor units."},
            "formatted": {"type": "string", "description": "The amount as the shop writes it."},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["label", "amount"],
                    "properties": {
                        "label": {"type": "string"},
                        "amount": {"type": "integer"},
                        "formatted": {"type": "string"},
                    },
                },
            },
        },
    },
    "ConfigureResponse": {
        "type": "object",
        "required": [
            "product",
            "version",
            "consistent",
            "complete",
            "attributes",
            "conflict",
            "repair",
            "price",
            "preview",
        ],
        "properties": {
            "product": {"type": "string"},
            "version": {"type": "integer"},
            "consistent": {
                "type": "boolean",
                "description": "Some valid configuration extends the choices.",
            },
            "complete": {
                "type": "boolean",
                "description": "The choices are themselves a valid configuration.",
            },
            "attributes": {"type": "object", "additionalProperties": _ref("AttributeState")},
            "conflict": {"oneOf": [_ref("Reason"), {"type": "null"}]},
            "repair": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["change", "choices"],
                        "properties": {
                            "change": {"type": "array", "items": {"type": "string"}},
                            "choices": _ref("Choices"),
                        },
                    },
                    {"type": "null"},
                ]
            },
            "price": _ref("Price"),
            "preview": {
                "type": ["string", "null"],
                "description": (
                    "Preview image URL; null when the configuration cannot be drawn "
                    "(inconsistent, a text the picture cannot hold) or the picture is "
                    "unavailable just now."
                ),
            },
            "preview_problem": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["attribute", "message"],
                        "properties": {
                            "attribute": {"type": "string"},
                            "message": {"type": "string"},
                        },
                        "description": "A chosen text the picture cannot hold.",
                    },
                    {"type": "null"},
                ]
            },
        },
    },
    "PreviewsRequest": {
        "type": "object",
        "required": ["attribute"],
        "properties": {
            "choices": _ref("Choices"),
            "attribute": {
                "type": "string",
                "description": "A single or multi attribute (others answer 422).",
            },
        },
    },
    "PreviewsResponse": {
        "type": "object",
        "required": ["previews"],
        "properties": {
            "previews": {
                "type": "object",
                "description": (
                    "Option id -> URL of the 800 px preview of the choices with that "
                    "option picked (toggled, for a multi attribute). Only options still "
                    "available are listed, never the one already chosen; empty when the "
                    "product has no art. WebP unless the request's Accept takes images "
                    "but not WebP (then JPEG)."
                ),
                "additionalProperties": {"type": "string"},
                "examples": [{"ruby": "/previews/3f1c...e9.800.webp"}],
            }
        },
    },
    "ExplainRequest": {
        "type": "object",
        "required": ["attribute"],
        "properties": {
            "choices": _ref("Choices"),
            "attribute": {"type": "string"},
            "option": {"type": "string", "description": "For single and multi attributes."},
            "value": {"type": "number", "description": "For number attributes."},
        },
    },
    "ExplainResponse": _ref("OptionState"),
    "CompleteRequest": {
        "type": "object",
        "required": ["strategy"],
        "properties": {
            "choices": _ref("Choices"),
            "strategy": {
                "enum": ["surprise", "cheapest"],
                "description": "surprise: a random valid design; cheapest: the least dear.",
            },
        },
    },
    "CompleteResponse": {
        "type": "object",
        "required": ["choices"],
        "properties": {
            "choices": {
                "allOf": [_ref("Choices")],
                "description": (
                    "A complete, valid configuration. Texts and numbers already chosen "
                    "(a monogram, a size) are kept; every other choice may change."
                ),
            }
        },
    },
    "MissingRequest": {"type": "object", "properties": {"choices": _ref("Choices")}},
    "MissingResponse": {
        "type": "object",
        "required": ["missing"],
        "properties": {
            "missing": {
                "type": "array",
                "items": {"type": "string"},
                "description": (
                    "Attribute ids still to choose before the choices make a product: the "
                    "required ones left unset, then those the rules ask for."
                ),
            }
        },
    },
    "DesignRequest": {
        "type": "object",
        "required": ["product"],
        "properties": {
            "product": {"type": "string", "description": "Product slug."},
            "choices": _ref("Choices"),
            "title": {"type": ["string", "null"], "maxLength": 200},
        },
    },
    "Design": {
        "type": "object",
        "required": ["id", "url", "product", "version", "choices", "config_hash"],
        "properties": {
            "id": {"type": "string", "description": "Unguessable id."},
            "url": {"type": "string", "examples": ["/d/2kR9c0xQm1aB7yZp"]},
            "product": {"type": "string"},
            "version": {"type": "integer", "description": "The catalog version it pins."},
            "choices": _ref("Choices"),
            "config_hash": {"type": "string", "description": "sha256 of canonical choices."},
            "title": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
}


def openapi_document() -> dict[str, Any]:
    document = _document()
    for path in document["paths"].values():
        for operation in path.values():
            if operation["operationId"] in RATE_LIMITED:
                operation["responses"].update(_errors("429"))
    return document


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Atelier API",
            "version": "1.0.0",
            "description": (
                "Configure made-to-order products. Prices are integers in minor units. "
                'Every error answers {"error": {"code", "message", "field"}}.'
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/products": {
                "get": {
                    "summary": "List the products on sale with their current catalog version",
                    "operationId": "listProducts",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["products"],
                                "properties": {
                                    "products": {
                                        "type": "array",
                                        "items": _ref("ProductSummary"),
                                    }
                                },
                            },
                            "The products.",
                        )
                    },
                }
            },
            "/api/products/{slug}": {
                "get": {
                    "summary": "The current catalog of a product: attributes and options",
                    "operationId": "getProduct",
                    "parameters": [SLUG_PARAMETER],
                    "responses": {
                        "200": _json(_ref("ProductDetail"), "The catalog."),
                        **_errors("404"),
                    },
                }
            },
            "/api/products/{slug}/configure": {
                "post": {
                    "summary": "Availability, reasons, conflict, repair and price for choices",
                    "operationId": "configure",
                    "parameters": [SLUG_PARAMETER],
                    "requestBody": _body("ConfigureRequest"),
                    "responses": {
                        "200": _json(
                            _ref("ConfigureResponse"),
                            "Answered for every well-formed request, consistent or not.",
                        ),
                        **_errors("400", "404", "413", "415", "422"),
                    },
                }
            },
            "/api/products/{slug}/previews": {
                "post": {
                    "summary": "Preview URLs of the next likely choices, to prefetch",
                    "operationId": "optionPreviews",
                    "parameters": [SLUG_PARAMETER],
                    "requestBody": _body("PreviewsRequest"),
                    "responses": {
                        "200": _json(_ref("PreviewsResponse"), "One URL per available option."),
                        **_errors("400", "404", "413", "415", "422"),
                    },
                }
            },
            "/api/products/{slug}/explain": {
                "post": {
                    "summary": "Why one option (or number value) is unavailable",
                    "operationId": "explain",
                    "parameters": [SLUG_PARAMETER],
                    "requestBody": _body("ExplainRequest"),
                    "responses": {
                        "200": _json(_ref("ExplainResponse"), "Availability and reason."),
                        **_errors("400", "404", "413", "415", "422"),
                    },
                }
            },
            "/api/products/{slug}/complete": {
                "post": {
                    "summary": "Complete the choices into a valid design (Surprise me, Cheapest)",
                    "operationId": "complete",
                    "parameters": [SLUG_PARAMETER],
                    "requestBody": _body("CompleteRequest"),
                    "responses": {
                        "200": _json(_ref("CompleteResponse"), "A complete configuration."),
                        **_errors("400", "404", "413", "415", "422"),
                    },
                }
            },
            "/api/products/{slug}/missing": {
                "post": {
                    "summary": "The attributes still to choose before the choices make a product",
                    "operationId": "missing",
                    "parameters": [SLUG_PARAMETER],
                    "requestBody": _body("MissingRequest"),
                    "responses": {
                        "200": _json(_ref("MissingResponse"), "Attribute ids, in page order."),
                        **_errors("400", "404", "413", "415", "422"),
                    },
                }
            },
            "/api/designs": {
                "post": {
                    "summary": "Save a design under the product's current catalog version",
                    "operationId": "createDesign",
                    "requestBody": _body("DesignRequest"),
                    "responses": {
                        "201": _json(_ref("Design"), "The saved design."),
                        **_errors("400", "404", "413", "415"),
                        "422": _json(
                            _ref("Error"),
                            "An unknown attribute or option id, a title longer than 200 "
                            "characters, or choices that do not go together (code "
                            "inconsistent, field choices; the message names the clash and "
                            "its rules). Unfinished but consistent designs are saved.",
                        ),
                    },
                }
            },
            "/api/designs/{id}": {
                "get": {
                    "summary": "A saved design",
                    "operationId": "getDesign",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": _json(_ref("Design"), "The design."), **_errors("404")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "getOpenApi",
                    "responses": {"200": {"description": "OpenAPI 3.1 document."}},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "responses": {
                f"Error{status}": _json(_ref("Error"), description)
                for status, description in ERROR_STATUSES.items()
            },
        },
    }
