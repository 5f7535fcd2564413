"""Rule expressions: tokenizer, parser, checking against a catalog, evaluation.

The grammar is the one in the catalog format contract. Every node keeps the
character position it starts at so that errors can point into the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CMP_OPS = ("=", "!=", "<", "<=", ">", ">=")

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?(?![A-Za-z_0-9]))|(?P<word>[A-Za-z_0-9]+)"
    r"|(?P<str>'[^']*')|(?P<op>!=|<=|>=|[=<>()\[\],]))"
)
_KEYWORDS = {"or", "and", "not", "true", "false", "in", "has", "count", "len"}


class ExprSyntaxError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Const:
    value: bool
    pos: int = 0


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]
    pos: int = 0


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]
    pos: int = 0


@dataclass(frozen=True)
class Not:
    item: Expr
    pos: int = 0


@dataclass(frozen=True)
class Compare:
    """``attr OP 'option'`` (single) or ``attr OP number`` (number)."""

    attr: str
    op: str
    operand: str | Decimal
    pos: int = 0


@dataclass(frozen=True)
class In:
    attr: str
    values: tuple[str, ...]
    pos: int = 0


@dataclass(frozen=True)
class Has:
    attr: str
    value: str
    pos: int = 0


@dataclass(frozen=True)
class Measure:
    """``count(attr) OP n`` (multi) or ``len(attr) OP n`` (text)."""

    func: str
    attr: str
    op: str
    value: int
    pos: int = 0


Expr = Const | Or | And | Not | Compare | In | Has | Measure


def compare(left: Decimal | int, op: str, right: Decimal | int) -> bool:
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            start = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
            raise ExprSyntaxError(f"unexpected character {text[start]!r}", start)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, value: str) -> int:
        kind, text, pos = self.take()
        if text != value or kind == "str":
            found = text or "end of expression"
            raise ExprSyntaxError(f"expected {value!r}, found {found!r}", pos)
        return pos

    def at_keyword(self, word: str) -> bool:
        kind, text, _ = self.peek()
        return kind == "word" and text == word

    def parse(self) -> Expr:
        expr = self.parse_or()
        kind, text, pos = self.peek()
        if kind != "end":
            raise ExprSyntaxError(f"unexpected {text!r}", pos)
        return expr

    def parse_or(self) -> Expr:
        pos = self.peek()[2]
        items = [self.parse_and()]
        while self.at_keyword("or"):
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items), pos)

    def parse_and(self) -> Expr:
        pos = self.peek()[2]
        items = [self.parse_not()]
        while self.at_keyword("and"):
            self.take()
            items.append(self.parse_not())
        return items[0] if len(items) == 1 else And(tuple(items), pos)

    def parse_not(self) -> Expr:
        if self.at_keyword("not"):
            pos = self.take()[2]
            return Not(self.parse_not(), pos)
        return self.parse_atom()

    def parse_atom(self) -> Expr:
        kind, text, pos = self.take()
        if kind == "op" and text == "(":
            expr = self.parse_or()
            self.expect(")")
            return expr
        if kind == "word" and text in ("true", "false"):
            return Const(text == "true", pos)
        if kind == "word" and text in ("count", "len") and self.peek()[1] == "(":
            self.take()
            attr = self.attribute_name()
            self.expect(")")
            op = self.operator()
            value_kind, value_text, value_pos = self.take()
            if value_kind != "num" or "." in value_text:
                raise ExprSyntaxError(f"{text}() compares with a whole number", value_pos)
            return Measure(text, attr, op, int(value_text), pos)
        if kind != "word" or text in _KEYWORDS:
            raise ExprSyntaxError(f"expected an attribute, found {text or 'end'!r}", pos)
        attr = text
        if self.at_keyword("in"):
            self.take()
            self.expect("[")
            values = [self.quoted()]
            while self.peek()[1] == ",":
                self.take()
                values.append(self.quoted())
            self.expect("]")
            return In(attr, tuple(values), pos)
        if self.at_keyword("has"):
            self.take()
            return Has(attr, self.quoted(), pos)
        op = self.operator()
        value_kind, value_text, value_pos = self.take()
        if value_kind == "str":
            return Compare(attr, op, value_text[1:-1], pos)
        if value_kind == "num":
            try:
                return Compare(attr, op, Decimal(value_text), pos)
            except InvalidOperation:  # pragma: no cover - the regex admits only numbers
                raise ExprSyntaxError(f"bad number {value_text!r}", value_pos) from None
        raise ExprSyntaxError(
            f"expected a quoted option id or a number, found {value_text or 'end'!r}", value_pos
        )

    def attribute_name(self) -> str:
        kind, text, pos = self.take()
        if kind != "word" or text in _KEYWORDS:
            raise ExprSyntaxError(f"expected an attribute, found {text or 'end'!r}", pos)
        return text

    def operator(self) -> str:
        kind, text, pos = self.take()
        if kind != "op" or text not in CMP_OPS:
            raise ExprSyntaxError(f"expected a comparison, found {text or 'end'!r}", pos)
        return text

    def quoted(self) -> str:
        kind, text, pos = self.take()
        if kind != "str":
            raise ExprSyntaxError(f"expected a quoted option id, found {text or 'end'!r}", pos)
        return text[1:-1]


def parse(text: str) -> Expr:
    """Parse an expression; raises ExprSyntaxError with the position."""
    return _Parser(text).parse()


def walk(expr: Expr) -> list[Expr]:
    """Every node of the expression, root first."""
    nodes: list[Expr] = [expr]
    if isinstance(expr, Or | And):
        for item in expr.items:
            nodes.extend(walk(item))
    elif isinstance(expr, Not):
        nodes.extend(walk(expr.item))
    return nodes


# kind of each attribute, and its option ids (for single and multi)
Schema = Mapping[str, tuple[str, frozenset[str]]]


def _check_atom(
    node: Compare | In | Has | Measure, kind: str, options: frozenset[str]
) -> list[str]:
    """Problems of one atom whose attribute is known to be of ``kind``."""
    if isinstance(node, Compare) and isinstance(node.operand, str):
        expected, what, values = "single", f"'{node.op} {node.operand!r}'", [node.operand]
    elif isinstance(node, Compare):
        expected, what, values = "number", f"'{node.op} {node.operand}'", []
    elif isinstance(node, In):
        expected, what, values = "single", "'in'", list(node.values)
    elif isinstance(node, Has):
        expected, what, values = "multi", "'has'", [node.value]
    else:
        expected = "multi" if node.func == "count" else "text"
        what, values = f"{node.func}()", []
    if kind != expected:
        return [f"{what} needs a {expected} attribute, {node.attr!r} is {kind}"]
    problems = [
        f"unknown option {value!r} of {node.attr!r}" for value in values if value not in options
    ]
    if isinstance(node, Compare) and values and node.op not in ("=", "!="):
        problems.append(f"options compare only with = and !=, not {node.op}")
    return problems


def check(expr: Expr, schema: Schema) -> list[tuple[int, str]]:
    """Type-check an expression; returns ``(position, problem)`` pairs."""
    problems: list[tuple[int, str]] = []
    for node in walk(expr):
        if isinstance(node, Const | Or | And | Not):
            continue
        known = schema.get(node.attr)
        if known is None:
            problems.append((node.pos, f"unknown attribute {node.attr!r}"))
            continue
        problems.extend((node.pos, problem) for problem in _check_atom(node, *known))
    return problems


# A configuration: single -> option id or None, multi -> frozenset, text -> str,
# number -> Decimal or None.
Value = str | frozenset[str] | Decimal | None


def evaluate(expr: Expr, config: Mapping[str, Value]) -> bool:
    """Truth of an expression on a configuration, with the contract's unset semantics."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Or):
        return any(evaluate(item, config) for item in expr.items)
    if isinstance(expr, And):
        return all(evaluate(item, config) for item in expr.items)
    if isinstance(expr, Not):
        return not evaluate(expr.item, config)
    value = config.get(expr.attr)
    if isinstance(expr, Compare):
        if value is None:
            return expr.op == "!="
        if isinstance(expr.operand, str):
            return (value == expr.operand) == (expr.op == "=")
        assert isinstance(value, Decimal)
        return compare(value, expr.op, expr.operand)
    if isinstance(expr, In):
        return value in expr.values
    if isinstance(expr, Has):
        return isinstance(value, frozenset) and expr.value in value
    size = len(value) if isinstance(value, frozenset | str) else 0
    return compare(size, expr.op, expr.value)


def describe(expr: Expr, label: Callable[[str, str | None], str]) -> str:
    """A readable sentence fragment for an expression, using catalog labels.

    ``label(attr, None)`` names an attribute, ``label(attr, option)`` an option.
    """
    if isinstance(expr, Const):
        return "always" if expr.value else "never"
    if isinstance(expr, Or):
        return " or ".join(describe(item, label) for item in expr.items)
    if isinstance(expr, And):
        return " and ".join(describe(item, label) for item in expr.items)
    if isinstance(expr, Not):
        return f"not ({describe(expr.item, label)})"
    name = label(expr.attr, None)
    if isinstance(expr, Compare):
        if isinstance(expr.operand, str):
            option = label(expr.attr, expr.operand)
            return f"{name} is {option}" if expr.op == "=" else f"{name} is not {option}"
        return f"{name} {expr.op} {expr.operand}"
    if isinstance(expr, In):
        return f"{name} is " + " or ".join(label(expr.attr, value) for value in expr.values)
    if isinstance(expr, Has):
        return f"{name} include {label(expr.attr, expr.value)}"
    what = "number of" if expr.func == "count" else "length of"
    return f"{what} {name} {expr.op} {expr.value}"
