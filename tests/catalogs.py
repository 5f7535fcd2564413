"""Small catalogs written by the tests themselves, as merchants would write them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import tomli_w

TEE: dict[str, Any] = {
    "product": {
        "slug": "tee",
        "name": "Custom Tee",
        "description": "A cotton tee, printed to order.",
        "currency": "EUR",
        "base_price": 2000,
    },
    "attributes": [
        {
            "id": "colour",
            "label": "Colour",
            "kind": "single",
            "required": True,
            "default": "white",
            "options": [
                {"id": "white", "label": "White", "price": 0, "swatch": "#ffffff"},
                {"id": "black", "label": "Black", "price": 200, "swatch": "#111111"},
            ],
        },
        {
            "id": "print",
            "label": "Print",
            "kind": "single",
            "options": [
                {"id": "plain", "label": "Plain ink", "price": 0},
                {"id": "glow", "label": "Glow in the dark", "price": 500},
            ],
        },
        {
            "id": "extras",
            "label": "Extras",
            "kind": "multi",
            "min": 0,
            "max": 2,
            "options": [
                {"id": "pocket", "label": "Pocket", "price": 300},
                {"id": "tag", "label": "Gift tag", "price": 100},
                {"id": "box", "label": "Gift box", "price": 400},
            ],
        },
        {
            "id": "name",
            "label": "Name on the back",
            "kind": "text",
            "max_length": 10,
            "pattern": "^[A-Za-z ]*$",
        },
        {"id": "size", "label": "Size", "kind": "number", "min": 1, "max": 5, "step": 1},
    ],
    "rules": [
        {
            "id": "glow-on-black",
            "kind": "excludes",
            "when": "colour = 'white'",
            "then": "print = 'glow'",
            "message": "Glow prints only show on a black tee.",
        },
        {"kind": "price", "when": "colour = 'black' and print = 'glow'", "add": 100},
    ],
}


def tee_document(**product: Any) -> dict[str, Any]:
    """The tee catalog, with keys of its [product] table overridden."""
    document = copy.deepcopy(TEE)
    document["product"].update(product)
    return document


def write_catalog(folder: Path, document: dict[str, Any], fmt: str = "folder") -> Path:
    """Write ``document`` as a product folder, or as a bare .toml or .json file."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        path = folder / f"{document['product']['slug']}.json"
        path.write_text(json.dumps(document, indent=2))
        return path
    text = tomli_w.dumps(document)
    if fmt == "toml":
        path = folder / f"{document['product']['slug']}.toml"
        path.write_text(text)
        return path
    (folder / "product.toml").write_text(text)
    return folder
