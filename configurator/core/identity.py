"""Anonymous shoppers, known by an id kept in Flask's signed session cookie.

Accounts come later; until then this id owns designs and the cart.
"""

from __future__ import annotations

import secrets

from flask import session

SESSION_KEY = "shopper"


def shopper_token(*, create: bool = True) -> str | None:
    """The current shopper's id, minted on first use when ``create`` is true."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str) and token:
        return token
    if not create:
        return None
    token = secrets.token_urlsafe(16)
    session[SESSION_KEY] = token
    session.permanent = True
    return token
