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
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")
MAX_KEY = 200


class PreviewStore(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


def check_key(key: str) -> str:
    if len(key) > MAX_KEY or not KEY.fullmatch(key):
        raise ValueError(f"not a valid preview key: {key!r}")
    return key


def preview_key(preview_hash: str, size: str, ext: str) -> str:
    """The store key (and URL file name) of a preview: ``<hash>.<size>.<ext>``."""
    return check_key(f"{preview_hash}.{size}.{ext}")


def stored_key(preview_hash: str, size: str, ext: str) -> str:
    """The key an image is stored under: one per format, whatever the URL's spelling
    (``.jpg`` and ``.jpeg`` are one image)."""
    fmt = ext.lower()
    return preview_key(preview_hash, size, "jpeg" if fmt == "jpg" else fmt)


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


# Requests for the same new preview arriving together wait for one drawing instead of
# each drawing it: a lock per key, held only while drawing, forgotten when nobody waits.
_drawing: dict[str, tuple[threading.Lock, int]] = {}
_drawing_lock = threading.Lock()


def _acquire(key: str) -> threading.Lock:
    with _drawing_lock:
        lock, waiting = _drawing.get(key, (None, 0))
        if lock is None:
            lock = threading.Lock()
        _drawing[key] = (lock, waiting + 1)
    lock.acquire()
    return lock


def _release(key: str, lock: threading.Lock) -> None:
    lock.release()
    with _drawing_lock:
        _, waiting = _drawing[key]
        if waiting <= 1:
            del _drawing[key]
        else:
            _drawing[key] = (lock, waiting - 1)


def get_or_make(store: PreviewStore, key: str, make: Callable[[], bytes]) -> bytes:
    """The stored bytes for ``key``, or ``make()`` stored first (a preview is drawn once,
    also when several threads of this process ask for it at the same moment)."""
    found = store.get(key)
    if found is not None:
        return found
    lock = _acquire(key)
    try:
        found = store.get(key)
        if found is not None:
            return found
        data = make()
        store.put(key, data)
        return data
    finally:
        _release(key, lock)
