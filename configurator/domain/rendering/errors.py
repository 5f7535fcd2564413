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


class TextDoesNotFit(PreviewError):
    """A shopper's text the picture cannot hold (too long, or letters the font lacks):
    a fault of the choices, said beside the text field."""


class ArtError(PreviewError):
    """The product's art cannot be used (a manifest or layer file that does not load):
    a fault of the shop, never of the shopper's choices. The message names the files."""


class ImageRejected(PreviewError):
    """An image file refused by the safe loader (format, size, corrupt, bomb)."""


class ManifestError(ArtError):
    """An art manifest that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
