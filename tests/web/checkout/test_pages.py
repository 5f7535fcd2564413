"""What the cart, checkout, payment and order pages say: lines, prices, shipping, errors."""

from __future__ import annotations

import re

from tests.web.checkout.conftest import CARD_DECLINED, CONTACT, Shopper, csrf_token, deliver_events

BLACK_GLOW = {"colour": "black", "print": "glow"}
SHIPPING_FREE = "<dt>Shipping</dt><dd>Free</dd>"


def total_of(page: str) -> str:
    found = re.search(r"<dt>Total</dt><dd><strong[^>]*>([^<]+)</strong>", page)
    assert found, "the page shows a total"
    return found.group(1)


def test_shipping_is_free_on_the_cart_checkout_payment_and_order_pages(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW, quantity=3)
    cart = shopper.client.get("/cart").text
    checkout = shopper.client.get("/checkout").text
    for page in (cart, checkout):
        assert SHIPPING_FREE in page
        assert total_of(page) == "€84.00"
    assert "calculated at checkout" not in cart

    token = shopper.checkout()
    order = shopper.order()
    # What the pages claim is what the order holds: no charge beyond its lines.
    assert order.total_amount == sum(line.line_amount for line in order.lines) == 8400
    for path in (f"/orders/{token}/pay", f"/orders/{token}"):
        page = shopper.client.get(path).text
        assert SHIPPING_FREE in page, path
        assert total_of(page) == "€84.00", path


def test_each_line_shows_its_price_lines_and_its_total(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW, quantity=3)
    page = shopper.client.get("/checkout").text
    line = re.search(r'<li class="summary-line">(.*?)</li>', page, re.S)
    assert line, "one summary line"
    body = line.group(1)
    assert '<th scope="row">Print: Glow in the dark</th><td class="amount">€5.00</td>' in body
    assert '<th scope="row">3 × €28.00</th><td class="amount">€84.00</td>' in body
    assert re.search(r'class="summary-line__price">.*€84.00</p>', body)
    # The tee has no art: a lettered placeholder, never a broken image.
    assert 'class="thumb thumb--empty"' in body and "<img" not in body


def test_form_errors_sit_beside_their_fields_and_are_listed_above(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = csrf_token(shopper.client.get("/checkout").text)
    response = shopper.client.post(
        "/checkout", data={**CONTACT, "email": "nope", "city": "", "csrf_token": token}
    )
    assert response.status_code == 422
    page = response.text
    email = re.search(r"<input[^>]*id=\"email\"[^>]*>", page)
    assert email and 'aria-invalid="true"' in email.group(0)
    assert 'aria-describedby="email-help email-error"' in email.group(0)
    assert re.search(r'id="email-error">Please enter a valid email address.</p>\s*</div>', page), (
        "the message follows its field"
    )
    summary = re.search(
        r'class="notice notice--warning form-problems" role="alert" tabindex="-1" autofocus>'
        r"(.*?)</div>",
        page,
        re.S,
    )
    assert summary, "the errors are summed up at the top of the form"
    assert "these 2 fields" in summary.group(1)
    assert '<a href="#email">Email</a>' in summary.group(1)
    assert '<a href="#city">City</a>' in summary.group(1)
    assert "csrf" not in summary.group(1).lower()


def test_the_order_page_names_the_country_and_the_step(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    token = shopper.checkout()
    page = shopper.client.get(f"/orders/{token}").text
    assert "United Kingdom" in page
    assert re.search(r'aria-current="step">\s*<span>Payment</span>', page)
    assert "This page is private." in page


def test_the_last_failed_attempt_is_told_once_and_cleanly(shopper: Shopper) -> None:
    shopper.add_to_cart(BLACK_GLOW)
    shopper.start(shopper.checkout())
    assert shopper.pay(CARD_DECLINED)["status"] == "failed"
    deliver_events(shopper.client, shopper.stripe)
    error = shopper.order().payment_error
    assert error
    page = shopper.client.get(f"/orders/{shopper.token}/pay").text
    told = re.search(r'id="last-error"><p>Your last attempt did not go through: (.*?)</p>', page)
    assert told, "the pay page says the last attempt failed"
    assert told.group(1).lower().count("try again") == 1
    assert ".." not in told.group(1) and told.group(1).endswith(".")


def test_a_text_reads_the_same_in_the_cart_and_on_the_order(shopper: Shopper) -> None:
    shopper.add_to_cart({**BLACK_GLOW, "name": "AB"})
    assert "“AB”" in shopper.client.get("/cart").text
    token = shopper.checkout()
    order_page = shopper.client.get(f"/orders/{token}").text
    assert "“AB”" in order_page
    assert {"attribute": "Name on the back", "value": "“AB”"} in shopper.order().lines[
        0
    ].option_labels
