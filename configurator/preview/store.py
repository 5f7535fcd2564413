"""Where rendered previews are kept, keyed by name (``<hash>.<size>.<ext>``).

``PreviewStore`` is the whole interface: ``get`` and ``put``. ``FileStore`` keeps files
under a folder, written atomically (temporary file + rename) so a reader never sees a
half-written image; a shared store (Redis, an object store) implements the same two
methods.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$")
MAX_KEY = 200


class PreviewStore(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


def check_key(key: str) -> str:
    if len(key) > MAX_KEY or not KEY.match(key):
        raise ValueError(f"not a valid preview key: {key!r}")
    return key


def preview_key(preview_hash: str, size: str, ext: str) -> str:
    """The store key (and URL file name) of a preview: ``<hash>.<size>.<ext>``."""
    return check_key(f"{preview_hash}.{size}.{ext}")


class FileStore:
    """Previews as files under ``root/<first two characters>/<key>``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class MemoryStore:
    """A dict behind the same interface (tests, one-process tools)."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.items.get(check_key(key))

    def put(self, key: str, data: bytes) -> None:
        self.items[check_key(key)] = data


def get_or_make(store: PreviewStore, key: str, make: Callable[[], bytes]) -> bytes:
    """The stored bytes for ``key``, or ``make()`` stored first (a preview is drawn once)."""
    found = store.get(key)
    if found is not None:
        return found
    data = make()
    store.put(key, data)
    return data
