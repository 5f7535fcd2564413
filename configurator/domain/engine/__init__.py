"""The configurator engine: pure Python, no Flask and no database.

Catalog in, answers out: what is still available, why the rest is not, how to get
back to a valid configuration, and what it costs.
"""

from __future__ import annotations

from configurator.domain.engine.choices import config_hash
from configurator.domain.engine.compiler import compile_catalog
from configurator.domain.engine.engine import Engine
from configurator.domain.engine.errors import CatalogError, ChoiceError
from configurator.domain.engine.lint import LintReport, lint_catalog
from configurator.domain.engine.loader import catalog_to_document, load_catalog, parse_catalog
from configurator.domain.engine.model import Attribute, Catalog, Option, Rule

__all__ = [
    "Attribute",
    "Catalog",
    "CatalogError",
    "ChoiceError",
    "Engine",
    "LintReport",
    "Option",
    "Rule",
    "catalog_to_document",
    "compile_catalog",
    "config_hash",
    "lint_catalog",
    "load_catalog",
    "parse_catalog",
]
