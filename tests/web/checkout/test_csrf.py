"""CSRF on the checkout form and the payment endpoints: a page left open keeps working,
and a token that no longer fits is answered with a way forward, not a bare 400."""

from __future__ import annotations

import time

from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from configurator.core.database import db
from configurator.modules.orders.models import Order
from tests.web.checkout.conftest import CONTACT, Shopper, csrf_token

BLACK_GLOW = {"colour": "black", "print": "glow"}
TWO_HOURS = 2 * 3600


def token_signed_hours_ago(client: FlaskClient, secret_key: str) -> str:
    """The session's CSRF token as Flask-WTF signed it, two hours ago."""

    class TwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - TWO_HOURS

    with client.session_transaction() as session:
        raw = session["csrf_token"]
    serializer = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token", signer=TwoHoursAgo)
    return str(serializer.dumps(raw))


def test_a_payment_page_left_open_for_hours_still_pays(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    old = token_signed_hours_ago(shopper.client, shopper.app.config["SECRET_KEY"])
    response = shopper.client.post(
        f"/orders/{shopper.token}/setup-intent", json={}, headers={"X-CSRFToken": old}
    )
    assert response.status_code == 200, response.text
    assert response.json["client_secret"]  # type: ignore[index]


def test_a_token_that_does_not_fit_gets_json_that_says_to_reload(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    for path, body in (("setup-intent", {}), ("confirm", {"payment_method": "pm_x"})):
        response = shopper.client.post(
            f"/orders/{shopper.token}/{path}",
            json=body,
            headers={"X-CSRFToken": "stale", "Accept": "application/json"},
        )
        assert response.status_code == 400
        error = response.json["error"]  # type: ignore[index]
        assert error["code"] == "csrf_failed"
        assert "Reload the page" in error["message"]


def test_the_checkout_form_with_a_stale_token_comes_back_filled_in(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.client.get("/checkout")
    response = shopper.client.post("/checkout", data={**CONTACT, "csrf_token": "stale"})
    assert response.status_code == 400
    page = response.text
    assert "please check them and continue again" in page
    assert 'value="ada@example.com"' in page and 'value="12 St James&#39;s Square"' in page
    assert '<option selected value="GB">' in page
    assert "Custom Tee" in page  # the order summary is there too
    with shopper.app.app_context():
        assert db.session.execute(db.select(Order)).first() is None

    # The fresh token in the page goes through.
    again = shopper.client.post("/checkout", data={**CONTACT, "csrf_token": csrf_token(page)})
    assert again.status_code == 303
