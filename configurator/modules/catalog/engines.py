"""Compiled engines, built once per process per catalog version.

Compiling a catalog costs milliseconds to seconds, so each (slug, version) is compiled
once and kept. The cache lives on the app (not the module) so that separate apps in
one process, such as test apps on separate databases, never share engines.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app

from configurator.domain import reopen
from configurator.domain.engine import Engine, compile_catalog, parse_catalog
from configurator.domain.reopen import Carried
from configurator.modules.catalog.models import CatalogVersion

CacheKey = tuple[str, int]


class EngineCache:
    """A thread-safe LRU of compiled engines; each key is compiled at most once."""

    def __init__(self, max_size: int = 64, freeze: bool = False, helper: bool = False) -> None:
        self.max_size = max_size
        self.freeze = freeze
        self.helper = helper  # see Engine: for large catalogs, a forked copy on another core
        self._engines: LRUCache[CacheKey, Engine] = LRUCache(max_size)
        self._lock = threading.Lock()
        self._building: dict[CacheKey, threading.Lock] = {}

    def get(self, version: CatalogVersion) -> Engine:
        key = (version.slug, version.version)
        with self._lock:
            engine = self._engines.get(key)
            if engine is not None:
                return engine
            build_lock = self._building.setdefault(key, threading.Lock())
        # Compile outside the cache lock so other versions stay servable meanwhile.
        with build_lock:
            with self._lock:
                engine = self._engines.get(key)
            if engine is None:
                source = f"{version.slug} v{version.version}"
                catalog = parse_catalog(version.document, source=source)
                engine = compile_catalog(catalog, helper=self.helper)
                if self.freeze:
                    # An engine lives as long as its version is served. Out of the cycle
                    # collector's generations (with all else alive now), full collections
                    # stop walking its clauses: on the car each took about 100 ms, on
                    # whichever request it fell. An evicted engine is still freed, by
                    # reference counting (it holds no cycles: tests/domain/engine checks).
                    gc.freeze()
            with self._lock:
                self._engines[key] = engine
                self._building.pop(key, None)
        return engine

    def clear(self) -> None:
        with self._lock:
            self._engines.clear()


def init_engine_cache(app: Flask) -> None:
    # Not under tests: each freeze would keep that moment's garbage cycles for good, and
    # test apps come and go by the hundred (the engine's own tests cover the helper).
    app.extensions["atelier_engines"] = EngineCache(
        freeze=not app.testing, helper=app.config["ENGINE_HELPER"] and not app.testing
    )


def engine_cache() -> EngineCache:
    cache = current_app.extensions["atelier_engines"]
    assert isinstance(cache, EngineCache)
    return cache


def engine_for(version: CatalogVersion) -> Engine:
    """The compiled engine of a stored catalog version."""
    return engine_cache().get(version)


def carry_over(
    source: CatalogVersion, choices: Mapping[str, Any], current: CatalogVersion
) -> Carried[CatalogVersion]:
    """Check ``choices`` (saved under ``source``) against the ``current`` catalog version."""
    old_engine = engine_for(source)
    engine = old_engine if source.id == current.id else engine_for(current)
    return reopen.carry_over(source, old_engine, choices, current, engine)
