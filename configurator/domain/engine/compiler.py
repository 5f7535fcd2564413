"""Turning a catalog into a ready engine, refusing catalogs no shopper could complete."""

from __future__ import annotations

from configurator.domain.engine.engine import Engine
from configurator.domain.engine.errors import CatalogError, ChoiceError
from configurator.domain.engine.model import Catalog


def compile_catalog(catalog: Catalog, search: str | None = None, helper: bool = False) -> Engine:
    """Compile a catalog; raises CatalogError if no configuration is valid or the defaults
    clash. ``search`` and ``helper`` as for ``Engine``."""
    engine = Engine(catalog, search, helper)
    defaults = engine.default_choices()
    try:
        answer = engine.configure(defaults, explain=False)
    except ChoiceError as error:
        raise CatalogError(
            [f"{catalog.slug}: default of {error.field[8:]}: {error.message}"]
        ) from None
    conflict = answer["conflict"]
    if conflict is not None:
        names = ", ".join(conflict["choices"]) or "the defaults"
        rules = ", ".join(conflict["rules"]) or "the attribute limits"
        message = f"the defaults of {names} break rule(s) {rules}: {conflict['message']}"
        raise CatalogError([f"{catalog.slug}: {message}"])
    return engine
