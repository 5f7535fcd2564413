"""The renderer's guards on keys and art manifests match whole values: a trailing
newline (which ``$`` lets through) is refused like any other stray character."""

from __future__ import annotations

from typing import Any

import pytest

from configurator.domain.rendering.errors import ManifestError
from configurator.domain.rendering.manifest import parse_manifest
from configurator.domain.rendering.store import check_key, preview_key


def test_a_store_key_with_a_trailing_newline_is_refused() -> None:
    assert preview_key("ab" * 32, "800", "webp") == f"{'ab' * 32}.800.webp"
    for key in (f"{'ab' * 32}.800.webp\n", f"{'ab' * 32}\n.800.webp", "record\n"):
        with pytest.raises(ValueError, match="not a valid preview key"):
            check_key(key)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"file": "base.png\n"}, "'file' must be a plain file name"),
        ({"id": "base\n"}, "'id' must be an id"),
        ({"tint": "#aabbcc\n"}, "'tint' must be an attribute id or a colour"),
        ({"tint": "colour\n"}, "'tint' must be an attribute id or a colour"),
    ],
)
def test_an_image_layer_value_with_a_trailing_newline_is_a_problem(
    changes: dict[str, Any], problem: str
) -> None:
    parse_manifest({"layers": [{"file": "base.png"}]})
    with pytest.raises(ManifestError) as caught:
        parse_manifest({"layers": [{"file": "base.png", **changes}]})
    assert problem in str(caught.value)


def test_a_font_or_background_with_a_trailing_newline_is_a_problem() -> None:
    text = {"text": "name", "box": [0, 0, 100, 40]}
    parse_manifest({"layers": [{**text, "font": "DejaVuSans-Bold"}]})
    with pytest.raises(ManifestError, match="unknown font"):
        parse_manifest({"layers": [{**text, "font": "DejaVuSans-Bold\n"}]})
    with pytest.raises(ManifestError, match="'background' must be a colour"):
        parse_manifest({"art": {"background": "#ffffff\n"}, "layers": [{"file": "base.png"}]})
