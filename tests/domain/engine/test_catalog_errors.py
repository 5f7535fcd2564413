"""Every catalog problem is reported with where it is and what is wrong."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from configurator.domain.engine import (
    CatalogError,
    ChoiceError,
    catalog_to_document,
    compile_catalog,
    lint_catalog,
    load_catalog,
    parse_catalog,
)

BASE: dict[str, Any] = {
    "product": {"slug": "ring", "name": "Ring", "currency": "EUR", "base_price": 10000},
    "attributes": [
        {"id": "metal", "kind": "single", "required": True, "default": "gold",
         "options": [{"id": "gold", "price": 5000}, {"id": "silver", "price": 0}]},
        {"id": "gem", "kind": "single",
         "options": [{"id": "ruby", "price": 900}, {"id": "opal", "price": 300}]},
        {"id": "extras", "kind": "multi", "max": 2,
         "options": [{"id": "box"}, {"id": "card"}, {"id": "polish"}]},
        {"id": "size", "kind": "number", "min": 44, "max": 70, "step": 1},
        {"id": "engraving", "kind": "text", "max_length": 12},
    ],
    "rules": [
        {"id": "silver-opal", "kind": "requires", "when": "metal = 'silver'",
         "then": "gem != 'ruby'", "message": "Rubies are set in gold only."},
    ],
}  # fmt: skip


def problems_of(change: Any) -> list[str]:
    document = copy.deepcopy(BASE)
    change(document)
    with pytest.raises(CatalogError) as caught:
        compile_catalog(parse_catalog(document, "ring.toml"))
    return caught.value.problems


def rule(document: dict[str, Any], **fields: Any) -> None:
    document["rules"].append({"id": "bad", **fields})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: rule(d, kind="excludes", when="metal = 'bronze'", then="gem = 'ruby'"),
            "rule bad: when at 0: unknown option 'bronze' of 'metal'",
        ),
        (
            lambda d: rule(d, kind="constraint", expr="metal = 'gold' and colour = 'red'"),
            "rule bad: expr at 19: unknown attribute 'colour'",
        ),
        (
            lambda d: rule(d, kind="constraint", expr="count(metal) > 1"),
            "rule bad: expr at 0: count() needs a multi attribute, 'metal' is single",
        ),
        (
            lambda d: rule(d, kind="constraint", expr="size = 'large'"),
            "needs a single attribute, 'size' is number",
        ),
        (
            lambda d: rule(d, kind="constraint", expr="metal = 'gold' and"),
            "rule bad: expr at 18: expected an attribute",
        ),
        (
            lambda d: rule(d, kind="price", when="true", add=12.5),
            "rule bad: add must be an integer in minor units, not 12.5",
        ),
        (
            lambda d: d["product"].update(slug="ring\n"),
            "slug",
        ),
        (
            lambda d: d["attributes"][0]["options"].append({"id": "bronze\n"}),
            "attribute metal",
        ),
        (
            lambda d: d["attributes"][0]["options"].append({"id": "gold"}),
            "attribute metal option gold: duplicate option id",
        ),
        (
            lambda d: d["attributes"].append({"id": "gem", "options": [{"id": "x"}]}),
            "attribute gem: duplicate attribute id",
        ),
        (
            lambda d: d["attributes"][1]["options"][0].update(price="9.00"),
            "attribute gem option ruby: price must be an integer in minor units",
        ),
        (lambda d: d["product"].update(base_price=99.5), "product.base_price: must be an integer"),
        (
            lambda d: d["attributes"][0].update(default="platinum"),
            "attribute metal: default 'platinum' is not one of its options",
        ),
        (
            lambda d: rule(
                d, kind="table", attributes=["metal", "extras"], allowed=[["gold", "box"]]
            ),
            "a table lists single attributes; 'extras' is multi",
        ),
        (
            lambda d: rule(d, kind="text", attribute="metal", max_length=3),
            "attribute must name a text attribute",
        ),
        (lambda d: rule(d, kind="frobnicate"), "rule bad: kind must be one of"),
    ],
)
def test_problems_name_the_place(change: Any, expected: str) -> None:
    problems = problems_of(change)
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith("ring.toml: ") for problem in problems)


def test_all_problems_are_reported_at_once() -> None:
    def several(document: dict[str, Any]) -> None:
        rule(document, kind="constraint", expr="gem = 'pearl'")
        document["product"]["currency"] = "euro"

    problems = problems_of(several)
    assert len(problems) == 2


def test_a_default_that_breaks_a_rule_is_refused() -> None:
    def clash(document: dict[str, Any]) -> None:
        document["attributes"][0]["default"] = "silver"
        document["attributes"][1]["default"] = "ruby"

    problems = problems_of(clash)
    assert any("silver-opal" in p and "metal" in p and "gem" in p for p in problems), problems


def test_a_rule_set_with_no_valid_configuration_is_refused() -> None:
    def impossible(document: dict[str, Any]) -> None:
        rule(document, kind="constraint", expr="metal = 'gold'")
        rule(document, kind="constraint", expr="metal = 'silver'", id="other")

    problems = problems_of(impossible)
    assert "no valid configuration" in problems[0]
    assert any("rule bad" in p for p in problems) and any("rule other" in p for p in problems)


def test_json_and_toml_read_the_same(tmp_path: Path) -> None:
    import tomli_w

    (tmp_path / "a.json").write_text(json.dumps(BASE))
    (tmp_path / "b.toml").write_text(tomli_w.dumps(BASE))
    assert load_catalog(tmp_path / "a.json") == load_catalog(tmp_path / "b.toml")


def test_unreadable_files_are_catalog_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("[product\nslug=")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(tmp_path / "broken.toml")
    with pytest.raises(CatalogError, match="no product.toml"):
        load_catalog(tmp_path)


def test_lint_reports_dead_forced_and_idle_rules(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    document["rules"] += [
        {"id": "no-opal", "kind": "constraint", "expr": "gem != 'opal'"},
        {"id": "never", "kind": "requires", "when": "gem = 'opal'", "then": "metal = 'gold'"},
        {"id": "twice", "kind": "requires", "when": "metal = 'silver'", "then": "gem != 'ruby'"},
    ]
    (tmp_path / "ring.json").write_text(json.dumps(document))
    report = lint_catalog(tmp_path / "ring.json")
    text = report.format()
    assert report.ok, text
    assert "option opal can never be chosen (rules no-opal)" in text
    assert "rule never: never fires" in text
    assert "rule twice: implied by the other rules" in text
    assert "rule silver-opal: implied by the other rules" in text
    assert "valid configurations:" in text


def test_lint_counts_configurations_exactly() -> None:
    document = {
        "product": {"slug": "t", "name": "T", "currency": "EUR", "base_price": 0},
        "attributes": [
            {"id": "a", "required": True, "options": [{"id": "x"}, {"id": "y"}]},
            {"id": "b", "options": [{"id": "x"}, {"id": "y"}, {"id": "z"}]},
        ],
        "rules": [{"id": "r", "kind": "excludes", "when": "a = 'x'", "then": "b = 'z'"}],
    }
    from configurator.domain.engine.lint import count_configurations

    engine = compile_catalog(parse_catalog(document))
    # a in {x, y}, b in {none, x, y, z}: 8, minus (x, z)
    assert count_configurations(engine) == "7 (exact, texts aside)"
    assert count_configurations(engine, limit=5).startswith("at least 5, at most 8")


def test_an_unknown_option_is_quoted_short() -> None:
    engine = compile_catalog(parse_catalog(copy.deepcopy(BASE), "ring.toml"))
    with pytest.raises(ChoiceError) as caught:
        engine.configure({"metal": "x" * 5000})
    assert caught.value.field == "choices.metal"
    assert len(caught.value.message) < 100 and caught.value.message.endswith("…")


def test_a_price_rule_names_its_line_with_its_label() -> None:
    document = copy.deepcopy(BASE)
    document["rules"].append(
        {"id": "box-price", "kind": "price", "when": "extras has 'box'", "add": 400,
         "message": "A box is hand-folded in the workshop.", "label": "Gift box"}
    )  # fmt: skip
    document["rules"].append({"id": "card-price", "kind": "price", "when": "extras has 'card'",
                              "add": 100, "message": "A card is written by hand."})  # fmt: skip
    engine = compile_catalog(parse_catalog(document, "ring.toml"))
    lines = engine.configure({"extras": ["box", "card"]})["price"]["lines"]
    labels = [line["label"] for line in lines if "rule" in line]
    assert labels == ["Gift box", "A card is written by hand."]
    assert parse_catalog(catalog_to_document(engine.catalog)) == engine.catalog


def test_a_price_label_must_be_text() -> None:
    problems = problems_of(
        lambda d: rule(d, kind="price", when="true", add=100, label=["Gift", "box"])
    )
    assert any("rule bad: label must be a non-empty string" in p for p in problems), problems
