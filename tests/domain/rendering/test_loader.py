"""Hostile and broken image files are refused by the one safe loader, with a clear error."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from configurator.domain.rendering import (
    ImageRejected,
    ManifestError,
    load_art,
    load_image_bytes,
    load_image_file,
)


def _png(size: tuple[int, int] = (32, 32), mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 100, 50, 255) if mode == "RGBA" else 128).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_good_png_webp_jpeg_are_accepted() -> None:
    for fmt in ("PNG", "WEBP", "JPEG"):
        buffer = io.BytesIO()
        Image.new("RGB", (20, 10), (1, 2, 3)).save(buffer, fmt)
        image = load_image_bytes(buffer.getvalue(), name=f"x.{fmt.lower()}")
        assert image.size == (20, 10)


def test_wrong_format_refused_whatever_the_extension(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "GIF")
    path = tmp_path / "layer.png"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ImageRejected, match="layer.png: not a PNG, WebP or JPEG"):
        load_image_file(path)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "BMP")
    with pytest.raises(ImageRejected, match="not a PNG, WebP or JPEG"):
        load_image_bytes(buffer.getvalue())


def test_garbage_and_empty_refused() -> None:
    with pytest.raises(ImageRejected, match="not a PNG"):
        load_image_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(ImageRejected, match="empty"):
        load_image_bytes(b"")


def test_truncated_refused() -> None:
    data = _png((300, 300), "RGB")
    noisy = Image.frombytes(
        "RGB",
        (300, 300),
        bytes(range(256)) * (300 * 300 * 3 // 256) + b"\0" * (300 * 300 * 3 % 256),
    )
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    data = buffer.getvalue()
    with pytest.raises(ImageRejected, match="truncated or corrupt"):
        load_image_bytes(data[: len(data) // 2])
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG")
    jpeg = buffer.getvalue()
    with pytest.raises(ImageRejected, match="truncated or corrupt"):
        load_image_bytes(jpeg[: len(jpeg) // 2])


def test_corrupt_refused() -> None:
    data = bytearray(_png((64, 64), "RGB"))
    start = data.index(b"IDAT") + 8
    for i in range(start, min(start + 20, len(data) - 12)):
        data[i] ^= 0x5A
    with pytest.raises(ImageRejected, match="truncated or corrupt"):
        load_image_bytes(bytes(data))


def test_oversized_bytes_refused() -> None:
    with pytest.raises(ImageRejected, match="over the limit of 100 bytes"):
        load_image_bytes(_png(), max_bytes=100)


def test_too_many_pixels_refused_before_decoding() -> None:
    header = b"\x89PNG\r\n\x1a\n" + _chunk(
        b"IHDR", struct.pack(">IIBBBBB", 8000, 8000, 1, 0, 0, 0, 0)
    )
    bomb = header + _chunk(b"IDAT", zlib.compress(b"\0" * 1001 * 100)) + _chunk(b"IEND", b"")
    with pytest.raises(ImageRejected, match="over the limit"):
        load_image_bytes(bomb)


def test_decompression_bomb_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageRejected, match="decompression bomb"):
        load_image_bytes(_png((40, 40)))  # over MAX_IMAGE_PIXELS: a warning, made an error
    with pytest.raises(ImageRejected, match="decompression bomb"):
        load_image_bytes(_png((64, 64)))  # over twice the limit: DecompressionBombError


def test_animated_refused() -> None:
    buffer = io.BytesIO()
    frames = [Image.new("RGBA", (8, 8), (i * 40, 0, 0, 255)) for i in range(3)]
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(ImageRejected, match="animated"):
        load_image_bytes(buffer.getvalue())


def test_manifest_loader_uses_the_safe_loader(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text(
        '[art]\nsize = 64\n[[layers]]\nfile = "good.png"\n[[layers]]\nfile = "bad.png"\n'
    )
    (tmp_path / "good.png").write_bytes(_png((64, 64)))
    (tmp_path / "bad.png").write_bytes(_png()[:60])
    with pytest.raises(ManifestError, match=r"layer 2: bad.png: truncated or corrupt"):
        load_art(tmp_path, sizes=(64,))


def test_manifest_problems_listed(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text(
        '[[layers]]\nfile = "../etc/passwd"\nblend = "dodge"\nwhen = "a = "\n'
        '[[layers]]\ntext = "name"\n'
    )
    with pytest.raises(ManifestError) as caught:
        load_art(tmp_path)
    problems = "\n".join(caught.value.problems)
    assert "plain file name" in problems and "blend" in problems and "when" in problems
    assert "box" in problems


def test_text_lines_are_one_or_two() -> None:
    from configurator.domain.rendering.manifest import parse_manifest

    layer = {"text": "name", "box": [0, 0, 100, 40], "lines": 3}
    with pytest.raises(ManifestError) as caught:
        parse_manifest({"layers": [layer]})
    assert "'lines' must be 1 or 2" in str(caught.value)
    _, _, (parsed,) = parse_manifest({"layers": [{**layer, "lines": 2}]})
    assert parsed.lines == 2  # type: ignore[union-attr]
