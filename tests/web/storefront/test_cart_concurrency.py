"""Adds of one design that arrive at once, at gunicorn with several workers: each add
counts once, none fails, and past the cap the shopper is told and nothing changes."""

from __future__ import annotations

import requests
from flask import Flask
from sqlalchemy import select

from configurator.core.database import db
from configurator.modules.cart.models import MAX_QUANTITY, CartLine
from configurator.modules.catalog.engines import engine_for
from configurator.modules.catalog.services import current_version
from configurator.modules.designs.services import save_design
from tests.live_server import GunicornFactory, LiveShop, concurrently, csrf_token_of
from tests.web.storefront.conftest import SEED_DIR

ADDS = 8
ROUNDS = 3
REFUSED = f"Quantities go from 1 to {MAX_QUANTITY} per design."
SNEAKER = {"silhouette": "mid", "laces": "red"}
TIMEOUT = 120  # seconds; a worker's first page draws art, slow on a busy machine


def sneaker_shop(gunicorn_shop: GunicornFactory) -> tuple[LiveShop, str]:
    """The shop with the seed sneaker, and a saved design of it."""
    shop = gunicorn_shop(catalogs=[SEED_DIR / "shoes"])
    with shop.app.app_context():
        version = current_version("sneaker")
        assert version is not None
        choices = engine_for(version).default_choices() | SNEAKER
        design = save_design(version, choices)
        db.session.commit()
        return shop, design.id


def add_at_once(shop: LiveShop, session: requests.Session, design_id: str) -> list[str]:
    """ADDS adds of the design from one session at once; what each answer tells the
    shopper: "added" (sent to the cart), or the message it sends them back with."""
    # The checkout page makes the session a shopper's (the cart page would not).
    token = csrf_token_of(session.get(f"{shop.url}/checkout", timeout=TIMEOUT).text)

    def add(_: int) -> str:
        answer = requests.post(
            f"{shop.url}/cart/add",
            data={"design_id": design_id, "csrf_token": token},
            cookies=session.cookies,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 303, (answer.status_code, answer.text[:500])
        if answer.headers["Location"] == "/cart":
            return "added"
        return " ".join(message for _, message in flashed(shop.app, answer))

    return concurrently(ADDS, add)


def flashed(app: Flask, answer: requests.Response) -> list[tuple[str, str]]:
    """The messages an answer left in its session cookie for the next page to show."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    session = serializer.loads(answer.cookies[app.config["SESSION_COOKIE_NAME"]])
    return [tuple(flash) for flash in session.get("_flashes", [])]


def quantities(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.execute(select(CartLine.quantity)).scalars())


def test_adds_that_arrive_at_once_each_count(gunicorn_shop: GunicornFactory) -> None:
    shop, design_id = sneaker_shop(gunicorn_shop)
    session = requests.Session()
    for round_ in range(ROUNDS):
        assert add_at_once(shop, session, design_id) == ["added"] * ADDS, f"round {round_}"
        assert quantities(shop.app) == [ADDS], f"round {round_}"
        with shop.app.app_context():
            db.session.execute(db.delete(CartLine))
            db.session.commit()
    assert shop.errors_logged() == []


def test_adds_past_the_cap_are_refused_and_told(gunicorn_shop: GunicornFactory) -> None:
    shop, design_id = sneaker_shop(gunicorn_shop)
    session = requests.Session()
    room = ADDS // 2
    for round_ in range(ROUNDS):
        with shop.app.app_context():
            db.session.execute(db.delete(CartLine))
            db.session.commit()
        told = add_at_once(shop, session, design_id)  # the line, at ADDS
        assert told == ["added"] * ADDS
        with shop.app.app_context():
            db.session.execute(db.update(CartLine).values(quantity=MAX_QUANTITY - room))
            db.session.commit()
        told = add_at_once(shop, session, design_id)
        assert told.count("added") == room, f"round {round_}: {told}"
        assert told.count(REFUSED) == ADDS - room, f"round {round_}: {told}"
        assert quantities(shop.app) == [MAX_QUANTITY], f"round {round_}"
    assert shop.errors_logged() == []
