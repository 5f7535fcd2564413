"""The seed art itself: textures that repeat without a visible grid."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageStat

from configurator.domain.rendering import load_image_file
from configurator.domain.rendering.manifest import ImageLayer
from tests.domain.rendering.conftest import PRODUCTS, get_product


def _step(a: Image.Image, b: Image.Image) -> float:
    return float(ImageStat.Stat(ImageChops.difference(a, b)).mean[0])


def _tiles() -> list[tuple[str, str]]:
    return [
        (slug, layer.file)
        for slug in sorted(PRODUCTS)
        for layer in get_product(slug).art.layers
        if isinstance(layer, ImageLayer) and layer.tile
    ]


@pytest.mark.parametrize(("slug", "file"), _tiles())
def test_texture_tiles_repeat_without_a_seam(slug: str, file: str) -> None:
    """Across the edge where a tile meets its next copy, the texture changes no more than
    between any two neighbouring columns (or rows) inside the tile."""
    image = load_image_file(get_product(slug).art.folder / file).convert("LA").getchannel("L")
    width, height = image.size
    for turned in (image, image.transpose(Image.Transpose.ROTATE_90)):
        w, h = turned.size
        columns = [turned.crop((x, 0, x + 1, h)) for x in range(w)]
        inside = [_step(columns[x], columns[x + 1]) for x in range(w - 1)]
        seam = _step(columns[-1], columns[0])
        assert seam <= max(inside) * 1.05 + 0.5, (
            f"{file}: {seam:.1f} across the seam, at most {max(inside):.1f} inside"
        )
    assert (width, height) != (0, 0)
