"""A shopper's choices: validation of raw JSON, canonical form, hashing, validity.

``Choices`` maps attribute id to a normalised value: single -> option id,
multi -> frozenset of option ids, text -> non-empty str, number -> Decimal.
Attributes not chosen yet are absent (an empty multi or text counts as not chosen).
Texts are kept in Unicode NFC, so a letter typed as base and combining accent is the
same choice (same hash, same cart line, same pattern match) as the composed letter.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from configurator.domain.engine.errors import ChoiceError
from configurator.domain.engine.expr import Value, evaluate
from configurator.domain.engine.loader import number_to_json
from configurator.domain.engine.model import Attribute, Catalog, Rule

Choices = dict[str, Value]


def _bad_type(attribute: Attribute, expected: str) -> ChoiceError:
    return ChoiceError(
        400, "invalid_type", f"{attribute.label}: expected {expected}", f"choices.{attribute.id}"
    )


def _invalid(attribute: Attribute, code: str, message: str) -> ChoiceError:
    return ChoiceError(422, code, f"{attribute.label}: {message}", f"choices.{attribute.id}")


def shown(value: object, most: int = 40) -> str:
    """A value as an error message quotes it: repr, cut short if long."""
    text = repr(value)
    return text if len(text) <= most else f"{text[: most - 1]}…"


def parse_value(attribute: Attribute, raw: object) -> Value:
    """Validate one raw JSON value; ``None`` means not chosen."""
    if attribute.kind == "single":
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise _bad_type(attribute, "an option id or null")
        if attribute.option(raw) is None:
            raise _invalid(attribute, "unknown_option", f"no option {shown(raw)}")
        return raw
    if attribute.kind == "multi":
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise _bad_type(attribute, "a list of option ids")
        for item in raw:
            if attribute.option(item) is None:
                raise _invalid(attribute, "unknown_option", f"no option {shown(item)}")
        return frozenset(raw) or None
    if attribute.kind == "text":
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise _bad_type(attribute, "a string")
        return unicodedata.normalize("NFC", raw) or None
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _bad_type(attribute, "a number or null")
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise _bad_type(attribute, "a number or null") from None
    if not number.is_finite():
        raise _bad_type(attribute, "a finite number or null")
    return number


def text_matches(pattern: str | None, text: str) -> bool:
    """Whether the whole of ``text`` matches a catalog's ``pattern`` (None or "": no
    pattern). Whole, as a browser reads an input's pattern: with ``re.search``,
    "^[A-Z]*$" let "AB\\n" through (``$`` matches before a final newline) and an
    unanchored pattern only had to occur somewhere."""
    return not pattern or re.fullmatch(pattern, text) is not None


def refused_characters(pattern: str | None, text: str) -> list[str]:
    """The characters of ``text`` that ``pattern`` refuses, each once, in the order they
    first occur; empty when the text matches, or when no characters are at fault (the
    text breaks a pattern that is about more than which characters it may hold).

    The characters at fault are the fewest of those the pattern refuses on their own
    whose removal makes the text match, or leaves nothing (all of them, for patterns
    like the seed catalogs' ``^[...]*$``); none, when the pattern takes no character on
    its own.
    """
    if text_matches(pattern, text):
        return []
    refused = [char for char in dict.fromkeys(text) if not text_matches(pattern, char)]
    takes_one = any(text_matches(pattern, char) for char in "Aa0 ")
    if len(refused) == len(set(text)) and not takes_one:
        return []  # it takes no character alone (a fixed length?): no telling which
    rest = _without(text, refused)
    if rest and not text_matches(pattern, rest):
        return []
    for char in list(refused):
        fewer = [other for other in refused if other != char]
        if text_matches(pattern, _without(text, fewer)):
            refused = fewer
    return refused


def _without(text: str, chars: list[str]) -> str:
    return "".join(char for char in text if char not in chars)


# Letters of several scripts, capital and small, to tell which letters a pattern takes,
# and the other characters a catalog's pattern is likely to name.
_CAPITALS = "AZÉÑŁŽȘΑΩЖЯԱ"
_SMALLS = "azßéñłžșαωжяա"
_MARKS = string.punctuation.replace("'", "'’")


def allowed_characters(pattern: str | None) -> str | None:
    """The characters ``pattern`` takes, in words ("letters, digits, spaces and ' - .");
    None when it is no plain set of characters that any text of them matches."""
    if not pattern:
        return None
    probes = _CAPITALS + _SMALLS + string.digits + " " + _MARKS
    takes = {char for char in probes if text_matches(pattern, char)}
    beyond_ascii = takes - set(string.ascii_letters + string.digits + " " + _MARKS)
    words: list[str] = []
    if set(_CAPITALS + _SMALLS) <= takes:
        words.append("letters")
    elif set(_CAPITALS) <= takes and not takes & set(_SMALLS):
        words.append("capital letters")
    elif set("AZaz") <= takes and not beyond_ascii:
        words.append("letters A–Z and a–z")
    elif set("AZ") <= takes and not beyond_ascii and not takes & set(_SMALLS):
        words.append("capital letters A–Z")
    elif takes & set(_CAPITALS + _SMALLS):
        return None
    digits = takes & set(string.digits)
    if digits and digits != set(string.digits):
        return None
    if digits:
        words.append("digits")
    if " " in takes:
        words.append("spaces")
    marks = [char for char in _MARKS if char in takes]
    if marks:
        words.append(" ".join(marks))
    if not words or not text_matches(pattern, "".join(sorted(takes))):
        return None
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def patterns_together(patterns: list[str]) -> str | None:
    """One pattern that a text matches (as ``text_matches`` says) exactly when it matches
    every one of ``patterns``; written so that JavaScript reads it the same way."""
    if len(patterns) <= 1:
        return patterns[0] if patterns else None
    # Each look-ahead holds only where its pattern runs to the very end of the text.
    return "".join(f"(?=(?:{pattern})(?![\\s\\S]))" for pattern in patterns) + "[\\s\\S]*"


def within_limits(attribute: Attribute, value: Value) -> bool:
    """Whether a well-typed value of a number or text attribute fits the attribute itself
    (range and step; length and pattern). Values that do not are answered as a conflict
    with the attribute's limits, not refused, so an old design can still be repaired."""
    if isinstance(value, Decimal):
        return value in attribute.number_values()
    if isinstance(value, str) and attribute.kind == "text":
        assert attribute.max_length is not None
        too_long = len(value) > attribute.max_length
        return not too_long and text_matches(attribute.pattern, value)
    return True


def parse_choices(catalog: Catalog, raw: object) -> Choices:
    """Validate raw JSON choices against the catalog; raises ChoiceError."""
    if not isinstance(raw, dict):
        raise ChoiceError(400, "invalid_type", "choices must be an object", "choices")
    choices: Choices = {}
    for key, value in raw.items():
        attribute = catalog.attribute(key) if isinstance(key, str) else None
        if attribute is None:
            raise ChoiceError(
                422, "unknown_attribute", f"no attribute {shown(key)}", f"choices.{str(key)[:60]}"
            )
        parsed = parse_value(attribute, value)
        if parsed is not None:
            choices[key] = parsed
    return choices


def to_json(choices: Mapping[str, Value]) -> dict[str, Any]:
    """Canonical JSON form: keys sorted, multi values sorted, numbers as int where whole."""
    result: dict[str, Any] = {}
    for key in sorted(choices):
        value = choices[key]
        if isinstance(value, frozenset):
            result[key] = sorted(value)
        elif isinstance(value, Decimal):
            result[key] = number_to_json(value)
        else:
            result[key] = value
    return result


def config_hash(catalog_slug: str, version: int, canonical: Mapping[str, Any]) -> str:
    """Hash of a product, catalog version and canonical choices (names previews and cart lines)."""
    payload = json.dumps(
        {"product": catalog_slug, "version": version, "choices": canonical},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def violations(catalog: Catalog, choices: Mapping[str, Value]) -> list[str]:
    """Names of the rules and limits the choices break, read as a full configuration."""
    broken: list[str] = []
    for attribute in catalog.attributes:
        value = choices.get(attribute.id)
        if attribute.required and value is None:
            broken.append(f"required:{attribute.id}")
        if not within_limits(attribute, value):
            broken.append(f"limits:{attribute.id}")
        if attribute.kind == "multi":
            count = len(value) if isinstance(value, frozenset) else 0
            low = max(int(attribute.min or 0), 1 if attribute.required else 0)
            if not low <= count <= int(attribute.max if attribute.max is not None else count):
                broken.append(f"count:{attribute.id}")
    for rule in catalog.rules:
        if not rule_holds(rule, choices):
            broken.append(rule.name)
    return broken


def rule_holds(rule: Rule, choices: Mapping[str, Value]) -> bool:
    """Whether one rule holds on a full configuration (an empty text matches any pattern)."""
    if rule.kind == "table":
        try:
            values = rule.cells(choices)
        except KeyError:  # a configuration without the unset attributes
            values = tuple(choices.get(name) for name in rule.attributes)
        return None in values or values in rule.rows
    if rule.kind == "constraint":
        assert rule.expr is not None
        return evaluate(rule.expr, choices)
    if rule.kind in ("requires", "excludes"):
        assert rule.when is not None and rule.then is not None
        if not evaluate(rule.when, choices):
            return True
        return evaluate(rule.then, choices) == (rule.kind == "requires")
    if rule.kind == "text":
        if rule.when is not None and not evaluate(rule.when, choices):
            return True
        text = choices.get(rule.attribute or "")
        text = text if isinstance(text, str) else ""
        if rule.max_length is not None and len(text) > rule.max_length:
            return False
        return not text or text_matches(rule.pattern, text)
    return True
