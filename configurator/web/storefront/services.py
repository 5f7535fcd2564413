"""The configurator as page data: steps, controls, availability, price, conflict, repair.

Also carries a configuration made under one catalog version over to the current one,
which saved designs and cart lines both need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from configurator.core.errors import echo, text_fault
from configurator.domain.engine import Attribute, Catalog, ChoiceError
from configurator.domain.engine.choices import parse_value, text_matches
from configurator.domain.engine.loader import number_to_json
from configurator.domain.engine.reasons import characters_refusal
from configurator.domain.reopen import RepairView, repair_view, value_label
from configurator.modules.catalog.engines import engine_for
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.previews.services import (
    TextProblem,
    preview_src,
    register_preview,
    settings,
    text_problem,
)

FIELD_PREFIX = "c-"
KEPT_BY_COMPLETION = ("text", "number")  # personal: a surprise never changes your size


def field_name(attribute_id: str) -> str:
    return FIELD_PREFIX + attribute_id


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
        name = register_preview(version, drawn, pinned=pinned)
        problem = text_problem(version, drawn) if name is None else None
    if problem is not None:
        # Show the design without the text that does not fit, and say so by the field.
        text_view = views[problem.attribute]
        text_view.error = text_view.error or problem.message
        without = {key: value for key, value in drawn.items() if key != problem.attribute}
        name = register_preview(version, without, pinned=pinned)
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
