"""The configurator engine: pure Python, no Flask and no database.

Catalog in, answers out: what is still available, why the rest is not, how to get
back to a valid configuration, and what it costs.
"""

from __future__ import annotations

from .choices import config_hash
from .compiler import compile_catalog
from .engine import Engine
from .errors import CatalogError, ChoiceError
from .lint import LintReport, lint_catalog
from .loader import catalog_to_document, load_catalog, parse_catalog
from .model import Attribute, Catalog, Option, Rule

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
