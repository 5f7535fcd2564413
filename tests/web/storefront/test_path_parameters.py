"""Every route's path parameters, each given a trailing newline in turn: never a 5xx.

A guard written ``re.match(r"^...$")`` lets "<value>\\n" through (``$`` matches before a
final newline), and what lies behind the guard then fails on it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask
from itsdangerous import Signer
from werkzeug.routing import Rule

from configurator.modules.orders.services import LINK_SALT
from tests.web.storefront.conftest import csrf_token

PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def valid_values(shop: Flask) -> dict[str, str]:
    """A value that a route accepts for each path parameter name, made for real where
    one can be: a published product, a saved design, a drawn preview's name."""
    client = shop.test_client()
    configured = client.post("/api/products/sneaker/configure", json={"choices": {}})
    preview = configured.get_json()["preview"].removeprefix("/previews/")
    assert client.get(f"/previews/{preview}").status_code == 200
    name, size, ext = preview.split(".")
    design = client.post("/api/designs", json={"product": "sneaker", "choices": {}}).get_json()
    order_token = Signer(shop.config["SECRET_KEY"], salt=LINK_SALT).sign("no-such-order").decode()
    return {
        "slug": "sneaker",
        "design_id": design["id"],
        "id": design["id"],  # the API's name for it (GET /api/designs/{id})
        "name": name,
        "size": size,
        "ext": ext,
        "token": order_token,
        "line_id": "1",
        "filename": "js/configurator.js",
    }


def url_of(rule: Rule, values: dict[str, str]) -> str:
    return PARAMETER.sub(lambda found: quote(values[found.group(1)], safe="/"), rule.rule)


def test_a_trailing_newline_in_any_path_parameter_is_no_server_error(shop: Flask) -> None:
    values = valid_values(shop)
    client = shop.test_client()
    token = csrf_token(client, "/p/sneaker")
    rules = [rule for rule in shop.url_map.iter_rules() if rule.arguments]
    unknown = {name for rule in rules for name in rule.arguments} - set(values)
    assert not unknown, f"give a valid value for the path parameters {sorted(unknown)}"
    tried, failed = 0, []
    for rule in rules:
        assert rule.methods is not None
        for parameter in sorted(rule.arguments):
            url = url_of(rule, {**values, parameter: values[parameter] + "\n"})
            assert "%0A" in url
            if "GET" in rule.methods:
                answers = [client.get(url)]
            else:
                answers = [
                    client.post(url, data={"csrf_token": token}),
                    client.post(url, json={"choices": {}}, headers={"X-CSRFToken": token}),
                ]
            tried += len(answers)
            failed += [(url, answer.status_code) for answer in answers if answer.status_code >= 500]
    assert not failed, failed
    assert tried > len(rules)
