"""Checkout tests against a real Stripe API over HTTP: localstripe, or Stripe test mode.

Without STRIPE_SECRET_KEY (the default), one localstripe runs per test session on a
free loopback port, with its own TMPDIR and its state in memory; every test starts
from an empty store (DELETE /_config/data).

With STRIPE_SECRET_KEY set (a Stripe test-mode key, ``sk_test_...``) and
STRIPE_API_BASE unset, the same tests talk to Stripe itself, and the few that need
localstripe's own controls (its /_config API, or the _authenticate call that stands in
for the 3-D Secure modal) are skipped with the reason ``LOCALSTRIPE_ONLY``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import stripe
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text as sa_text

from configurator.core.database import db
from configurator.modules.cart.services import add_line
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.catalog.services import current_version, import_catalog
from configurator.modules.orders.models import Order, PaymentEvent
from configurator.web.checkout.views import WEBHOOK_PATH
from tests.catalogs import tee_document, write_catalog

PROJECT_ROOT = Path(__file__).resolve().parents[3]
WRAPPER = PROJECT_ROOT / "scripts" / "localstripe_server.py"
SECRET_KEY = "sk_test_atelier"  # any sk_test_ key does for localstripe
PUBLISHABLE_KEY = "pk_test_atelier"
WEBHOOK_SECRET = "whsec_atelier_test"
SHOPPER = "shopper-under-test"

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002500003155"
# Stripe test mode takes no raw card numbers: its test payment methods stand for them.
STRIPE_TEST_PAYMENT_METHODS = {
    CARD_OK: "pm_card_visa",
    CARD_DECLINED: "pm_card_chargeCustomerFail",
    CARD_3DS: "pm_card_authenticationRequired",
}

# Stripe test mode instead of localstripe: a key given and no other API base.
STRIPE_TEST_MODE = bool(os.environ.get("STRIPE_SECRET_KEY")) and not os.environ.get(
    "STRIPE_API_BASE"
)
STRIPE_EVENT_DELAY_SECONDS = 2
LOCALSTRIPE_ONLY = (
    "needs localstripe (its /_config API or its 3-D Secure _authenticate call); "
    "STRIPE_SECRET_KEY is set, so these tests run against Stripe test mode"
)

CONTACT = {
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "line2": "",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


def start_localstripe(tmp: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """localstripe on a free port; ``options`` go to scripts/localstripe_server.py."""
    port_file = tmp / "port"
    process = subprocess.Popen(
        [sys.executable, str(WRAPPER), "--port", "0", "--port-file", str(port_file), *options],
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("localstripe exited at start-up")
        if port_file.exists() and port_file.read_text().strip():
            url = f"http://127.0.0.1:{port_file.read_text().strip()}"
            try:
                requests.get(f"{url}/js.stripe.com/v3/", timeout=2)
            except requests.ConnectionError:
                pass
            else:
                return process, url
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("localstripe did not start within 30 s")


@dataclass(frozen=True)
class StripeBackend:
    """The Stripe API the tests talk to: localstripe (``api_base`` set) or Stripe."""

    api_base: str | None
    secret_key: str
    publishable_key: str
    since: int = 0  # when the current test started (Stripe keeps every test's events)

    @property
    def is_local(self) -> bool:
        return self.api_base is not None

    @property
    def api_url(self) -> str:
        return self.api_base or "https://api.stripe.com"

    def config(self) -> dict[str, Any]:
        """The app's settings for this backend."""
        return stripe_config(self.api_base, self.secret_key, self.publishable_key)

    def client(self) -> stripe.StripeClient:
        if self.api_base is None:
            return stripe.StripeClient(self.secret_key)
        return stripe.StripeClient(self.secret_key, base_addresses={"api": self.api_base})


def stripe_test_mode() -> StripeBackend:
    return StripeBackend(
        None,
        os.environ["STRIPE_SECRET_KEY"],
        os.environ.get("STRIPE_PUBLISHABLE_KEY") or "pk_test_unused_by_these_tests",
    )


def localstripe_backend(tmp: Path, *options: str) -> Iterator[StripeBackend]:
    """A localstripe process for as long as the generator runs (see ``start_localstripe``)."""
    process, url = start_localstripe(tmp, *options)
    try:
        yield StripeBackend(url, SECRET_KEY, PUBLISHABLE_KEY)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def stripe_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeBackend]:
    if STRIPE_TEST_MODE:
        yield stripe_test_mode()
        return
    yield from localstripe_backend(tmp_path_factory.mktemp("localstripe"))


@pytest.fixture
def stripe_api(stripe_backend: StripeBackend) -> StripeBackend:
    """The backend for this test; localstripe's store is emptied first."""
    if stripe_backend.api_base is not None:
        requests.delete(f"{stripe_backend.api_base}/_config/data", timeout=5).raise_for_status()
    return replace(stripe_backend, since=int(time.time()))


@pytest.fixture
def localstripe(stripe_api: StripeBackend) -> str:
    """localstripe's URL, for tests of what only it can do; skipped against Stripe."""
    if stripe_api.api_base is None:
        pytest.skip(LOCALSTRIPE_ONLY)
    return stripe_api.api_base


def stripe_config(
    api_base: str | None, secret_key: str = SECRET_KEY, publishable_key: str = PUBLISHABLE_KEY
) -> dict[str, Any]:
    return {
        "STRIPE_SECRET_KEY": secret_key,
        "STRIPE_PUBLISHABLE_KEY": publishable_key,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": api_base,
    }


@pytest.fixture
def app(make_app: Callable[..., Flask], stripe_api: StripeBackend) -> Iterator[Flask]:
    app = make_app(**stripe_api.config())
    with app.app_context():
        db.create_all()
    yield app


@pytest.fixture
def stripe_client(stripe_api: StripeBackend) -> stripe.StripeClient:
    return stripe_api.client()


def charges_of(
    backend: StripeBackend, client: stripe.StripeClient, intent_ids: list[str]
) -> list[stripe.Charge]:
    """The charges made on these intents (localstripe cannot filter, but holds no others)."""
    if backend.is_local:
        return list(client.v1.charges.list().data)
    return [
        charge
        for intent_id in intent_ids
        for charge in client.v1.charges.list(params={"payment_intent": intent_id}).data
    ]


def intents_of(client: stripe.StripeClient, order: Order) -> list[stripe.PaymentIntent]:
    """Every PaymentIntent made for this order (its random reference is in the metadata)."""
    intents = client.v1.payment_intents.list(params={"limit": 100}).data
    return [
        intent
        for intent in intents
        if intent.metadata.to_dict().get("order_reference") == order.reference
    ]


@pytest.fixture
def tee(app: Flask, tmp_path: Path) -> CatalogVersion:
    return publish_tee(app, tmp_path)


def publish_tee(app: Flask, tmp_path: Path, **product: Any) -> CatalogVersion:
    folder = tmp_path / "catalogs" / f"tee-{time.monotonic_ns()}"
    with app.app_context():
        version = import_catalog(write_catalog(folder, tee_document(**product)))
        db.session.commit()
        db.session.refresh(version)
        db.session.expunge(version)
        return version


# -- the shopper's side ------------------------------------------------------------


def csrf_token(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Shopper:
    app: Flask
    client: FlaskClient
    stripe: StripeBackend

    def add_to_cart(self, choices: dict[str, Any], quantity: int = 1, slug: str = "tee") -> None:
        with self.app.app_context():
            version = current_version(slug)
            assert version is not None
            add_line(SHOPPER, version, choices, quantity=quantity)
            db.session.commit()

    def checkout(self, **overrides: str) -> str:
        """Fill in the checkout form; returns the order's private token."""
        page = self.client.get("/checkout")
        assert page.status_code == 200, page.text
        form = {**CONTACT, **overrides, "csrf_token": csrf_token(page.text)}
        response = self.client.post("/checkout", data=form)
        assert response.status_code == 303, response.text
        location = response.headers["Location"]
        found = re.fullmatch(r"/orders/([^/]+)/pay", location)
        assert found, location
        return found.group(1)

    def open_payment(self, token: str) -> str:
        page = self.client.get(f"/orders/{token}/pay")
        assert page.status_code == 200, page.text
        return csrf_token(page.text)

    def payment_method(self, number: str) -> str:
        """What localstripe's Stripe.js does with the card element: confirm a SetupIntent.

        Against Stripe, its test payment method for that card number.
        """
        if not self.stripe.is_local:
            return STRIPE_TEST_PAYMENT_METHODS[number]
        csrf = self.open_payment_csrf
        answer = self.client.post(
            f"/orders/{self.token}/setup-intent", json={}, headers={"X-CSRFToken": csrf}
        )
        assert answer.status_code == 200, answer.text
        secret = answer.json["client_secret"]  # type: ignore[index]
        seti = secret.split("_secret_")[0]
        card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        response = requests.post(
            f"{self.stripe.api_base}/v1/setup_intents/{seti}/confirm",
            json={
                "key": PUBLISHABLE_KEY,
                "use_stripe_sdk": True,
                "client_secret": secret,
                "payment_method_data": {"type": "card", "card": card},
            },
            timeout=10,
        )
        body = response.json()
        if body.get("status") == "requires_action":
            requests.post(
                f"{self.stripe.api_base}/v1/setup_intents/{seti}/confirm",
                json={"key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": secret},
                timeout=10,
            ).raise_for_status()
        return str(body["payment_method"])

    token: str = ""
    open_payment_csrf: str = ""

    def start(self, token: str) -> None:
        self.token = token
        self.open_payment_csrf = self.open_payment(token)

    def pay(self, number: str, **extra: Any) -> dict[str, Any]:
        """Pay the current order with a card, as the card-element adapter does."""
        return self.confirm(self.payment_method(number), **extra)

    def confirm(self, payment_method: str, **extra: Any) -> dict[str, Any]:
        response = self.client.post(
            f"/orders/{self.token}/confirm",
            json={"payment_method": payment_method, **extra},
            headers={"X-CSRFToken": self.open_payment_csrf},
        )
        assert response.status_code == 200, response.text
        return response.json  # type: ignore[return-value]

    def authenticate(self, client_secret: str, success: bool) -> None:
        """The 3-D Secure modal's Complete / Fail buttons (tests using it need localstripe)."""
        assert self.stripe.is_local, LOCALSTRIPE_ONLY
        intent = client_secret.split("_secret_")[0]
        requests.post(
            f"{self.stripe.api_base}/v1/payment_intents/{intent}/_authenticate",
            params={"success": "true" if success else "false"},
            json={"key": PUBLISHABLE_KEY, "client_secret": client_secret},
            timeout=10,
        ).raise_for_status()

    def order(self) -> Order:
        with self.app.app_context():
            order = db.session.execute(db.select(Order).order_by(Order.id.desc())).scalar()
            assert order is not None
            db.session.refresh(order)
            _ = order.lines, order.events
            db.session.expunge_all()
            return order


@pytest.fixture
def shopper(
    app: Flask, client: FlaskClient, tee: CatalogVersion, stripe_api: StripeBackend
) -> Shopper:
    with client.session_transaction() as session:
        session["shopper"] = SHOPPER
    return Shopper(app, client, stripe_api)


def ledger(app: Flask) -> list[PaymentEvent]:
    """Every row of the payment ledger, oldest first."""
    with app.app_context():
        events = list(
            db.session.execute(db.select(PaymentEvent).order_by(PaymentEvent.id)).scalars()
        )
        db.session.expunge_all()
        return events


# -- Stripe's side -----------------------------------------------------------------


def signature_header(
    payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    """Stripe's signature over the payload, made now unless ``timestamp`` is given."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def stripe_events(backend: StripeBackend, event_type: str | None = None) -> list[dict[str, Any]]:
    """Events Stripe recorded for this test, oldest first, as the JSON Stripe would send."""
    params: dict[str, Any] = {"type": event_type} if event_type else {}
    if not backend.is_local:
        # Stripe keeps every run's events and lists new ones after a moment.
        params.update({"created[gte]": backend.since, "limit": 100})
        time.sleep(STRIPE_EVENT_DELAY_SECONDS)
    response = requests.get(
        f"{backend.api_url}/v1/events",
        params=params,
        headers={"Authorization": f"Bearer {backend.secret_key}"},
        timeout=10,
    )
    response.raise_for_status()
    events: list[dict[str, Any]] = response.json()["data"]
    return sorted(events, key=lambda event: (event["created"], event["id"]))


def post_event(client: FlaskClient, event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    payload = json.dumps(event).encode()
    return client.post(
        WEBHOOK_PATH,
        data=payload,
        headers={"Stripe-Signature": signature_header(payload, secret)},
        content_type="application/json",
    )


def deliver_events(client: FlaskClient, backend: StripeBackend) -> list[dict[str, Any]]:
    """Deliver every recorded event once, signed, in order; returns the answers."""
    answers = []
    for event in stripe_events(backend):
        response = post_event(client, event)
        assert response.status_code == 200, response.text
        answers.append(response.json)
    return answers


def closed_port() -> int:
    """A loopback port nobody listens on (a Stripe that is down, a stopped receiver)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_stripe_down(make_app: Callable[..., Flask], backend: StripeBackend) -> Flask:
    """The same shop (database, keys) with Stripe unreachable."""
    return make_app(
        **stripe_config(
            f"http://127.0.0.1:{closed_port()}", backend.secret_key, backend.publishable_key
        )
    )


# -- Stripe or the network failing ---------------------------------------------------


class FaultyStripe:
    """A loopback HTTP proxy in front of the Stripe API that can lose answers.

    Requests whose "METHOD /path" matches ``lose_answers`` are forwarded (so Stripe
    acts on them) but the connection is closed instead of answering, as when the network fails
    after the request went out. With ``then_unreachable`` every request after the first
    lost answer is dropped unforwarded, as if Stripe had gone away. ``edit_answers``
    (a pattern and a function of the JSON answer) makes Stripe answer what localstripe
    never does, such as a refund still pending.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.edit_answers: tuple[re.Pattern[str], Callable[[dict[str, Any]], Any]] | None = None
        self.lose_answers: re.Pattern[str] | None = None
        self.then_unreachable = False
        self.lost: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def forward(self) -> None:
                if proxy.then_unreachable and proxy.lost:
                    self.close_connection = True
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in ("host", "content-length", "connection")
                }
                answer = requests.request(
                    self.command,
                    f"{proxy.upstream}{self.path}",
                    data=body,
                    headers=headers,
                    timeout=20,
                )
                request = f"{self.command} {self.path.split('?')[0]}"
                if proxy.lose_answers is not None and proxy.lose_answers.search(request):
                    proxy.lost.append(request)
                    self.close_connection = True
                    return
                content = answer.content
                if proxy.edit_answers is not None and proxy.edit_answers[0].search(request):
                    content = json.dumps(proxy.edit_answers[1](answer.json())).encode()
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in ("content-length", "connection", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def heal(self) -> None:
        self.edit_answers = None
        self.lose_answers = None
        self.then_unreachable = False


@pytest.fixture
def faulty_stripe(stripe_api: StripeBackend) -> Iterator[FaultyStripe]:
    proxy = FaultyStripe(stripe_api.api_url)
    proxy.thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.thread.join(timeout=5)
        proxy.server.server_close()


# -- locks held while Stripe is called -----------------------------------------------


@dataclass(frozen=True)
class StripeCall:
    method: str
    path: str
    locks: tuple[str, ...]  # what the app's database session held meanwhile


def database_locks_held() -> tuple[str, ...]:
    """The write locks the app's session holds now, as another writer would meet them.

    PostgreSQL: the session's own entries in pg_locks that block a writer of the same
    rows (a transaction id, taken by a write or SELECT ... FOR UPDATE; row-level table
    modes; advisory locks). SQLite: whether a second connection can start a write.
    """
    if not db.session().in_transaction():
        return ()
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        rows = db.session.execute(
            sa_text(
                "SELECT locktype, mode FROM pg_locks WHERE pid = pg_backend_pid() AND granted"
                " AND (locktype IN ('transactionid', 'advisory')"
                " OR mode IN ('RowShareLock', 'RowExclusiveLock'))"
            )
        ).all()
        return tuple(sorted({f"{locktype} {mode}" for locktype, mode in rows}))
    database = bind.url.database
    assert database, "the probe needs SQLite on a file"
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return (f"sqlite write lock ({error})",)
    else:
        other.execute("ROLLBACK")
        return ()
    finally:
        other.close()


@pytest.fixture
def stripe_calls(monkeypatch: pytest.MonkeyPatch) -> list[StripeCall]:
    """Every request the app's gateway makes to Stripe, with the locks held at that moment.

    The gateway's real HTTP client still talks to Stripe (localstripe); it only looks at
    the database first.
    """
    calls: list[StripeCall] = []

    class LockProbingClient(stripe.RequestsClient):
        def request(self, method: str, url: str, headers: Any, post_data: Any = None) -> Any:
            if has_app_context():
                calls.append(StripeCall(method, urlsplit(url).path, database_locks_held()))
            return super().request(method, url, headers, post_data)

    monkeypatch.setattr(stripe, "RequestsClient", LockProbingClient)
    return calls
