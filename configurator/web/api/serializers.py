"""Catalogs and designs as the JSON the API answers with."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from configurator.domain.engine import Attribute, Catalog
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.designs.models import Design


def number_json(value: Decimal | int | float | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def product_summary(version: CatalogVersion) -> dict[str, Any]:
    product = version.document.get("product", {})
    return {
        "slug": version.slug,
        "name": product.get("name", version.product.name),
        "description": product.get("description", ""),
        "currency": product.get("currency"),
        "base_price": product.get("base_price"),
        "version": version.version,
    }


def _default_json(attribute: Attribute) -> Any:
    default = attribute.default
    if isinstance(default, Decimal):
        return number_json(default)
    if isinstance(default, list | tuple):
        return list(default)
    return default


def attribute_json(attribute: Attribute) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": attribute.id,
        "label": attribute.label,
        "kind": attribute.kind,
        "required": attribute.required,
        "default": _default_json(attribute),
    }
    if attribute.kind in ("single", "multi"):
        data["options"] = [
            {"id": o.id, "label": o.label, "price": o.price, "swatch": o.swatch}
            for o in attribute.options
        ]
    if attribute.kind in ("multi", "number"):
        data["min"] = number_json(attribute.min)
        data["max"] = number_json(attribute.max)
    if attribute.kind == "number":
        data["step"] = number_json(attribute.step)
    if attribute.kind == "text":
        data["max_length"] = attribute.max_length
        data["pattern"] = attribute.pattern
    return data


def product_detail(version: CatalogVersion, catalog: Catalog) -> dict[str, Any]:
    return {
        "slug": catalog.slug,
        "name": catalog.name,
        "description": catalog.description,
        "currency": catalog.currency,
        "base_price": catalog.base_price,
        "version": version.version,
        "attributes": [attribute_json(attribute) for attribute in catalog.attributes],
    }


def design_json(design: Design) -> dict[str, Any]:
    return {
        "id": design.id,
        "url": design.url,
        "product": design.product.slug,
        "version": design.catalog_version.version,
        "choices": design.choices,
        "config_hash": design.config_hash,
        "title": design.title,
        "created_at": design.created_at.isoformat(),
    }
