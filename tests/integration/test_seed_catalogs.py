"""The seed catalogs in catalog/ import, configure, save and round-trip."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from configurator.domain.engine import load_catalog, parse_catalog

SEED_DIR = Path(__file__).resolve().parents[2] / "catalog"
SEED_FOLDERS = ["shoes", "chocolate", "jewellery"]


def seed_folder(name: str) -> Path:
    folder = SEED_DIR / name
    if not (folder / "product.toml").exists():
        pytest.skip(f"{folder}/product.toml is not written yet")
    return folder


@pytest.mark.parametrize("name", SEED_FOLDERS)
def test_seed_catalog_imports_and_round_trips(
    runner: FlaskCliRunner, name: str, tmp_path: Path
) -> None:
    folder = seed_folder(name)
    catalog = load_catalog(folder)
    imported = runner.invoke(args=["catalog", "import", str(folder)])
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == f"{catalog.slug} v1\n"
    exported = runner.invoke(args=["catalog", "export", catalog.slug])
    assert parse_catalog(tomllib.loads(exported.stdout)) == catalog
    lint = runner.invoke(args=["catalog", "lint", str(folder)])
    assert lint.exit_code == 0, lint.output


@pytest.mark.parametrize("name", SEED_FOLDERS)
def test_seed_catalog_through_the_api(app: Flask, runner: FlaskCliRunner, name: str) -> None:
    folder = seed_folder(name)
    slug = load_catalog(folder).slug
    runner.invoke(args=["catalog", "import", str(folder)])
    client = app.test_client()

    detail = client.get(f"/api/products/{slug}").json
    defaults = {
        attribute["id"]: attribute["default"]
        for attribute in detail["attributes"]
        if attribute["default"] is not None
    }
    answer = client.post(f"/api/products/{slug}/configure", json={"choices": defaults}).json
    assert answer["consistent"] is True, answer["conflict"]
    assert answer["price"]["amount"] == sum(line["amount"] for line in answer["price"]["lines"])
    for attribute in answer["attributes"].values():
        for option in attribute.get("options", {}).values():
            assert option["available"] or option["reason"]["message"]

    saved = client.post("/api/designs", json={"product": slug, "choices": defaults})
    assert saved.status_code == 201
    assert client.get(f"/api/designs/{saved.json['id']}").json == saved.json


def test_seed_command_on_the_real_catalogs(runner: FlaskCliRunner) -> None:
    for name in SEED_FOLDERS:
        seed_folder(name)
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert len(first.stdout.splitlines()) == 3
    assert all(line.endswith(" v1") for line in first.stdout.splitlines())
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0
    assert len(again.stdout.splitlines()) == 3
    assert all(line.endswith(" kept at v1") for line in again.stdout.splitlines())
