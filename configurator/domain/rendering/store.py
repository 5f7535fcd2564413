"""Where rendered previews and their records are kept, keyed by name.

``PreviewStore`` is the whole interface: ``get`` and ``put``. Keys are image names
(``<hash>.<size>.<ext>``) and record names (``<hash>.json``: which configuration a hash
stands for). Both expire some time after they were last read (``Expiry``), except
records put ``pinned`` (those a saved design, cart line or order refers to): an image
can be drawn again from its record, and a record of a passing configuration can be
made again by the next configure that names it. ``FileStore`` keeps files under a
folder, written atomically (temporary file + rename) so a reader never sees a
half-written image, and removes expired ones in ``sweep``; a shared store (Redis, an
object store) implements the same two methods. A store that cannot be read or written
raises ``StoreUnavailable``.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")
MAX_KEY = 200
RECORD_SUFFIX = ".json"
RECORD_TTL_SECONDS = 7 * 24 * 3600
IMAGE_TTL_SECONDS = 30 * 24 * 3600
PINNED_FOLDER = "pinned"  # never a key's two-character folder
TEMPORARY_TTL_SECONDS = 3600  # a temporary file this old was left by a crashed writer


class StoreUnavailable(Exception):
    """The store cannot be read or written now (a read-only folder, Redis down)."""


@dataclass(frozen=True)
class Expiry:
    """How long, in seconds after its last read, a key that is not pinned is kept."""

    records: float = RECORD_TTL_SECONDS
    images: float = IMAGE_TTL_SECONDS

    def of(self, key: str) -> float:
        return self.records if key.endswith(RECORD_SUFFIX) else self.images


class PreviewStore(Protocol):
    def get(self, key: str) -> bytes | None:
        """The bytes under ``key`` or None; reading pushes an expiring key's expiry back."""
        ...

    def put(self, key: str, data: bytes, *, pinned: bool = False) -> None:
        """Keep ``data`` under ``key``: until it expires, or for good when ``pinned``."""
        ...


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


@dataclass
class Sweep:
    """What one sweep of a FileStore removed."""

    files: int = 0
    bytes: int = 0


class FileStore:
    """Previews as files under ``root/<first two characters>/<key>``, pinned records
    under ``root/pinned/<first two characters>/<key>``.

    A file's modification time is when it was last read (pushed back on a read once a
    quarter of its lifetime has passed, so most reads write nothing); ``sweep`` removes
    the files older than their lifetime. With ``sweep_every`` (seconds), a write starts
    a sweep in the background when the last one is that old.
    """

    def __init__(
        self, root: str | Path, expiry: Expiry | None = None, sweep_every: float = 0
    ) -> None:
        self.root = Path(root)
        self.expiry = expiry or Expiry()
        self.sweep_every = sweep_every
        self._last_sweep: float | None = None
        self._sweep_lock = threading.Lock()

    def path(self, key: str, *, pinned: bool = False) -> Path:
        check_key(key)
        folder = self.root / PINNED_FOLDER if pinned else self.root
        return folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        for pinned in (False, True):
            path = self.path(key, pinned=pinned)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as error:
                raise StoreUnavailable(f"cannot read {path}: {error}") from error
            if not pinned:
                self._refresh(path, self.expiry.of(key))
            return data
        return None

    @staticmethod
    def _refresh(path: Path, lifetime: float) -> None:
        try:
            if time.time() - path.stat().st_mtime > lifetime / 4:
                os.utime(path)
        except OSError:
            pass  # a store that can be read but not written still serves what it has

    def put(self, key: str, data: bytes, *, pinned: bool = False) -> None:
        target = self.path(key, pinned=pinned)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        except OSError as error:
            raise StoreUnavailable(f"cannot write {target}: {error}") from error
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise StoreUnavailable(f"cannot write {target}: {error}") from error
            raise
        self._sweep_when_due()

    def sweep(self, now: float | None = None) -> Sweep:
        """Remove every file that is not pinned and was last read longer ago than its
        lifetime (and temporary files left by writers that died)."""
        now = time.time() if now is None else now
        removed = Sweep()
        try:
            folders = [e for e in os.scandir(self.root) if e.is_dir() and e.name != PINNED_FOLDER]
        except FileNotFoundError:
            return removed
        except OSError as error:
            raise StoreUnavailable(f"cannot sweep {self.root}: {error}") from error
        for folder in folders:
            with os.scandir(folder.path) as entries:
                for entry in entries:
                    temporary = entry.name.startswith(".tmp-")
                    try:
                        stat = entry.stat()
                        lifetime = (
                            TEMPORARY_TTL_SECONDS if temporary else self.expiry.of(entry.name)
                        )
                        if now - stat.st_mtime <= lifetime:
                            continue
                        os.unlink(entry.path)
                    except FileNotFoundError:
                        continue  # removed meanwhile (another sweep, a fresh write)
                    removed.files += 1
                    removed.bytes += stat.st_size
        return removed

    def _sweep_when_due(self) -> None:
        if self.sweep_every <= 0:
            return
        with self._sweep_lock:
            now = time.monotonic()
            if self._last_sweep is not None and now - self._last_sweep < self.sweep_every:
                return
            self._last_sweep = now
        threading.Thread(target=self.sweep, name="preview-sweep", daemon=True).start()


class MemoryStore:
    """A dict behind the same interface (tests, one-process tools); nothing expires."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.items.get(check_key(key))

    def put(self, key: str, data: bytes, *, pinned: bool = False) -> None:
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
