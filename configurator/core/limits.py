"""Rate limits: Flask-Limiter, one per app, with each limit string named in the settings.

A view says which limit holds for it with ``@rate_limited("RATELIMIT_…")``;
``init_limits`` binds the marked views of an app to that app's own limiter once every
blueprint is registered. One limiter per app (not a module-level one) because
Flask-Limiter keeps its storage, key prefix and on/off switch on the limiter object:
apps built side by side (tests, two "workers" in one process) would share them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from werkzeug.exceptions import TooManyRequests

from configurator.core.errors import handle_http_exception

View = TypeVar("View", bound=Callable[..., Any])
KeyFunction = Callable[[], str]

# Where a view keeps the limits it is marked with: (setting name, key function) pairs.
MARKS = "_atelier_rate_limits"
EXTENSION = "atelier_limiter"


def client_address() -> str:
    """Who a request is counted against: the client's address (ProxyFix, when the
    settings say a proxy is in front, puts the forwarded one here)."""
    return request.remote_addr or "unknown"


def rate_limited(setting: str, key: KeyFunction = client_address) -> Callable[[View], View]:
    """Mark a view as limited by the limit string in the setting ``setting`` (such as
    ``"20/second;600/minute"``), counted per ``key`` of the request."""

    def mark(view: View) -> View:
        setattr(view, MARKS, (*getattr(view, MARKS, ()), (setting, key)))
        return view

    return mark


def storage_uri(config: dict[str, Any]) -> str:
    """Where counts are kept: RATELIMIT_STORAGE_URI, else Redis when REDIS_URL is set (so
    that gunicorn's workers count together), else this process's memory."""
    return str(config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://")


def init_limits(app: Flask) -> None:
    """Give ``app`` its limiter and wrap the views marked with ``rate_limited``; call it
    after every blueprint is registered."""
    limiter = Limiter(
        key_func=client_address,
        storage_uri=storage_uri(app.config),
        # A limit store that is down must not take the shop with it: count in memory
        # until it is back.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(RateLimitExceeded, answer_rate_limited)
    if not limiter.enabled:  # RATELIMIT_ENABLED=0: the views stay as they are
        return
    for endpoint, view in list(app.view_functions.items()):
        limited: Callable[..., Any] = view
        for setting, key in getattr(view, MARKS, ()):
            limited = limiter.limit(app.config[setting], key_func=key)(limited)
        app.view_functions[endpoint] = limited


def seconds_until_allowed() -> int:
    """How long the client waits before the limit it broke lets a request through."""
    limiter: Limiter = current_app.extensions[EXTENSION]
    broken = limiter.current_limit
    if broken is None:
        return 1
    return max(1, math.ceil(broken.window.reset_time - time.time()))


def answer_rate_limited(error: RateLimitExceeded) -> Response:
    """429 with ``Retry-After``: the error envelope for the API, a page for the shop."""
    seconds = seconds_until_allowed()
    unit = "second" if seconds == 1 else "seconds"
    message = f"That was a lot of requests in a short time: please try again in {seconds} {unit}."
    return handle_http_exception(TooManyRequests(message, retry_after=seconds))
