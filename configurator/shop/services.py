"""The configurator as page data: steps, controls, availability, price, conflict, repair.

Also carries a configuration made under one catalog version over to the current one,
which saved designs and cart lines both need.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..engine import Attribute, Catalog, ChoiceError, Engine
from ..engine.choices import parse_value, text_matches
from ..engine.loader import number_to_json
from ..engine.pricing import price_json
from ..engine.reasons import characters_refusal
from ..errors import ECHO_LENGTH, echo, text_fault
from ..preview_serving.services import (
    TextProblem,
    preview_name,
    preview_src,
    settings,
    text_problem,
)
from ..products.engines import engine_for
from ..products.models import CatalogVersion

FIELD_PREFIX = "c-"
KEPT_BY_COMPLETION = ("text", "number")  # personal: a surprise never changes your size


def field_name(attribute_id: str) -> str:
    return FIELD_PREFIX + attribute_id


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


def number_ranges(values: list[int | float]) -> str:
    """``[36, 37, 38, 41]`` -> ``36–38, 41``, with runs of whole steps joined."""
    if not values:
        return "none"
    runs: list[list[int | float]] = [[values[0], values[0]]]
    for value in values[1:]:
        if value - runs[-1][1] == 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


# -- the page's data ---------------------------------------------------------------------


@dataclass(frozen=True)
class OptionView:
    id: str
    label: str
    price: int
    swatch: str | None
    available: bool
    reason: dict[str, Any] | None
    selected: bool


@dataclass
class AttributeView:
    attribute: Attribute
    value: Any
    state: dict[str, Any]
    options: list[OptionView] = field(default_factory=list)
    error: str | None = None
    in_conflict: bool = False

    @property
    def id(self) -> str:
        return self.attribute.id

    @property
    def label(self) -> str:
        return self.attribute.label

    @property
    def kind(self) -> str:
        return self.attribute.kind

    @property
    def field(self) -> str:
        return field_name(self.attribute.id)

    @property
    def value_label(self) -> str:
        return value_label(self.attribute, self.value)

    @property
    def has_swatches(self) -> bool:
        return any(option.swatch for option in self.attribute.options)

    @property
    def allowed_label(self) -> str:
        return number_ranges(list(self.state.get("allowed", [])))


@dataclass
class StepView:
    key: str
    title: str
    attributes: list[AttributeView]


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


@dataclass
class ConfiguratorView:
    version: CatalogVersion
    catalog: Catalog
    choices: dict[str, Any]
    answer: dict[str, Any]
    steps: list[StepView]
    repair: RepairView | None
    changed: str | None
    errors: dict[str, str]
    preview_name: str | None  # content hash of the picture shown (see preview_problem)
    preview_problem: TextProblem | None = None  # a text the picture cannot hold
    backdrop: str | None = None  # the colour behind the product in its pictures

    @property
    def preview(self) -> str | None:
        """The 800 px WebP URL of the picture shown."""
        return preview_src(self.preview_name) if self.preview_name else None

    @property
    def price(self) -> dict[str, Any]:
        return dict(self.answer["price"])

    @property
    def consistent(self) -> bool:
        return bool(self.answer["consistent"])

    @property
    def complete(self) -> bool:
        return bool(self.answer["complete"])

    @property
    def conflict(self) -> dict[str, Any] | None:
        conflict: dict[str, Any] | None = self.answer["conflict"]
        return conflict

    @property
    def missing(self) -> list[str]:
        return [a.label for a in self.catalog.attributes if a.required and a.id not in self.choices]


def preview_backdrop(slug: str) -> str | None:
    """The art's background colour (``#f3efe8``): the frame around a picture is painted
    with it, so that the bands beside a square picture in a wider frame do not show."""
    art = settings().art_of(slug)
    return None if art is None else art.background


def _steps(catalog: Catalog, views: dict[str, AttributeView]) -> list[StepView]:
    """Consecutive attributes sharing a catalog ``section`` form one step; others stand alone."""
    steps: list[StepView] = []
    for attribute in catalog.attributes:
        title = attribute.extra.get("section")
        if isinstance(title, str) and steps and steps[-1].title == title:
            steps[-1].attributes.append(views[attribute.id])
            continue
        key = f"step-{len(steps) + 1}"
        steps.append(StepView(key, title if isinstance(title, str) else attribute.label, []))
        steps[-1].attributes.append(views[attribute.id])
    return steps


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


def text_limit_problem(attribute: Attribute, value: Any) -> str | None:
    """What is wrong with a text against its attribute's own limits (as the page script
    says it), or None."""
    if attribute.kind != "text" or not isinstance(value, str) or not value:
        return None
    if attribute.max_length is not None and len(value) > attribute.max_length:
        return f"{attribute.label}: at most {attribute.max_length} characters."
    if not text_matches(attribute.pattern, value):
        refusal = characters_refusal(attribute.label, attribute.pattern, value)
        return refusal or f"{attribute.label}: some of these characters can’t be used."
    return None


def _text_error(view: AttributeView, conflict: dict[str, Any] | None) -> str | None:
    """The message beside a text field, in the page script's order: its own limits, the
    limit its other choices set, then the conflict it is part of."""
    value = view.value
    limit = view.state.get("max_length")
    if isinstance(value, str) and isinstance(limit, int) and len(value) > limit:
        return f"{view.label}: at most {limit} characters with your other choices."
    if view.in_conflict and conflict:
        return str(conflict.get("message") or "") or None
    return None


def configurator_view(
    version: CatalogVersion,
    raw_choices: Mapping[str, Any],
    *,
    changed: str | None = None,
    errors: Mapping[str, str] | None = None,
    pinned: bool = False,
) -> ConfiguratorView:
    """Everything the configurator page shows for ``raw_choices`` (already valid);
    ``pinned`` for a saved design's page (its picture's record is kept for good)."""
    engine = engine_for(version)
    catalog = engine.catalog
    canonical = engine.canonical(dict(raw_choices))
    answer = engine.configure(canonical, explain=True, changed=changed)
    views: dict[str, AttributeView] = {}
    conflicted = set(answer["conflict"]["choices"]) if answer["conflict"] else set()
    beyond_limits: set[str] = set()  # texts the picture is drawn without
    for attribute in catalog.attributes:
        state = answer["attributes"][attribute.id]
        value = canonical.get(attribute.id)
        view = AttributeView(
            attribute,
            value,
            state,
            error=(errors or {}).get(attribute.id),
            in_conflict=attribute.id in conflicted,
        )
        if attribute.kind == "text" and view.error is None:
            limit_problem = text_limit_problem(attribute, value)
            if limit_problem:
                beyond_limits.add(attribute.id)
            view.error = limit_problem or _text_error(view, answer["conflict"])
        if attribute.kind in ("single", "multi"):
            chosen = set(value) if isinstance(value, list) else {value}
            for option in attribute.options:
                option_state = state["options"][option.id]
                view.options.append(
                    OptionView(
                        id=option.id,
                        label=option.label,
                        price=option.price,
                        swatch=option.swatch,
                        available=option_state["available"],
                        reason=option_state.get("reason"),
                        selected=option.id in chosen,
                    )
                )
        views[attribute.id] = view
    drawn = {key: value for key, value in canonical.items() if key not in beyond_limits}
    name = problem = None
    # Only a configuration that can be drawn gets a picture (and a record in the store).
    drawable = answer["consistent"]
    if beyond_limits:
        drawable = engine.configure(drawn, explain=False)["consistent"]
    if drawable:
        name = preview_name(version, drawn, pinned=pinned)
        problem = text_problem(version, drawn) if name is None else None
    if problem is not None:
        # Show the design without the text that does not fit, and say so by the field.
        text_view = views[problem.attribute]
        text_view.error = text_view.error or problem.message
        without = {key: value for key, value in drawn.items() if key != problem.attribute}
        name = preview_name(version, without, pinned=pinned)
    repair = answer["repair"]
    return ConfiguratorView(
        version=version,
        catalog=catalog,
        choices=canonical,
        answer=answer,
        steps=_steps(catalog, views),
        repair=repair_view(catalog, canonical, repair) if repair else None,
        changed=changed if changed in canonical else None,
        errors=dict(errors or {}),
        preview_name=name,
        preview_problem=problem,
        backdrop=preview_backdrop(version.slug) if name else None,
    )


# -- choices from an HTML form -------------------------------------------------------------


# A number typed into a form: at most this many characters, and no larger in magnitude
# than NUMBER_MAX_MAGNITUDE (every catalog number is far smaller). Past either, the text
# is refused beside the field before any arithmetic, so "1e999999" costs nothing.
NUMBER_TEXT_MAX_LENGTH = 32
NUMBER_MAX_MAGNITUDE = Decimal(10) ** 15


def form_number(attribute: Attribute, text: str) -> int | float:
    """A number field's text as the JSON number it stands for; raises ValueError with the
    message for the shopper when it is not a plain, finite, reasonably sized number."""
    message = f"{attribute.label}: enter a number"
    if attribute.min is not None and attribute.max is not None:
        message += f" from {number_to_json(attribute.min)} to {number_to_json(attribute.max)}"
    message += "."
    if len(text) > NUMBER_TEXT_MAX_LENGTH:
        raise ValueError(message)
    try:
        number = Decimal(text)
        if not number.is_finite() or abs(number) > NUMBER_MAX_MAGNITUDE:
            raise ValueError(message)
    except InvalidOperation:
        raise ValueError(message) from None
    return int(number) if number == number.to_integral_value() else float(number)


def choices_from_form(catalog: Catalog, form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Raw choices read from posted fields, and a message per field that could not be used."""
    choices: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for attribute in catalog.attributes:
        name = field_name(attribute.id)
        raw: Any
        if attribute.kind in ("single", "multi"):
            raw = form.getlist(name) if attribute.kind == "multi" else form.get(name) or None
            posted = raw if isinstance(raw, list) else [raw] if raw else []
            unknown = [item for item in posted if attribute.option(item) is None]
            if unknown:
                errors[attribute.id] = f"{attribute.label}: we have no option {echo(unknown[0])}."
                continue
        elif attribute.kind == "number":
            text = (form.get(name) or "").strip()
            raw = None
            if text:
                try:
                    raw = form_number(attribute, text)
                except ValueError as error:
                    errors[attribute.id] = str(error)
                    continue
        else:
            raw = form.get(name) or None
            fault = text_fault(raw) if isinstance(raw, str) else None
            if fault:
                errors[attribute.id] = f"{attribute.label} {fault}."
                continue
        try:
            parsed = parse_value(attribute, raw)
        except ChoiceError as error:
            errors[attribute.id] = error.message
            continue
        if parsed is not None:
            choices[attribute.id] = raw
    return choices, errors


def changed_attribute(before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    """The attribute a shopper changed between two canonical configurations (the last one)."""
    changed = [key for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
    return changed[-1] if len(changed) >= 1 else None


def still_to_choose(engine: Engine, choices: Mapping[str, Any]) -> list[str]:
    """Attributes left unset that a valid configuration needs: required ones, and those
    rules ask for (the cheapest completion sets exactly what it must)."""
    canonical = engine.canonical(dict(choices))
    required = [a.id for a in engine.catalog.attributes if a.required and a.id not in canonical]
    filled = engine.complete(canonical, "cheapest")
    added = [key for key in filled if key not in canonical and key not in required]
    return required + added


# The shopper's words for the completion strategies ("Surprise me", "Cheapest") -> the engine's.
STRATEGIES = {"surprise": "random", "cheapest": "cheapest"}


def completion(engine: Engine, choices: Mapping[str, Any], strategy: str) -> dict[str, Any]:
    """ "Surprise me" or "Cheapest": a full valid configuration that keeps texts and sizes."""
    kept = {
        key: value
        for key, value in engine.canonical(dict(choices)).items()
        if (attribute := engine.catalog.attribute(key)) and attribute.kind in KEPT_BY_COMPLETION
    }
    seed = secrets.randbelow(2**31) if strategy == "random" else None
    return engine.complete(kept, strategy, seed=seed)


# -- carrying a configuration over to the current catalog version ------------------------------


@dataclass
class Carried:
    """A configuration pinned to ``source`` read against ``current``, with what changed."""

    source: CatalogVersion
    current: CatalogVersion
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
    source: CatalogVersion, choices: Mapping[str, Any], current: CatalogVersion
) -> Carried:
    """Check ``choices`` (saved under ``source``) against the ``current`` catalog version."""
    old_engine = engine_for(source)
    engine = old_engine if source.id == current.id else engine_for(current)
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
