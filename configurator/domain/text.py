"""Quoting a shopper's text back in a message."""

from __future__ import annotations

ECHO_LENGTH = 24  # characters of a refused value quoted back in a message


def echo(value: str, limit: int = ECHO_LENGTH) -> str:
    """A value quoted in a message, cut short so that a long one is not sent back whole:
    ``“AAAAAAAA…” (5000 characters)``."""
    if len(value) <= limit:
        return f"“{value}”"
    return f"“{value[: limit - 1]}…” ({len(value)} characters)"


__all__ = ["ECHO_LENGTH", "echo"]
