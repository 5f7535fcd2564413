"""Absolute links to the shop (canonical links, share cards): built from ``PUBLIC_URL``,
never from a Host header that nobody checked."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request

WARNED_KEY = "atelier.public_url_warned"


def _is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def public_origin() -> str:
    """``PUBLIC_URL``; else the request's own host where it can be believed (checked
    against ``TRUSTED_HOSTS``, or development: debug mode or a loopback address); else
    nothing, so that links stay root-relative and the browser resolves them against
    the address it really asked."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return str(configured).rstrip("/")
    if current_app.config.get("TRUSTED_HOSTS") or current_app.debug or _is_loopback(request.host):
        return request.host_url.rstrip("/")
    if not current_app.extensions.get(WARNED_KEY):
        current_app.extensions[WARNED_KEY] = True
        current_app.logger.warning(
            "Neither PUBLIC_URL nor TRUSTED_HOSTS is set: canonical and share links are "
            "root-relative (set PUBLIC_URL to the shop's address)."
        )
    return ""


def absolute_url(path: str) -> str:
    """``path`` (from ``url_for``) on the shop's public origin."""
    return public_origin() + path
