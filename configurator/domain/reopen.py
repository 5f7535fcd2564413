"""Reopening a saved configuration: its choices in words, and how it reads against the
current catalog version (what was dropped, the repair offered, the price then and now).

A domain rule: it takes the engines it needs and knows no database or request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from configurator.domain.engine import Attribute, Catalog, ChoiceError, Engine
from configurator.domain.engine.choices import parse_value
from configurator.domain.engine.pricing import price_json
from configurator.domain.text import ECHO_LENGTH, echo

# -- labels ------------------------------------------------------------------------------

NOT_CHOSEN = "Not chosen"


def value_label(attribute: Attribute, value: Any) -> str:
    """A chosen value as a shopper reads it."""
    if value is None or value == [] or value == "":
        return NOT_CHOSEN
    if attribute.kind == "single":
        option = attribute.option(str(value))
        return option.label if option else str(value)
    if attribute.kind == "multi":
        chosen = set(value)
        return ", ".join(o.label for o in attribute.options if o.id in chosen) or "None"
    if attribute.kind == "text":
        # Whole when it fits the attribute; a longer one (a conflict) is cut short.
        return echo(str(value), max(attribute.max_length or 0, ECHO_LENGTH))
    return str(value)


@dataclass(frozen=True)
class ChoiceRow:
    label: str
    value: str
    swatches: tuple[str, ...]


def describe_choices(catalog: Catalog, choices: Mapping[str, Any]) -> list[ChoiceRow]:
    """One row per attribute: its label, the chosen value in words, the chosen colours."""
    rows = []
    for attribute in catalog.attributes:
        value = choices.get(attribute.id)
        chosen = value if isinstance(value, list) else [value]
        swatches = tuple(o.swatch for o in attribute.options if o.swatch and o.id in chosen)
        rows.append(ChoiceRow(attribute.label, value_label(attribute, value), swatches))
    return rows


@dataclass
class RepairView:
    choices: dict[str, Any]
    changes: list[tuple[str, str, str]]  # (attribute label, from, to)

    @property
    def summary(self) -> str:
        """``Upper colour: Black; clear Monogram``."""
        return "; ".join(
            f"clear {label}" if new == NOT_CHOSEN else f"{label}: {new}"
            for label, _, new in self.changes
        )


def repair_view(
    catalog: Catalog,
    before: Mapping[str, Any],
    repair: dict[str, Any],
    before_labels: Mapping[str, str] | None = None,
) -> RepairView:
    """The repair as changes a shopper reads; ``before_labels`` names, per attribute, a
    value ``before`` no longer holds (one the current catalog dropped)."""
    after = repair["choices"]
    changes = []
    for attribute_id in repair["change"]:
        attribute = catalog.attribute(attribute_id)
        assert attribute is not None
        old = (before_labels or {}).get(attribute_id)
        changes.append(
            (
                attribute.label,
                old if old is not None else value_label(attribute, before.get(attribute_id)),
                value_label(attribute, after.get(attribute_id)),
            )
        )
    return RepairView(choices=dict(after), changes=changes)


# -- carrying a configuration over to the current catalog version ------------------------------


class Versioned(Protocol):
    """A catalog version as this rule sees it: only its identity."""

    @property
    def id(self) -> int: ...


V = TypeVar("V", bound=Versioned)


@dataclass
class Carried(Generic[V]):
    """A configuration pinned to ``source`` read against ``current``, with what changed."""

    source: V
    current: V
    original: dict[str, Any]
    choices: dict[str, Any]
    dropped: list[str]
    conflict: dict[str, Any] | None
    repair: RepairView | None
    complete: bool
    price_before: dict[str, Any]
    price_now: dict[str, Any]

    @property
    def upgraded(self) -> bool:
        return self.source.id != self.current.id

    @property
    def fixed_choices(self) -> dict[str, Any]:
        """The choices with the offered repair applied."""
        return self.repair.choices if self.repair else self.choices

    @property
    def valid(self) -> bool:
        return self.conflict is None and not self.dropped and self.complete

    @property
    def price_changed(self) -> bool:
        return bool(self.price_before["amount"] != self.price_now["amount"])


def carry_over(
    source: V, old_engine: Engine, choices: Mapping[str, Any], current: V, engine: Engine
) -> Carried[V]:
    """Check ``choices`` (saved under ``source``, read by ``old_engine``) against the
    ``current`` catalog version (read by ``engine``)."""
    catalog = engine.catalog
    dropped: list[str] = []
    dropped_labels: dict[str, str] = {}  # attribute id -> the value it had, in words
    kept: dict[str, Any] = {}
    for key, value in choices.items():
        attribute = catalog.attribute(key)
        old = old_engine.catalog.attribute(key)
        old_label = value_label(old, value) if old else str(value)
        if attribute is None:
            dropped.append(f"{old.label if old else key} is no longer offered ({old_label}).")
            continue
        try:
            parse_value(attribute, value)
        except ChoiceError:
            dropped.append(f"{attribute.label}: {old_label} is no longer available.")
            dropped_labels[key] = old_label
            continue
        kept[key] = value
    canonical = engine.canonical(kept)
    answer = engine.configure(canonical, explain=False)
    repair: RepairView | None = None
    if answer["repair"]:
        repair = repair_view(catalog, canonical, answer["repair"], dropped_labels)
    elif dropped or not answer["complete"]:
        filled = engine.complete(canonical, "cheapest")
        changes = [key for key in filled if filled.get(key) != canonical.get(key)]
        if changes:
            repair = repair_view(
                catalog, canonical, {"change": changes, "choices": filled}, dropped_labels
            )
    price_before = price_json(old_engine.catalog, old_engine.parse(dict(choices)))
    fixed = repair.choices if repair else canonical
    return Carried(
        source=source,
        current=current,
        original=dict(choices),
        choices=canonical,
        dropped=dropped,
        conflict=answer["conflict"],
        repair=repair,
        complete=bool(answer["complete"]),
        price_before=price_before,
        price_now=price_json(catalog, engine.parse(fixed)),
    )
