"""The catalog as the engine sees it: attributes, options, rules, prices.

Plain immutable data; parsing lives in ``loader`` and solving in ``solver``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import itemgetter
from typing import Literal

from configurator.domain.engine.expr import Expr, Value

AttributeKind = Literal["single", "multi", "text", "number"]
RuleKind = Literal["constraint", "requires", "excludes", "table", "price", "text"]


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    price: int = 0
    swatch: str | None = None


@dataclass(frozen=True)
class Attribute:
    id: str
    label: str
    kind: AttributeKind
    required: bool = False
    default: str | list[str] | Decimal | None = None
    options: tuple[Option, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    step: Decimal | None = None
    max_length: int | None = None
    pattern: str | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def option(self, option_id: str) -> Option | None:
        for option in self.options:
            if option.id == option_id:
                return option
        return None

    def number_values(self) -> tuple[Decimal, ...]:
        """Every value a number attribute can take, from ``min`` to ``max`` by ``step``."""
        assert self.min is not None and self.max is not None and self.step is not None
        values = []
        value = self.min
        while value <= self.max:
            values.append(value)
            value += self.step
        return tuple(values)


@dataclass(frozen=True)
class Rule:
    index: int  # 1-based position in the catalog's rules
    kind: RuleKind
    id: str | None = None
    message: str | None = None
    expr: Expr | None = None  # constraint
    when: Expr | None = None  # requires, excludes, price, text
    then: Expr | None = None  # requires, excludes
    attributes: tuple[str, ...] = ()  # table
    allowed: tuple[tuple[str, ...], ...] = ()  # table
    add: int = 0  # price
    label: str | None = None  # price: the price line's label (else the message)
    attribute: str | None = None  # text
    max_length: int | None = None  # text
    pattern: str | None = None  # text
    source: dict[str, object] = field(default_factory=dict, compare=False)

    @cached_property
    def rows(self) -> frozenset[tuple[str, ...]]:
        """A table's allowed rows as a set, for membership tests."""
        return frozenset(self.allowed)

    @cached_property
    def cells(self) -> Callable[[Mapping[str, Value]], tuple[Value, ...]]:
        """A table's reader of its attributes' values, to look up in ``rows``."""
        return tuple_getter(self.attributes)

    @property
    def name(self) -> str:
        """The rule's id, or ``#N`` for a rule written without one."""
        return self.id if self.id else f"#{self.index}"


@dataclass(frozen=True)
class Catalog:
    slug: str
    name: str
    description: str
    currency: str
    base_price: int
    attributes: tuple[Attribute, ...]
    rules: tuple[Rule, ...]
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def attribute(self, attribute_id: str) -> Attribute | None:
        for attribute in self.attributes:
            if attribute.id == attribute_id:
                return attribute
        return None


def tuple_getter(names: Iterable[str]) -> Callable[[Mapping[str, Value]], tuple[Value, ...]]:
    """A function reading the values of ``names`` as a tuple (at C speed)."""
    names = tuple(names)
    if len(names) == 1:
        (name,) = names
        return lambda values: (values[name],)
    return itemgetter(*names)
