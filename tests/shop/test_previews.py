"""Preview images over HTTP: content-addressed, drawn once, cached for a year."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

RING = {"metal": "gold18_rose", "gem": "ruby", "band_width": "w4"}


def preview_of(client: FlaskClient, choices: dict[str, object]) -> str:
    answer = client.post("/api/products/ring/configure", json={"choices": choices}).get_json()
    url = answer["preview"]
    assert isinstance(url, str) and url.startswith("/previews/") and url.endswith(".800.webp")
    return url


def test_configure_names_a_preview_that_is_served_immutable(
    shop: Flask, client: FlaskClient
) -> None:
    url = preview_of(client, RING)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "image/webp"
    assert response.data[:4] == b"RIFF" and response.data[8:12] == b"WEBP"
    assert len(response.data) < 60 * 1024
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_the_name_follows_the_configuration_not_its_spelling(
    shop: Flask, client: FlaskClient
) -> None:
    same = preview_of(client, {"band_width": "w4", "gem": "ruby", "metal": "gold18_rose"})
    assert same == preview_of(client, RING)
    assert preview_of(client, {**RING, "gem": "emerald"}) != same


def test_sizes_and_formats(shop: Flask, client: FlaskClient) -> None:
    name = preview_of(client, RING).removeprefix("/previews/").split(".")[0]
    thumbnail = client.get(f"/previews/{name}.300.jpeg")
    assert (thumbnail.status_code, thumbnail.content_type) == (200, "image/jpeg")
    card = client.get(f"/previews/{name}.card.png")
    assert (card.status_code, card.content_type) == (200, "image/png")
    width, height = int.from_bytes(card.data[16:20], "big"), int.from_bytes(card.data[20:24], "big")
    assert (width, height) == (1200, 630)


def test_a_preview_is_drawn_once_then_served_from_the_store(
    shop: Flask, client: FlaskClient
) -> None:
    url = preview_of(client, RING)
    first = client.get(url).data
    name = url.removeprefix("/previews/")
    stored = Path(shop.instance_path) / "previews" / name[:2] / name
    assert stored.read_bytes() == first
    stored.write_bytes(b"kept")  # what the store holds is what is served: no redraw
    assert client.get(url).data == b"kept"


def test_unknown_and_malformed_names_are_404(shop: Flask, client: FlaskClient) -> None:
    for url in ("/previews/" + "a" * 64 + ".800.webp", "/previews/nothex.800.webp"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "unknown_preview"
    name = preview_of(client, RING).removeprefix("/previews/").split(".")[0]
    assert client.get(f"/previews/{name}.801.webp").status_code == 404
    assert client.get(f"/previews/{name}.800.gif").status_code == 404
