"""Errors the engine raises; the edges (CLI, HTTP) turn them into messages."""

from __future__ import annotations


class CatalogError(Exception):
    """A catalog that cannot be used; ``problems`` has one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class ChoiceError(Exception):
    """Choices sent by a client that do not fit the catalog.

    ``status`` is 400 for a malformed value (wrong type) and 422 for a well-typed
    value naming something the catalog does not have or allow.
    """

    def __init__(self, status: int, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
