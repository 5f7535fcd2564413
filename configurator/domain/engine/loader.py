"""Reading and writing catalogs (TOML or JSON documents) with every problem reported.

Problems are collected rather than raised one at a time, so a merchant sees the
whole list at once; each names the file, the attribute or rule, and a position.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from configurator.domain.engine.errors import CatalogError
from configurator.domain.engine.expr import Expr, ExprSyntaxError, check, parse
from configurator.domain.engine.model import (
    Attribute,
    AttributeKind,
    Catalog,
    Option,
    Rule,
    RuleKind,
)

SLUG = re.compile(r"^[a-z0-9-]+$")
IDENT = re.compile(r"^[a-z0-9_]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
SWATCH = re.compile(r"^#[0-9a-fA-F]{6}$")
ATTRIBUTE_KINDS = ("single", "multi", "text", "number")
RULE_KINDS = ("constraint", "requires", "excludes", "table", "price", "text")
MAX_NUMBER_VALUES = 5000
DEFAULT_TEXT_LENGTH = 100

_PRODUCT_KEYS = {"slug", "name", "description", "currency", "base_price"}
_ATTRIBUTE_KEYS = {
    "id", "label", "kind", "required", "default", "options",
    "min", "max", "step", "max_length", "pattern",
}  # fmt: skip
_OPTION_KEYS = {"id", "label", "price", "swatch"}


def load_catalog(path: str | Path) -> Catalog:
    """Load a product folder (``product.toml`` or ``product.json``) or a catalog file."""
    path = Path(path)
    if path.is_dir():
        for name in ("product.toml", "product.json"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            raise CatalogError([f"{path}: no product.toml or product.json in this folder"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError([f"{path}: cannot read: {error}"]) from None
    return parse_catalog(read_document(text, path.suffix, str(path)), str(path))


def read_document(text: str, suffix: str, source: str) -> dict[str, Any]:
    """Decode TOML or JSON text into a document."""
    try:
        if suffix == ".json":
            document = json.loads(text)
        elif suffix == ".toml":
            document = tomllib.loads(text)
        else:
            raise CatalogError([f"{source}: a catalog is a .toml or .json file"])
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise CatalogError([f"{source}: not valid {suffix[1:].upper()}: {error}"]) from None
    if not isinstance(document, dict):
        raise CatalogError([f"{source}: the document must be a table/object"])
    return document


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    # product -------------------------------------------------------------

    def product(self, document: Mapping[str, Any]) -> dict[str, Any]:
        product = document.get("product")
        if not isinstance(product, dict):
            self.problem("product", "missing [product] table")
            return {}
        slug = product.get("slug")
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            self.problem("product.slug", "must be lower-case letters, digits and '-'")
        if not isinstance(product.get("name"), str) or not product.get("name"):
            self.problem("product.name", "must be a non-empty string")
        if not isinstance(product.get("description", ""), str):
            self.problem("product.description", "must be a string")
        if not isinstance(product.get("currency"), str) or not CURRENCY.fullmatch(
            product["currency"]
        ):
            self.problem("product.currency", "must be an ISO 4217 code such as 'EUR'")
        if not _is_int(product.get("base_price")):
            self.problem("product.base_price", "must be an integer in minor units (cents)")
        return product

    # attributes ------------------------------------------------------------

    def attributes(self, document: Mapping[str, Any]) -> list[Attribute]:
        raw = document.get("attributes")
        if not isinstance(raw, list) or not raw:
            self.problem("attributes", "a catalog needs a non-empty list of attributes")
            return []
        attributes: list[Attribute] = []
        seen: set[str] = set()
        for position, entry in enumerate(raw, 1):
            where = f"attribute #{position}"
            if not isinstance(entry, dict):
                self.problem(where, "must be a table")
                continue
            attribute_id = entry.get("id")
            if not isinstance(attribute_id, str) or not IDENT.fullmatch(attribute_id):
                self.problem(where, "id must be lower-case letters, digits and '_'")
                continue
            where = f"attribute {attribute_id}"
            if attribute_id in seen:
                self.problem(where, "duplicate attribute id")
                continue
            seen.add(attribute_id)
            attribute = self.attribute(entry, attribute_id, where)
            if attribute is not None:
                attributes.append(attribute)
        return attributes

    def attribute(self, entry: dict[str, Any], attribute_id: str, where: str) -> Attribute | None:
        kind = entry.get("kind", "single")
        if kind not in ATTRIBUTE_KINDS:
            self.problem(where, f"kind must be one of {', '.join(ATTRIBUTE_KINDS)}")
            return None
        label = entry.get("label", attribute_id.replace("_", " ").capitalize())
        if not isinstance(label, str):
            self.problem(where, "label must be a string")
            label = attribute_id
        required = entry.get("required", False)
        if not isinstance(required, bool):
            self.problem(where, "required must be true or false")
            required = False
        extra = {key: value for key, value in entry.items() if key not in _ATTRIBUTE_KEYS}
        fields: dict[str, Any] = {}
        if kind in ("single", "multi"):
            fields["options"] = self.options(entry.get("options"), where)
        if kind == "multi":
            fields.update(self.multi_limits(entry, len(fields["options"]), where))
        elif kind == "number":
            fields.update(self.number_limits(entry, where))
        elif kind == "text":
            fields.update(self.text_limits(entry, where))
        attribute = Attribute(
            id=attribute_id, label=label, kind=cast(AttributeKind, kind), required=required,
            extra=extra, **fields,
        )  # fmt: skip
        default = self.default(entry, attribute, where)
        return Attribute(**{**attribute.__dict__, "default": default})

    def options(self, raw: object, where: str) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(where, "needs a non-empty list of options")
            return ()
        options: list[Option] = []
        seen: set[str] = set()
        for position, entry in enumerate(raw, 1):
            if not isinstance(entry, dict):
                self.problem(f"{where} option #{position}", "must be a table")
                continue
            option_id = entry.get("id")
            if not isinstance(option_id, str) or not IDENT.fullmatch(option_id):
                self.problem(
                    f"{where} option #{position}", "id must be lower-case letters, digits and '_'"
                )
                continue
            here = f"{where} option {option_id}"
            if option_id in seen:
                self.problem(here, "duplicate option id")
                continue
            seen.add(option_id)
            price = entry.get("price", 0)
            if not _is_int(price):
                self.problem(here, f"price must be an integer in minor units, not {price!r}")
                price = 0
            swatch = entry.get("swatch")
            if swatch is not None and (not isinstance(swatch, str) or not SWATCH.fullmatch(swatch)):
                self.problem(here, "swatch must be a colour like '#a0b1c2'")
                swatch = None
            label = entry.get("label", option_id.replace("_", " ").capitalize())
            if not isinstance(label, str):
                self.problem(here, "label must be a string")
                label = option_id
            unknown = set(entry) - _OPTION_KEYS
            if unknown:
                self.problem(here, f"unknown keys {sorted(unknown)}")
            options.append(Option(option_id, label, price, swatch))
        return tuple(options)

    def multi_limits(self, entry: dict[str, Any], size: int, where: str) -> dict[str, Any]:
        low, high = entry.get("min", 0), entry.get("max", size)
        if not _is_int(low) or not _is_int(high) or not 0 <= low <= high:
            self.problem(where, "min and max must be whole numbers with 0 <= min <= max")
            return {"min": Decimal(0), "max": Decimal(size)}
        if size and low > size:
            self.problem(where, f"min {low} is more than the {size} options")
        return {"min": Decimal(low), "max": Decimal(min(high, size))}

    def number_limits(self, entry: dict[str, Any], where: str) -> dict[str, Any]:
        low, high, step = (_number(entry.get(key)) for key in ("min", "max", "step"))
        if step is None and "step" not in entry:
            step = Decimal(1)
        if low is None or high is None or step is None:
            self.problem(where, "a number attribute needs numeric min, max (and step)")
            return {"min": Decimal(0), "max": Decimal(0), "step": Decimal(1)}
        if step <= 0 or low > high:
            self.problem(where, "needs min <= max and a positive step")
            return {"min": low, "max": low, "step": Decimal(1)}
        if (high - low) / step >= MAX_NUMBER_VALUES:
            self.problem(where, f"more than {MAX_NUMBER_VALUES} values from min to max by step")
            return {"min": low, "max": low, "step": step}
        return {"min": low, "max": high, "step": step}

    def text_limits(self, entry: dict[str, Any], where: str) -> dict[str, Any]:
        max_length = entry.get("max_length", DEFAULT_TEXT_LENGTH)
        if not _is_int(max_length) or max_length < 1:
            self.problem(where, "max_length must be a positive whole number")
            max_length = DEFAULT_TEXT_LENGTH
        pattern = self.pattern(entry.get("pattern"), where)
        return {"max_length": max_length, "pattern": pattern}

    def pattern(self, pattern: object, where: str) -> str | None:
        if pattern is None:
            return None
        if not isinstance(pattern, str):
            self.problem(where, "pattern must be a string")
            return None
        try:
            re.compile(pattern)
        except re.error as error:
            self.problem(where, f"pattern is not a valid regular expression: {error}")
            return None
        return pattern

    def default(self, entry: dict[str, Any], attribute: Attribute, where: str) -> Any:
        if "default" not in entry:
            return None
        default = entry["default"]
        if attribute.kind == "single":
            if not isinstance(default, str) or attribute.option(default) is None:
                self.problem(where, f"default {default!r} is not one of its options")
                return None
            return default
        if attribute.kind == "multi":
            if not isinstance(default, list) or not all(
                isinstance(item, str) and attribute.option(item) for item in default
            ):
                self.problem(where, f"default {default!r} must be a list of its option ids")
                return None
            return sorted(set(default))
        if attribute.kind == "text":
            if not isinstance(default, str):
                self.problem(where, "default must be a string")
                return None
            return default
        number = _number(default)
        if number is None or number not in attribute.number_values():
            self.problem(where, f"default {default!r} is not one of its values")
            return None
        return number

    # rules -----------------------------------------------------------------

    def rules(self, document: Mapping[str, Any], attributes: list[Attribute]) -> list[Rule]:
        raw = document.get("rules", [])
        if not isinstance(raw, list):
            self.problem("rules", "must be a list of tables")
            return []
        schema = {a.id: (a.kind, frozenset(option.id for option in a.options)) for a in attributes}
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw, 1):
            if not isinstance(entry, dict):
                self.problem(f"rule #{index}", "must be a table")
                continue
            rule_id = entry.get("id")
            if rule_id is not None and (not isinstance(rule_id, str) or not rule_id):
                self.problem(f"rule #{index}", "id must be a non-empty string")
                rule_id = None
            where = f"rule {rule_id}" if rule_id else f"rule #{index}"
            if rule_id in seen:
                self.problem(where, "duplicate rule id")
            if rule_id:
                seen.add(rule_id)
            rule = self.rule(entry, index, rule_id, where, schema)
            if rule is not None:
                rules.append(rule)
        return rules

    def rule(
        self,
        entry: dict[str, Any],
        index: int,
        rule_id: str | None,
        where: str,
        schema: Mapping[str, tuple[str, frozenset[str]]],
    ) -> Rule | None:
        kind = entry.get("kind")
        if kind not in RULE_KINDS:
            self.problem(where, f"kind must be one of {', '.join(RULE_KINDS)}")
            return None
        message = entry.get("message")
        if message is not None and not isinstance(message, str):
            self.problem(where, "message must be a string")
            message = None

        def expression(key: str) -> Expr | None:
            text = entry.get(key)
            if not isinstance(text, str):
                self.problem(where, f"{key} must be an expression string")
                return None
            try:
                expr = parse(text)
            except ExprSyntaxError as error:
                self.problem(where, f"{key} at {error.position}: {error.message}")
                return None
            for position, problem in check(expr, schema):
                self.problem(where, f"{key} at {position}: {problem}")
            return expr

        fields: dict[str, Any] = {}
        if kind == "constraint":
            fields["expr"] = expression("expr")
        elif kind in ("requires", "excludes"):
            fields["when"] = expression("when")
            fields["then"] = expression("then")
        elif kind == "price":
            fields["when"] = expression("when")
            fields["add"] = entry.get("add")
            if not _is_int(fields["add"]):
                self.problem(where, f"add must be an integer in minor units, not {fields['add']!r}")
                fields["add"] = 0
            fields["label"] = entry.get("label")
            if fields["label"] is not None and not (
                isinstance(fields["label"], str) and fields["label"].strip()
            ):
                self.problem(where, "label must be a non-empty string")
                fields["label"] = None
        elif kind == "table":
            fields.update(self.table(entry, where, schema))
        else:
            fields.update(self.text_rule(entry, where, schema))
            fields["when"] = expression("when") if "when" in entry else None
        if any(key in fields and fields[key] is None for key in ("expr", "then")) or (
            kind in ("requires", "excludes", "price") and fields.get("when") is None
        ):
            return None
        return Rule(
            index=index, kind=cast(RuleKind, kind), id=rule_id, message=message,
            source=dict(entry), **fields,
        )  # fmt: skip

    def table(
        self, entry: dict[str, Any], where: str, schema: Mapping[str, tuple[str, frozenset[str]]]
    ) -> dict[str, Any]:
        names, allowed = entry.get("attributes"), entry.get("allowed")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            self.problem(where, "attributes must be a list of attribute ids")
            return {"attributes": (), "allowed": ()}
        if len(set(names)) != len(names):
            self.problem(where, "attributes must not repeat")
        for name in names:
            if name not in schema:
                self.problem(where, f"unknown attribute {name!r}")
            elif schema[name][0] != "single":
                self.problem(
                    where, f"a table lists single attributes; {name!r} is {schema[name][0]}"
                )
        if not isinstance(allowed, list):
            self.problem(where, "allowed must be a list of rows of option ids")
            return {"attributes": tuple(names), "allowed": ()}
        rows: list[tuple[str, ...]] = []
        for number, row in enumerate(allowed, 1):
            if not isinstance(row, list) or len(row) != len(names):
                self.problem(where, f"allowed row {number} must list {len(names)} option ids")
                continue
            for name, value in zip(names, row, strict=True):
                if name in schema and value not in schema[name][1]:
                    self.problem(
                        where, f"allowed row {number}: unknown option {value!r} of {name!r}"
                    )
            rows.append(tuple(row))
        return {"attributes": tuple(names), "allowed": tuple(rows)}

    def text_rule(
        self, entry: dict[str, Any], where: str, schema: Mapping[str, tuple[str, frozenset[str]]]
    ) -> dict[str, Any]:
        attribute = entry.get("attribute")
        if not isinstance(attribute, str) or schema.get(attribute, ("",))[0] != "text":
            self.problem(where, f"attribute must name a text attribute, not {attribute!r}")
            attribute = None
        max_length = entry.get("max_length")
        if max_length is not None and (not _is_int(max_length) or max_length < 0):
            self.problem(where, "max_length must be a whole number")
            max_length = None
        pattern = self.pattern(entry.get("pattern"), where)
        if max_length is None and pattern is None:
            self.problem(where, "a text rule needs max_length or pattern")
        return {"attribute": attribute, "max_length": max_length, "pattern": pattern}


def parse_catalog(document: Mapping[str, Any], source: str = "<catalog>") -> Catalog:
    """Build a catalog from a TOML/JSON document; raises CatalogError with every problem."""
    reader = _Reader(source)
    product = reader.product(document)
    attributes = reader.attributes(document)
    rules = reader.rules(document, attributes)
    if reader.problems:
        raise CatalogError(reader.problems)
    extra = {
        key: value
        for key, value in document.items()
        if key not in ("product", "attributes", "rules")
    }
    extra["product"] = {key: value for key, value in product.items() if key not in _PRODUCT_KEYS}
    return Catalog(
        slug=product["slug"],
        name=product["name"],
        description=product.get("description", ""),
        currency=product["currency"],
        base_price=product["base_price"],
        attributes=tuple(attributes),
        rules=tuple(rules),
        extra=extra,
    )


def number_to_json(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _attribute_document(attribute: Attribute) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": attribute.id, "label": attribute.label, "kind": attribute.kind}
    entry["required"] = attribute.required
    if attribute.kind == "multi":
        entry["min"], entry["max"] = int(attribute.min or 0), int(attribute.max or 0)
    elif attribute.kind == "number":
        for key in ("min", "max", "step"):
            entry[key] = number_to_json(getattr(attribute, key))
    elif attribute.kind == "text":
        entry["max_length"] = attribute.max_length
        if attribute.pattern is not None:
            entry["pattern"] = attribute.pattern
    if attribute.default is not None:
        default = attribute.default
        entry["default"] = number_to_json(default) if isinstance(default, Decimal) else default
    entry.update(attribute.extra)
    if attribute.options:
        entry["options"] = [
            {"id": o.id, "label": o.label, "price": o.price}
            | ({"swatch": o.swatch} if o.swatch else {})
            for o in attribute.options
        ]
    return entry


def catalog_to_document(catalog: Catalog) -> dict[str, Any]:
    """The catalog as a TOML/JSON-ready document that ``parse_catalog`` reads back equal."""
    extra = dict(catalog.extra)
    product_extra = cast(dict[str, Any], extra.pop("product", {}))
    product = {
        "slug": catalog.slug,
        "name": catalog.name,
        "description": catalog.description,
        "currency": catalog.currency,
        "base_price": catalog.base_price,
        **product_extra,
    }
    return {
        "product": product,
        **extra,
        "attributes": [_attribute_document(attribute) for attribute in catalog.attributes],
        "rules": [dict(rule.source) for rule in catalog.rules],
    }
