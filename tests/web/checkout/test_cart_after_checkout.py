"""The cart page of a tab left open while another tab's checkout turned the cart into an
order: a change to a line that is gone says where it went, never a 500."""

from __future__ import annotations

import re
import threading

import pytest
from flask import Flask

from configurator.core.database import db
from configurator.modules.cart.models import CartLine
from configurator.modules.orders.models import Order
from configurator.web.cart import views as cart_views
from tests.web.checkout.conftest import CONTACT, SHOPPER, Shopper, csrf_token

BLACK_GLOW = {"colour": "black", "print": "glow"}
LINE_ID = re.compile(r'id="line-(\d+)"')
PAY_LINK = re.compile(r'href="(/orders/[^/"]+/pay)"')
GONE = "That line is no longer in your cart"


def check_out_in_another_tab(app: Flask) -> str:
    """The shopper's other tab sends its checkout form; returns where it was sent."""
    tab = app.test_client()
    with tab.session_transaction() as session:
        session["shopper"] = SHOPPER
    form = {**CONTACT, "csrf_token": csrf_token(tab.get("/checkout").text)}
    answer = tab.post("/checkout", data=form)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["Location"])


def in_its_own_thread(app: Flask) -> str:
    """``check_out_in_another_tab`` on a thread of its own (its own session and
    connection, as another worker would), finished before this returns."""
    places: list[str] = []
    thread = threading.Thread(target=lambda: places.append(check_out_in_another_tab(app)))
    thread.start()
    thread.join(timeout=60)
    assert places, "the other tab's checkout did not finish"
    return places[0]


def cart_form(shopper: Shopper) -> tuple[int, str]:
    page = shopper.client.get("/cart").text
    found = LINE_ID.search(page)
    assert found, "no line on the cart page"
    return int(found.group(1)), csrf_token(page)


@pytest.mark.parametrize("action", ["quantity", "remove", "fix"])
def test_a_line_ordered_by_another_tab_just_then_is_said_to_be_in_the_order(
    shopper: Shopper, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """The line is read, then the other tab's checkout commits, then this request writes:
    it finds nothing to change (stale data), and says where the line went."""
    shopper.add_to_cart(BLACK_GLOW)
    line_id, token = cart_form(shopper)
    read_line = cart_views.get_line
    places: list[str] = []

    def read_then_other_tab_checks_out(owner: str, wanted: int) -> CartLine | None:
        line = read_line(owner, wanted)
        places.append(in_its_own_thread(shopper.app))
        return line

    monkeypatch.setattr(cart_views, "get_line", read_then_other_tab_checks_out)
    answer = shopper.client.post(
        f"/cart/lines/{line_id}/{action}", data={"quantity": "2", "csrf_token": token}
    )
    assert answer.status_code == 409, answer.text[:2000]
    assert GONE in answer.text
    (place,) = places
    assert place in PAY_LINK.findall(answer.text)
    with shopper.app.app_context():
        (order,) = db.session.execute(db.select(Order)).scalars()
        assert [line.quantity for line in order.lines] == [1]
        assert db.session.execute(db.select(CartLine)).scalars().all() == []


@pytest.mark.parametrize("action", ["quantity", "remove", "fix"])
def test_a_line_ordered_before_the_request_came_is_said_to_be_in_the_order(
    shopper: Shopper, action: str
) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    line_id, token = cart_form(shopper)
    place = check_out_in_another_tab(shopper.app)
    answer = shopper.client.post(
        f"/cart/lines/{line_id}/{action}", data={"quantity": "2", "csrf_token": token}
    )
    assert answer.status_code == 409, answer.text[:2000]
    assert GONE in answer.text
    assert place in PAY_LINK.findall(answer.text)
