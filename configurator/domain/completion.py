"""Completing a configuration: what is still to choose, and "Surprise me" / "Cheapest"."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from configurator.domain.engine import Engine

KEPT_BY_COMPLETION = ("text", "number")  # personal: a surprise never changes your size


def still_to_choose(engine: Engine, choices: Mapping[str, Any]) -> list[str]:
    """Attributes left unset that a valid configuration needs: required ones, and those
    rules ask for (the cheapest completion sets exactly what it must)."""
    canonical = engine.canonical(dict(choices))
    required = [a.id for a in engine.catalog.attributes if a.required and a.id not in canonical]
    filled = engine.complete(canonical, "cheapest")
    added = [key for key in filled if key not in canonical and key not in required]
    return required + added


# The shopper's words for the completion strategies ("Surprise me", "Cheapest") -> the engine's.
STRATEGIES = {"surprise": "random", "cheapest": "cheapest"}


def completion(engine: Engine, choices: Mapping[str, Any], strategy: str) -> dict[str, Any]:
    """ "Surprise me" or "Cheapest": a full valid configuration that keeps texts and sizes."""
    kept = {
        key: value
        for key, value in engine.canonical(dict(choices)).items()
        if (attribute := engine.catalog.attribute(key)) and attribute.kind in KEPT_BY_COMPLETION
    }
    seed = secrets.randbelow(2**31) if strategy == "random" else None
    return engine.complete(kept, strategy, seed=seed)
