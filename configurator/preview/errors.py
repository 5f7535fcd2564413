"""Errors of the preview renderer: each says what was refused and why."""

from __future__ import annotations


class PreviewError(Exception):
    """A preview cannot be drawn: bad art, bad manifest, or a text that does not fit.

    ``attribute`` names the catalog attribute at fault when there is one (a text that
    does not fit its box), so the caller can show the message next to that field.
    """

    def __init__(self, message: str, *, attribute: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.attribute = attribute


class ImageRejected(PreviewError):
    """An image file refused by the safe loader (format, size, corrupt, bomb)."""


class ManifestError(PreviewError):
    """An art manifest that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
