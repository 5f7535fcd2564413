"""The live preview in Chromium: swapped only once loaded, a quiet loading state, idle
prefetching of the next likely pictures, and a text the picture cannot hold."""

from __future__ import annotations

import re
import shutil
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from flask import Flask
from playwright.sync_api import Locator, Page, Response, Route, expect

from configurator.core.database import db
from configurator.modules.catalog.services import import_catalog

pytestmark = pytest.mark.browser

SEED_DIR = Path(__file__).resolve().parents[2] / "catalog"
IMAGE = "[data-preview-image]"
PREVIEW_URL = re.compile(r"/previews/[0-9a-f]{64}\.800\.webp$")

# Records, in the page, every change of the preview figure: which picture is shown,
# whether it is a loaded image at that moment, and the loading state.
WATCH_PREVIEW = """
window.__previewLog = [];
document.addEventListener("DOMContentLoaded", () => {
  const figure = document.querySelector("[data-preview]");
  const image = figure.querySelector("[data-preview-image]");
  const note = () => window.__previewLog.push({
    src: image.getAttribute("src"),
    srcset: figure.querySelector("source")?.getAttribute("srcset") ?? null,
    hidden: image.hidden,
    loading: figure.classList.contains("is-loading"),
  });
  new MutationObserver(note).observe(figure, { attributes: true, subtree: true });
});
"""


@pytest.fixture
def shop_url(live_app: Flask, live_server: str) -> str:
    with live_app.app_context():
        for folder in ("shoes", "chocolate", "jewellery"):
            import_catalog(SEED_DIR / folder)
        db.session.commit()
    return live_server


def open_configurator(page: Page, url: str) -> None:
    page.add_init_script(WATCH_PREVIEW)
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("data-configurator", "ready")
    wait_loaded(page)


def shown(page: Page) -> dict[str, Any]:
    return dict(
        page.locator(IMAGE).evaluate(
            "image => ({src: image.currentSrc, width: image.naturalWidth, done: image.complete})"
        )
    )


def wait_loaded(page: Page, other_than: str | None = None) -> dict[str, Any]:
    page.wait_for_function(
        """([selector, previous]) => {
          const image = document.querySelector(selector);
          return image.complete && image.naturalWidth > 0 && image.currentSrc !== previous;
        }""",
        arg=[IMAGE, other_than],
    )
    return shown(page)


def go_to_step(page: Page, element: Locator) -> None:
    step = element.evaluate("element => element.closest('[data-step]').id")
    page.locator(f"#tab-{step}").click()


def until(page: Page, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the page run (events included) until ``condition`` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def pick_another(page: Page, attribute: str) -> str:
    """Click an available option of ``attribute`` that is not chosen; return its id."""
    box = page.locator(f"[data-attribute='{attribute}']")
    option = box.locator(".option:not(.is-unavailable):not(.option--none):has(input:not(:checked))")
    chosen = option.first.get_attribute("data-option")
    assert chosen
    with page.expect_response(lambda response: response.url.endswith("/configure")):
        option.first.click()
    return chosen


def test_picking_options_changes_the_picture_once_the_new_one_has_loaded(
    page: Page, shop_url: str
) -> None:
    open_configurator(page, f"{shop_url}/p/ring")
    first = shown(page)
    assert PREVIEW_URL.search(first["src"]) and first["width"] == 800
    seen = [first["src"]]
    for attribute in ("metal", "gem"):
        box = page.locator(f"[data-attribute='{attribute}']")
        go_to_step(page, box)
        pick_another(page, attribute)
        now = wait_loaded(page, other_than=seen[-1])
        assert PREVIEW_URL.search(now["src"]) and now["width"] == 800
        assert now["src"] not in seen
        seen.append(now["src"])
    # No flicker: whenever the figure changed, the picture was never hidden, and a new
    # URL was only put in place once it had loaded (so its source and fallback agree).
    log = page.evaluate("window.__previewLog")
    assert log, "the preview never changed"
    assert not any(entry["hidden"] for entry in log)
    for entry in log:
        if entry["srcset"]:
            assert entry["src"] == entry["srcset"].replace(".webp", ".jpeg")


def test_a_slow_picture_keeps_the_old_one_with_a_loading_state(page: Page, shop_url: str) -> None:
    # No prefetching here, so that the next picture has to come over the network, where
    # it is held back until the old one and the loading state have been seen.
    page.route(re.compile(r"/api/products/ring/previews$"), lambda route: route.abort())
    open_configurator(page, f"{shop_url}/p/ring")
    before = shown(page)["src"]
    held: list[Route] = []
    page.route(PREVIEW_URL, lambda route: held.append(route))
    pick_another(page, "metal")
    until(page, lambda: bool(held))
    expect(page.locator("[data-preview]")).to_have_class(re.compile("is-loading"))
    expect(page.locator("[data-preview-loading]")).to_be_visible()
    expect(page.locator("[data-preview]")).to_have_attribute("aria-busy", "true")
    assert shown(page) == {"src": before, "width": 800, "done": True}  # the old one stays
    page.unroute(PREVIEW_URL)
    for route in held:
        route.continue_()
    after = wait_loaded(page, other_than=before)
    expect(page.locator("[data-preview]")).not_to_have_class(re.compile("is-loading"))
    expect(page.locator("[data-preview-loading]")).to_be_hidden()
    assert after["width"] == 800


def test_idle_prefetch_of_the_current_step(page: Page, shop_url: str) -> None:
    asked: list[Response] = []
    images: list[str] = []

    def note(response: Response) -> None:
        if response.url.endswith("/previews") and response.request.method == "POST":
            asked.append(response)
        elif PREVIEW_URL.search(response.url):
            images.append(response.url.removeprefix(shop_url))

    page.on("response", note)
    open_configurator(page, f"{shop_url}/p/ring")
    shown_first = shown(page)["src"].removeprefix(shop_url)
    step = page.locator("[role=tabpanel]:not([hidden])")
    step_attributes = {
        box.get_attribute("data-attribute")
        for box in step.locator("[data-kind=single], [data-kind=multi]").all()
    }
    until(page, lambda: bool(asked))
    named: dict[str, tuple[str, str]] = {}  # url -> (attribute, option)
    for response in asked:
        attribute = response.request.post_data_json["attribute"]
        assert attribute in step_attributes  # only the step on screen
        for option, url in response.json()["previews"].items():
            named[url] = (attribute, option)
    assert named
    until(page, lambda: bool(set(images) & set(named)))
    prefetched = set(images) & set(named)
    assert shown_first not in named
    assert len(prefetched) <= 6  # bounded

    # Picking a prefetched option shows that very picture.
    url = sorted(prefetched)[0]
    attribute, option = named[url]
    before = shown(page)["src"]
    with page.expect_response(lambda response: response.url.endswith("/configure")):
        page.locator(f"[data-attribute='{attribute}'] [data-option='{option}']").click()
    now = wait_loaded(page, other_than=before)
    assert now["src"].endswith(url)


@pytest.fixture
def narrow_ring_art(live_app: Flask, tmp_path: Path) -> None:
    """The ring's art as a merchant might draw it: room on the band for fewer letters than
    the catalog's rules allow (the seed art holds every text the rules allow)."""
    folder = tmp_path / "catalogs" / "jewellery"
    shutil.copytree(SEED_DIR / "jewellery", folder)
    manifest_path = folder / "art" / "manifest.toml"
    manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    for layer in manifest["layers"]:
        if layer.get("text") == "engraving":
            layer["arc"]["start"], layer["arc"]["end"] = 105, 75
    manifest_path.write_text(tomli_w.dumps(manifest), encoding="utf-8")
    settings = live_app.extensions["atelier_previews"]
    settings.catalog_dir, settings._folders = tmp_path / "catalogs", None


def test_a_text_the_picture_cannot_hold_is_said_beside_the_field(
    page: Page, shop_url: str, narrow_ring_art: None
) -> None:
    open_configurator(page, f"{shop_url}/p/ring")
    band = page.locator("[data-attribute='band_width']")
    go_to_step(page, band)
    with page.expect_response(lambda response: response.url.endswith("/configure")):
        band.locator("[data-option='w6']").click()
    before = wait_loaded(page, other_than=None)["src"]
    engraving = page.locator("#f-engraving")
    go_to_step(page, engraving)
    with page.expect_response(lambda response: response.url.endswith("/configure")):
        engraving.fill("W" * 30)  # answered without a preview, with the problem
    error = page.locator("[data-error-for='engraving']")
    expect(error).to_contain_text("too long to fit")
    expect(engraving).to_have_attribute("aria-invalid", "true")
    picture = shown(page)
    assert picture["width"] == 800  # never a broken image
    assert picture["src"] == before or PREVIEW_URL.search(picture["src"])
    # A shorter text fits again: the message goes and the picture follows.
    with page.expect_response(lambda response: response.url.endswith("/configure")):
        engraving.fill("Always")
    expect(error).to_have_text("")
    assert wait_loaded(page, other_than=picture["src"])["width"] == 800


# The picture as drawn: the box its pixels fill inside the <img> element, from the
# element's box, its natural size and its object-fit (contain and cover keep the
# aspect ratio; fill stretches; none keeps the natural size), centred as by default.
RENDERED_BOXES = """
() => {
  const image = document.querySelector("[data-preview-image]");
  const frame = image.closest("[data-preview]").getBoundingClientRect();
  const box = image.getBoundingClientRect();
  const fit = getComputedStyle(image).objectFit;
  const scales = {
    contain: Math.min(box.width / image.naturalWidth, box.height / image.naturalHeight),
    cover: Math.max(box.width / image.naturalWidth, box.height / image.naturalHeight),
    none: 1,
  };
  let width = box.width, height = box.height;
  if (fit in scales) {
    width = image.naturalWidth * scales[fit];
    height = image.naturalHeight * scales[fit];
  }
  const left = box.left + (box.width - width) / 2, top = box.top + (box.height - height) / 2;
  return {
    frame: {left: frame.left, top: frame.top, right: frame.right, bottom: frame.bottom},
    picture: {left, top, right: left + width, bottom: top + height},
  };
}
"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (768, 1024), (1280, 900)])
@pytest.mark.parametrize("slug", ["sneaker", "ring", "chocolate-bar"])
def test_the_whole_picture_fits_in_its_frame(
    browser: Any, shop_url: str, slug: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_configurator(page, f"{shop_url}/p/{slug}")
        boxes = page.evaluate(RENDERED_BOXES)
        frame, picture = boxes["frame"], boxes["picture"]
        # Nothing of the square picture is cut off (1 px for the frame's border) ...
        assert picture["left"] >= frame["left"] - 0.5, boxes
        assert picture["top"] >= frame["top"] - 0.5, boxes
        assert picture["right"] <= frame["right"] + 0.5, boxes
        assert picture["bottom"] <= frame["bottom"] + 0.5, boxes
        # ... and it is not shrunk either: it spans the frame's height.
        assert picture["bottom"] - picture["top"] >= (frame["bottom"] - frame["top"]) - 4, boxes
    finally:
        context.close()
