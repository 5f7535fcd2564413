"""Settings from environment variables, with defaults that are safe on one machine."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_MAX_CONTENT_LENGTH = 64 * 1024
# Per client and endpoint, for the anonymous endpoints that run the engine or draw:
# a shopper clicking fast sends a few a second; a script sends hundreds.
DEFAULT_ANONYMOUS_ENGINE_LIMIT = "20/second;600/minute"
# How long a SQLite connection waits for another one's write lock. Checkout holds it
# while it asks Stripe about an order (its row lock on SQLite), for up to about 20 s.
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def secret_key(instance_path: Path) -> str:
    """The SECRET_KEY from the environment, else one generated once into instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with owner-only permissions so the key never sits world-readable.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver."""
    # Bare postgresql:// would pick psycopg2, which is not installed; psycopg 3 is.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def database_url(instance_path: Path) -> str:
    default = f"sqlite:///{instance_path / 'atelier.db'}"
    return normalise_database_url(os.environ.get("DATABASE_URL") or default)


def engine_options(url: str) -> dict[str, Any]:
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    return options


def switched_on(value: str | None, default: bool = True) -> bool:
    """An on/off environment variable: 0, false, off or no (any case) is off."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "off", "no")


def engine_helper(value: str | None) -> bool:
    """Whether large catalogs share each availability search with a forked copy of the
    engine on another core (``ENGINE_HELPER``): on unless switched off, and only with
    two cores or more to run on."""
    return switched_on(value) and len(os.sched_getaffinity(0)) > 1


def public_url(value: str | None) -> str | None:
    """The shop's own origin (``PUBLIC_URL``, like ``https://shop.example``) without a
    trailing slash; absolute links are built from it instead of the request's Host."""
    if value is None or not value.strip():
        return None
    url = urlsplit(value.strip())
    if url.scheme not in ("http", "https") or not url.netloc or url.path not in ("", "/"):
        raise ValueError(f"PUBLIC_URL must be an origin like https://shop.example, not {value!r}")
    return f"{url.scheme}://{url.netloc}"


def trusted_hosts(value: str | None) -> list[str] | None:
    """``TRUSTED_HOSTS``: comma-separated host names (``.example.com`` takes subdomains);
    requests for any other host are refused with 400. Unset: every host is answered."""
    hosts = [host.strip() for host in (value or "").split(",") if host.strip()]
    return hosts or None


def cookie_secure(value: str | None) -> bool | None:
    """``SESSION_COOKIE_SECURE``: on or off when set; None (unset) decides per request,
    Secure whenever the shop is served over HTTPS (configurator/core/security.py)."""
    if value is None or not value.strip():
        return None
    return switched_on(value)


def settings_from_env(instance_path: Path, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting the app reads, as Flask config keys; ``given`` ones win."""
    url = database_url(instance_path)
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        "MAX_CONTENT_LENGTH": int(
            os.environ.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_CONTENT_LENGTH
        ),
        "CATALOG_DIR": os.environ.get("CATALOG_DIR") or None,
        # How stale a process's idea of the current catalog versions may get, at most.
        "CATALOG_RECHECK_SECONDS": float(os.environ.get("CATALOG_RECHECK_SECONDS") or 1.0),
        "ENGINE_HELPER": engine_helper(os.environ.get("ENGINE_HELPER")),
        # Preview records no saved design, cart line or order refers to: days kept after
        # their last use (pinned ones are kept for good).
        "PREVIEW_RECORD_DAYS": float(os.environ.get("PREVIEW_RECORD_DAYS") or 7),
        # A form's CSRF token is good for as long as the session that holds its secret:
        # a page left open for hours can still be sent (Flask-WTF's default is 1 hour).
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": cookie_secure(os.environ.get("SESSION_COOKIE_SECURE")),
        "PUBLIC_URL": public_url(os.environ.get("PUBLIC_URL")),
        "TRUSTED_HOSTS": trusted_hosts(os.environ.get("TRUSTED_HOSTS")),
        # How many reverse proxies in front of the app set X-Forwarded-*: 0 trusts none.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT") or 0),
        # Flask-Limiter's settings (configurator/core/limits.py); storage defaults to REDIS_URL.
        "RATELIMIT_ENABLED": switched_on(os.environ.get("RATELIMIT_ENABLED")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or None,
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX") or "atelier",
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_ANONYMOUS_ENGINE": os.environ.get("RATELIMIT_ANONYMOUS_ENGINE")
        or DEFAULT_ANONYMOUS_ENGINE_LIMIT,
    }
    public = given.get("PUBLIC_URL", settings["PUBLIC_URL"])
    settings["PREFERRED_URL_SCHEME"] = os.environ.get("PREFERRED_URL_SCHEME") or (
        urlsplit(public).scheme if public else "http"
    )
    if os.environ.get("PREVIEW_SWEEP_SECONDS"):  # unset: hourly (never in tests)
        settings["PREVIEW_SWEEP_SECONDS"] = float(os.environ["PREVIEW_SWEEP_SECONDS"])
    if "SECRET_KEY" not in given:
        settings["SECRET_KEY"] = secret_key(instance_path)
    settings.update(given)
    return settings
