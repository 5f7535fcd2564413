"""The session cookie (Secure over HTTPS, only set where a page needs it) and the Host
header (never in the absolute links of a page, refused outside TRUSTED_HOSTS)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from configurator import create_app
from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog
from tests.web.storefront.conftest import SEED_DIR

FORGED = "evil.example"
PUBLIC = "https://shop.example"


@pytest.fixture
def make_shop(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """An app with config overrides and the seed ring published."""

    def factory(**config: object) -> Flask:
        app = make_app(**config)
        with app.app_context():
            db.create_all()
            import_catalog(SEED_DIR / "jewellery")
            db.session.commit()
        return app

    return factory


def session_cookie(client: FlaskClient, path: str = "/", **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, "the page starts a session"
    return cookies[0]


def cookie_flags(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def saved_design(client: FlaskClient, host: str = "localhost") -> str:
    response = client.post(
        "/api/designs", json={"product": "ring", "choices": {}}, headers={"Host": host}
    )
    assert response.status_code == 201
    return str(response.json["url"])  # type: ignore[index]


# -- the session cookie --------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "headers", "secure"),
    [
        ({}, {}, False),
        ({"PREFERRED_URL_SCHEME": "https"}, {}, True),
        ({"PUBLIC_URL": PUBLIC}, {}, True),
        ({"PROXY_COUNT": 1}, {"X-Forwarded-Proto": "https"}, True),
        ({"PROXY_COUNT": 1}, {"X-Forwarded-Proto": "http"}, False),
        ({}, {"X-Forwarded-Proto": "https"}, False),  # no proxy is trusted to say so
        ({"PREFERRED_URL_SCHEME": "https", "SESSION_COOKIE_SECURE": False}, {}, False),
        ({"SESSION_COOKIE_SECURE": True}, {}, True),
    ],
    ids=[
        "http",
        "https-scheme",
        "https-public-url",
        "proxy-says-https",
        "proxy-says-http",
        "untrusted-forwarded-proto",
        "switched-off",
        "switched-on",
    ],
)
def test_the_session_cookie_is_secure_when_served_over_https(
    make_shop: Callable[..., Flask],
    config: dict[str, object],
    headers: dict[str, str],
    secure: bool,
) -> None:
    flags = cookie_flags(session_cookie(make_shop(**config).test_client(), **headers))
    assert ("secure" in flags) is secure
    assert {"httponly", "samesite", "path"} <= flags


@pytest.mark.parametrize(
    ("proxies", "seen"),
    [(1, ("shop.example", "203.0.113.9", "https")), (0, ("localhost", "127.0.0.1", "http"))],
)
def test_proxy_fix_trusts_the_forwarded_headers_only_when_configured(
    make_shop: Callable[..., Flask], proxies: int, seen: tuple[str, str, str]
) -> None:
    app = make_shop(PROXY_COUNT=proxies)

    @app.get("/whoami")
    def whoami() -> dict[str, str | None]:
        return {"host": request.host, "client": request.remote_addr, "scheme": request.scheme}

    forwarded = {
        "X-Forwarded-Host": "shop.example",
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
    }
    answer = app.test_client().get("/whoami", headers=forwarded).json
    assert answer == dict(zip(("host", "client", "scheme"), seen, strict=True))


NEEDING_NO_SESSION = {
    "404 page": "/no-such-page",
    "API 404": "/api/designs/nope",
    "API read": "/api/products",
    "API product": "/api/products/ring",
    "static file": "/static/css/atelier.css",
    "health": "/healthz",
}


def fetched(client: FlaskClient, path: str) -> TestResponse:
    response = client.get(path)
    response.get_data()
    response.close()  # the file behind a static response
    return response


@pytest.fixture
def ring_preview(make_shop: Callable[..., Flask]) -> tuple[Flask, dict[str, str]]:
    """The app, and the paths of answers that need no session (a preview's included)."""
    app = make_shop()
    answer = app.test_client().post("/api/products/ring/configure", json={"choices": {}})
    preview = answer.json["preview"]  # type: ignore[index]
    assert preview
    return app, {**NEEDING_NO_SESSION, "preview image": preview}


def test_pages_that_need_no_session_set_no_cookie(
    ring_preview: tuple[Flask, dict[str, str]],
) -> None:
    app, paths = ring_preview
    client = app.test_client()
    for what, path in paths.items():
        response = fetched(client, path)
        assert response.status_code in (200, 404), what
        assert "Set-Cookie" not in response.headers, what
    configure = client.post("/api/products/ring/configure", json={"choices": {}})
    assert "Set-Cookie" not in configure.headers
    assert client.get_cookie("session") is None


def test_a_shoppers_cookie_is_renewed_by_pages_not_by_images_files_or_api_reads(
    ring_preview: tuple[Flask, dict[str, str]],
) -> None:
    """A response that a cache may keep (a preview, a static file) never carries a
    shopper's cookie; the pages that read the session keep it alive."""
    app, paths = ring_preview
    client = app.test_client()
    saved_design(client)  # the shopper now has a lasting (permanent) session
    assert client.get_cookie("session") is not None
    for what in ("preview image", "static file", "API read", "API product", "health"):
        assert "Set-Cookie" not in fetched(client, paths[what]).headers, what
    assert "Set-Cookie" in client.get("/").headers
    assert "Set-Cookie" in client.get("/no-such-page").headers


# -- the Host header -------------------------------------------------------------------


def absolute_links(page: str) -> dict[str, str]:
    """The canonical link, og:url, og:image, twitter:image and the link to copy."""
    found = {}
    for name, pattern in {
        "canonical": r'<link rel="canonical" href="([^"]*)"',
        "og:url": r'<meta property="og:url" content="([^"]*)"',
        "og:image": r'<meta property="og:image" content="([^"]*)"',
        "twitter:image": r'<meta name="twitter:image" content="([^"]*)"',
        "permalink": r'id="permalink" value="([^"]*)"',
    }.items():
        match = re.search(pattern, page)
        assert match, name
        found[name] = html.unescape(match.group(1))
    return found


def test_share_links_come_from_public_url_whatever_the_host_says(
    make_shop: Callable[..., Flask],
) -> None:
    client = make_shop(PUBLIC_URL=PUBLIC).test_client()
    url = saved_design(client)
    page = client.get(url, headers={"Host": FORGED}).get_data(as_text=True)
    assert FORGED not in page
    links = absolute_links(page)
    for name in ("canonical", "og:url", "permalink"):
        assert links[name] == f"{PUBLIC}{url}", name
    for name in ("og:image", "twitter:image"):
        assert re.fullmatch(rf"{PUBLIC}/previews/[0-9a-f]{{64}}\.card\.jpeg", links[name]), name


def test_without_public_url_a_forged_host_gets_no_absolute_links(
    make_shop: Callable[..., Flask],
) -> None:
    """In production (no debug, no loopback) and without PUBLIC_URL or TRUSTED_HOSTS,
    nothing has checked the Host: links stay root-relative, which the browser resolves
    against the address it asked."""
    client = make_shop(TESTING=False).test_client()
    url = saved_design(client)
    page = client.get(url, headers={"Host": FORGED}).get_data(as_text=True)
    assert FORGED not in page
    links = absolute_links(page)
    assert links["canonical"] == links["og:url"] == links["permalink"] == url
    assert links["og:image"].startswith("/previews/")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000", "[::1]:8000"])
def test_in_development_links_take_the_loopback_host(
    make_shop: Callable[..., Flask], host: str
) -> None:
    client = make_shop().test_client()
    url = saved_design(client)
    page = client.get(url, headers={"Host": host}).get_data(as_text=True)
    assert absolute_links(page)["canonical"] == f"http://{host}{url}"


def test_trusted_hosts_refuses_other_hosts_with_400(make_shop: Callable[..., Flask]) -> None:
    client = make_shop(TRUSTED_HOSTS=["shop.example", ".shop.example"]).test_client()
    url = saved_design(client, host="shop.example")
    for host in ("shop.example", "www.shop.example", "shop.example:8443"):
        page = client.get(url, headers={"Host": host})
        assert page.status_code == 200, host
        assert absolute_links(page.get_data(as_text=True))["canonical"] == f"http://{host}{url}"
    for path in ("/", url, "/no-such-page", "/static/css/atelier.css"):
        page = client.get(path, headers={"Host": FORGED, "Referer": f"http://{FORGED}/x"})
        assert page.status_code == 400, path
        assert page.mimetype == "text/html"
        assert FORGED not in page.get_data(as_text=True)
        page.close()
    api = client.get("/api/products", headers={"Host": FORGED})
    assert api.status_code == 400
    assert api.json == {  # type: ignore[comparison-overlap]
        "error": {
            "code": "untrusted_host",
            "message": "This shop does not answer for that host name.",
            "field": None,
        }
    }
    form = client.post("/cart/add", headers={"Host": FORGED}, data={"design_id": "x"})
    assert form.status_code == 400


# -- settings from the environment ------------------------------------------------------


def test_the_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://shop.example/")
    monkeypatch.setenv("TRUSTED_HOSTS", "shop.example, .shop.example")
    monkeypatch.setenv("PROXY_COUNT", "2")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "off")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["PUBLIC_URL"] == "https://shop.example"
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    assert app.config["TRUSTED_HOSTS"] == ["shop.example", ".shop.example"]
    assert app.config["PROXY_COUNT"] == 2
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_the_settings_default_to_one_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PUBLIC_URL", "TRUSTED_HOSTS", "PROXY_COUNT", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PREFERRED_URL_SCHEME", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["PUBLIC_URL"] is None
    assert app.config["PREFERRED_URL_SCHEME"] == "http"
    assert app.config["TRUSTED_HOSTS"] is None
    assert app.config["PROXY_COUNT"] == 0
    assert app.config["SESSION_COOKIE_SECURE"] is None


@pytest.mark.parametrize("value", ["shop.example", "ftp://shop.example", "https://shop.example/x"])
def test_a_public_url_that_is_no_origin_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PUBLIC_URL", value)
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
