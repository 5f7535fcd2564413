"""What every response says to the browser about where it may be shown and what it may
load (the security headers), and when the session cookie is Secure."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.middleware.proxy_fix import ProxyFix

# Scripts only from the shop itself (and inline ones carrying this response's nonce);
# style attributes stay allowed for the swatch colours that come from the catalogs,
# which pages without JavaScript need too, while <style> elements stay refused.
BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "style-src-attr": ("'unsafe-inline'",),
    "img-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "frame-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
HSTS = "max-age=31536000"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def csp_nonce() -> str:
    """This response's script nonce (templates: ``<script nonce="{{ csp_nonce() }}">``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def allow_sources(sources: Mapping[str, Iterable[str]]) -> None:
    """Let this response's page load more than the shop's own origin, per directive
    (``{"script-src": ["https://js.stripe.com"]}``): for the one page that needs it."""
    extra: dict[str, list[str]] = g.setdefault("csp_sources", {})
    for directive, origins in sources.items():
        extra.setdefault(directive, []).extend(origins)


def content_security_policy() -> str:
    directives = {name: list(sources) for name, sources in BASE_POLICY.items()}
    if "csp_nonce" in g:
        directives["script-src"].append(f"'nonce-{g.csp_nonce}'")
    for name, origins in g.get("csp_sources", {}).items():
        allowed = directives.setdefault(name, list(BASE_POLICY["default-src"]))
        allowed.extend(origin for origin in origins if origin not in allowed)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def served_over_https() -> bool:
    """True when the shopper reached this request over HTTPS: directly, through a proxy
    that says so (with ``PROXY_COUNT`` set), or as the shop says it is served
    (``PREFERRED_URL_SCHEME``, from ``PUBLIC_URL``)."""
    return request.is_secure or current_app.config["PREFERRED_URL_SCHEME"] == "https"


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if served_over_https():
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class ShopSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure over HTTPS unless ``SESSION_COOKIE_SECURE``
    says otherwise, and sent again only with responses that used it."""

    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config["SESSION_COOKIE_SECURE"]
        return served_over_https() if setting is None else bool(setting)

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        # Images, static files and API reads never touch the session: renewing the
        # cookie on them would put a shopper's cookie on responses caches keep.
        if session.modified:
            return True
        return session.accessed and super().should_set_cookie(app, session)


def init_security(app: Flask) -> None:
    """Headers on every response, the session's cookie rules, and the proxies trusted."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.session_interface = ShopSessionInterface()
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
