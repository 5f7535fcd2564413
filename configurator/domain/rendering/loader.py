"""The one way to open an image that came from outside: art files, merchant uploads.

Only PNG, WebP and JPEG are accepted, judged by the file's content, not its name.
Byte size and pixel count are bounded before anything is decoded, and a file that
is truncated, corrupt or a decompression bomb is refused with a clear ImageRejected.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from configurator.domain.rendering.errors import ImageRejected

ALLOWED_FORMATS = ("PNG", "WEBP", "JPEG")
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
MAX_SIDE = 8192


def load_image_bytes(
    data: bytes,
    *,
    name: str = "image",
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> Image.Image:
    """Decode ``data`` fully; raises ImageRejected naming ``name`` and the reason."""
    if len(data) > max_bytes:
        raise ImageRejected(f"{name}: {len(data)} bytes is over the limit of {max_bytes} bytes")
    if not data:
        raise ImageRejected(f"{name}: the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            if image.format not in ALLOWED_FORMATS:  # pragma: no cover - formats= filters
                raise ImageRejected(f"{name}: {image.format} images are not accepted")
            width, height = image.size
            if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE:
                raise ImageRejected(f"{name}: {width}x{height} pixels is not an accepted size")
            if width * height > max_pixels:
                raise ImageRejected(
                    f"{name}: {width}x{height} pixels is over the limit of {max_pixels} pixels"
                )
            if getattr(image, "n_frames", 1) > 1:
                raise ImageRejected(f"{name}: animated images are not accepted")
            image.load()
    except ImageRejected:
        raise
    except UnidentifiedImageError:
        raise ImageRejected(f"{name}: not a PNG, WebP or JPEG image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(f"{name}: refused as a decompression bomb ({error})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageRejected(f"{name}: truncated or corrupt image ({error})") from None
    return image


def load_image_file(
    path: str | Path, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> Image.Image:
    """Read and decode an image file with the same checks as ``load_image_bytes``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageRejected(f"{path.name}: {size} bytes is over the limit of {max_bytes} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise ImageRejected(f"{path.name}: cannot read ({error.strerror or error})") from None
    return load_image_bytes(data, name=path.name, max_bytes=max_bytes, max_pixels=max_pixels)
