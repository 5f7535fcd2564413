"""Sentences a shopper reads: why an option is unavailable and how to get it back."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal

from configurator.domain.engine.choices import allowed_characters, refused_characters
from configurator.domain.engine.expr import Value, describe
from configurator.domain.engine.model import Catalog, Rule


def _labeller(catalog: Catalog):  # type: ignore[no-untyped-def]
    def label(attr: str, option: str | None) -> str:
        attribute = catalog.attribute(attr)
        if attribute is None:
            return attr
        if option is None:
            return attribute.label
        found = attribute.option(option)
        return found.label if found else option

    return label


def rule_sentence(catalog: Catalog, rule: Rule) -> str:
    """The rule's own message, or a plain description of it when it has none."""
    if rule.message:
        return rule.message
    label = _labeller(catalog)
    if rule.kind == "requires" and rule.when and rule.then:
        return f"When {describe(rule.when, label)}, {describe(rule.then, label)} is required."
    if rule.kind == "excludes" and rule.when and rule.then:
        return f"{describe(rule.when, label)} cannot go with {describe(rule.then, label)}."
    if rule.kind == "table":
        names = ", ".join(label(name, None) for name in rule.attributes)
        return f"Only certain combinations of {names} are made."
    if rule.kind == "text" and rule.attribute:
        limit = (
            f"at most {rule.max_length} characters"
            if rule.max_length is not None
            else "only certain characters"
        )
        condition = f" when {describe(rule.when, label)}" if rule.when else ""
        return f"{label(rule.attribute, None)} allows {limit}{condition}."
    if rule.expr is not None:
        return f"This combination is not made: {describe(rule.expr, label)} must hold."
    return "This combination is not made."


def limit_sentence(catalog: Catalog, attribute_id: str, value: Value) -> str:
    """The attribute's own limit in words; for numbers and texts, the one ``value`` breaks."""
    attribute = catalog.attribute(attribute_id)
    assert attribute is not None
    if attribute.kind == "number" and value is not None:
        return (
            f"{attribute.label} goes from {attribute.min} to {attribute.max}"
            f" in steps of {attribute.step}."
        )
    if attribute.kind == "text" and isinstance(value, str):
        assert attribute.max_length is not None
        if len(value) > attribute.max_length:
            return f"{attribute.label} allows at most {attribute.max_length} characters."
        refusal = characters_refusal(attribute.label, attribute.pattern, value)
        return refusal or f"{attribute.label} contains characters that are not allowed."
    if attribute.kind == "multi":
        low = max(int(attribute.min or 0), 1 if attribute.required else 0)
        high = int(attribute.max if attribute.max is not None else len(attribute.options))
        if low and high < len(attribute.options):
            return f"{attribute.label}: choose {low} to {high}."
        if high < len(attribute.options):
            return f"{attribute.label}: at most {high}."
        return f"{attribute.label}: at least {low}."
    return f"{attribute.label} must be chosen."


def shown_characters(chars: Sequence[str]) -> str:
    """Characters as a sentence names them: “✈” and “€”; one without a visible form
    of its own (a space other than " ", a control, a combining mark) as U+00A0."""
    shown = [
        f"“{char}”"
        if char == " " or unicodedata.category(char)[0] in "LNPS"
        else f"U+{ord(char):04X}"
        for char in chars
    ]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def characters_refusal(label: str, pattern: str | None, text: str) -> str | None:
    """The sentence refusing ``text`` for the characters ``pattern`` does not take,
    naming them and, where it can be said, what may be used instead; None when the text
    matches or no characters are at fault."""
    refused = refused_characters(pattern, text)
    if not refused:
        return None
    sentence = f"{label}: {shown_characters(refused)} can’t be used"
    allowed = allowed_characters(pattern)
    # No full stop after the list: it may end with "." itself.
    return f"{sentence}; use {allowed}" if allowed else f"{sentence}."


def rule_refusal(rule: Rule, values: Mapping[str, Value]) -> str | None:
    """For a text rule whose pattern the chosen text breaks: which characters it refuses."""
    if rule.kind != "text" or not rule.pattern or not rule.attribute:
        return None
    text = values.get(rule.attribute)
    refused = refused_characters(rule.pattern, text) if isinstance(text, str) else []
    return f"{shown_characters(refused)} can’t be used." if refused else None


def choice_phrase(catalog: Catalog, attribute_id: str, value: Value) -> str:
    attribute = catalog.attribute(attribute_id)
    assert attribute is not None
    if isinstance(value, str) and attribute.kind == "single":
        option = attribute.option(value)
        return f"{option.label if option else value} ({attribute.label})"
    if isinstance(value, frozenset):
        names = [o.label for o in attribute.options if o.id in value]
        return f"{', '.join(names)} ({attribute.label})"
    if isinstance(value, Decimal):
        return f"{value} ({attribute.label})"
    return f"your {attribute.label.lower()}"


def reason_json(
    catalog: Catalog,
    rules: Sequence[Rule],
    choices: Sequence[str],
    limits: Sequence[str],
    values: Mapping[str, Value],
) -> dict[str, object]:
    """A reason or conflict in the contract's shape, with a sentence and a hint."""
    sentences = [
        " ".join(filter(None, (rule_sentence(catalog, rule), rule_refusal(rule, values))))
        for rule in rules
    ]
    sentences += [limit_sentence(catalog, a, values.get(a)) for a in limits]
    message = " ".join(sentences) or "Not available with the current choices."
    reason: dict[str, object] = {
        "message": message,
        "rules": [rule.name for rule in rules],
        "choices": list(choices),
    }
    if limits:
        reason["limits"] = list(limits)
    if choices:
        chosen = " and ".join(choice_phrase(catalog, a, values.get(a)) for a in choices)
        names = " or ".join(catalog.attribute(a).label for a in choices)  # type: ignore[union-attr]
        reason["hint"] = f"Because you chose {chosen}. Change {names} to make it available."
    return reason
