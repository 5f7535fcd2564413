"""Storefront views: read the request, call services, render a template."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from configurator.core.errors import text_fault
from configurator.core.identity import shopper_token
from configurator.core.limits import rate_limited
from configurator.core.public_urls import absolute_url
from configurator.domain.completion import STRATEGIES, completion
from configurator.domain.engine import Catalog, ChoiceError, Engine
from configurator.domain.engine.choices import allowed_characters
from configurator.domain.engine.pricing import price_json
from configurator.domain.money import with_formatted_price
from configurator.domain.reopen import NOT_CHOSEN, Carried, ChoiceRow, describe_choices
from configurator.modules.cart.models import CartLine
from configurator.modules.cart.services import (
    CartError,
    LineGone,
    add_line,
    get_line,
    item_count,
    remove_line,
)
from configurator.modules.catalog.engines import carry_over, engine_for
from configurator.modules.catalog.models import CatalogVersion
from configurator.modules.catalog.services import current_version, current_versions
from configurator.modules.designs.models import Design
from configurator.modules.designs.services import designs_of, get_design, save_design
from configurator.modules.previews.services import preview_src, register_preview
from configurator.web.storefront import shop_blueprint
from configurator.web.storefront.services import (
    ConfiguratorView,
    changed_attribute,
    choices_from_form,
    configurator_view,
    preview_backdrop,
)

TITLE_MAX_LENGTH = 200
SHARE_SUMMARY_LENGTH = 160


def shop_context() -> dict[str, Any]:
    token = shopper_token(create=False)
    return {"cart_count": item_count(token) if token else 0}


def _published(slug: str) -> CatalogVersion:
    version = current_version(slug)
    if version is None:
        abort(404, f"There is no product {slug!r}.")
    return version


def _design_or_404(design_id: str) -> Design:
    design = get_design(design_id)
    if design is None:
        abort(404, "There is no such design. Check the link you were given.")
    return design


def _swatches(engine: Engine, choices: dict[str, Any]) -> list[str]:
    """Colours of the chosen options, for thumbnails and the preview placeholder."""
    colours = []
    for attribute in engine.catalog.attributes:
        value = choices.get(attribute.id)
        chosen = value if isinstance(value, list) else [value]
        for option in attribute.options:
            if option.id in chosen and option.swatch and option.swatch not in colours:
                colours.append(option.swatch)
    return colours


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# -- home ------------------------------------------------------------------------------


HOME_ALT_CHOICES = 3  # chosen values named in a product card's picture's alt text


def _card_picture(version: CatalogVersion, engine: Engine) -> tuple[str | None, str]:
    """The preview name and alt text of a product's first design (its defaults).

    Without its texts: only a text can make a picture undrawable, and checking one
    would draw the picture now; so the home page only names previews, and each is
    drawn (once, then kept) when the browser asks for it.
    """
    catalog = engine.catalog
    texts = {a.id for a in catalog.attributes if a.kind == "text"}
    shown = {k: v for k, v in engine.canonical(engine.default_choices()).items() if k not in texts}
    chosen = _named(describe_choices(catalog, shown))
    alt = f"{catalog.name} in its first design: {', '.join(chosen[:HOME_ALT_CHOICES])}"
    return register_preview(version, shown, pinned=False), alt


@shop_blueprint.get("/")
def home() -> str:
    cards = []
    for version in current_versions():
        engine = engine_for(version)
        defaults = engine.default_choices()
        picture, alt = _card_picture(version, engine)
        cards.append(
            {
                "version": version,
                "catalog": engine.catalog,
                "swatches": _swatches(engine, defaults)[:6],
                "from_price": price_json(engine.catalog, engine.parse(defaults)),
                "preview_name": picture,
                "preview_alt": alt,
                "backdrop": preview_backdrop(version.slug) if picture else None,
            }
        )
    return render_template("shop/home.html", cards=cards)


# -- the configurator ----------------------------------------------------------------------


def _render_configurator(
    version: CatalogVersion,
    choices: dict[str, Any],
    *,
    changed: str | None = None,
    errors: dict[str, str] | None = None,
    carried: Carried[CatalogVersion] | None = None,
    line_id: int | None = None,
    title: str = "",
    title_error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    view = configurator_view(version, choices, changed=changed, errors=errors)
    engine = engine_for(version)
    page = render_template(
        "shop/product.html",
        view=view,
        carried=carried,
        line_id=line_id,
        title=title,
        title_error=title_error,
        title_example=title_example(engine.catalog),
        swatches=_swatches(engine, view.choices),
        client=_client_data(version, engine, view),
    )
    return page, status


def title_example(catalog: Catalog) -> str:
    """The design-name field's example: the catalog's own ``title_example`` (a product
    key), else one made from the product's name ("Ring for Sam")."""
    product = catalog.extra.get("product")
    example = product.get("title_example") if isinstance(product, dict) else None
    if isinstance(example, str) and example:
        return example
    noun = catalog.name.removeprefix("Custom ").strip() or catalog.name
    return f"{noun[:1].upper()}{noun[1:].lower()} for Sam"


def _client_data(version: CatalogVersion, engine: Engine, view: ConfiguratorView) -> dict[str, Any]:
    """What the page's script needs: labels, limits, endpoints and the first answer."""
    catalog = engine.catalog
    problem = view.preview_problem
    return {
        "product": version.slug,
        "currency": catalog.currency,
        "endpoints": {
            "configure": url_for("api.configure", slug=version.slug),
            "complete": url_for("api.complete", slug=version.slug),
            "missing": url_for("api.missing", slug=version.slug),
            "previews": url_for("api.previews", slug=version.slug),
        },
        "defaults": engine.default_choices(),
        "choices": view.choices,
        "answer": {
            **view.answer,
            "price": with_formatted_price(view.answer["price"]),
            "preview": view.preview,
        },
        "previewProblem": (
            {"attribute": problem.attribute, "message": problem.message} if problem else None
        ),
        "attributes": [
            {
                "id": a.id,
                "label": a.label,
                "kind": a.kind,
                "required": a.required,
                "options": {o.id: {"label": o.label, "swatch": o.swatch} for o in a.options},
                "max_length": a.max_length,
                "pattern": a.pattern,
                "allowed_characters": allowed_characters(a.pattern),
            }
            for a in catalog.attributes
        ],
    }


@shop_blueprint.get("/p/<slug>")
def product(slug: str) -> tuple[str, int]:
    version = _published(slug)
    engine = engine_for(version)
    carried: Carried[CatalogVersion] | None = None
    line_id = request.args.get("line", type=int)
    design_id = request.args.get("design")
    title = ""
    choices = engine.default_choices()
    if design_id:
        design = _design_or_404(design_id)
        if design.product.slug != slug:
            abort(404, "That design belongs to another product.")
        carried = carry_over(design.catalog_version, design.choices, version)
        choices, title = carried.fixed_choices, design.title or ""
    elif line_id is not None:
        line = _own_line_of(version, line_id)
        if line is None:
            abort(404, "That cart line is not in your cart.")
        carried = carry_over(line.catalog_version, line.choices, version)
        choices = carried.fixed_choices
    if carried is not None and not carried.upgraded:
        carried = None
    return _render_configurator(version, choices, carried=carried, line_id=line_id, title=title)


def _own_line_of(version: CatalogVersion, line_id: int | None) -> CartLine | None:
    """The shopper's cart line ``line_id`` when it holds this product, else None."""
    token = shopper_token(create=False)
    line = get_line(token, line_id) if token and line_id is not None else None
    return line if line is not None and line.product_id == version.product_id else None


def _previous(engine: Engine, text: str | None) -> dict[str, Any]:
    try:
        return engine.canonical(json.loads(text or "{}"))
    except (ValueError, ChoiceError):
        return {}


@shop_blueprint.post("/p/<slug>")
@rate_limited("RATELIMIT_ANONYMOUS_ENGINE")
def product_form(slug: str) -> Response | tuple[str, int]:
    """The configurator without JavaScript: every button posts the whole form."""
    version = _published(slug)
    engine = engine_for(version)
    choices, errors = choices_from_form(engine.catalog, request.form)
    action = request.form.get("action", "update")
    title = (request.form.get("title") or "").strip()[:TITLE_MAX_LENGTH]
    fault = text_fault(title)
    title_error = f"The design’s name {fault}." if fault else None
    if fault:
        title = title.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    # A line of another product (or of nobody's cart) is not this page's to replace.
    line = _own_line_of(version, request.form.get("line", type=int))
    line_id = line.id if line is not None else None
    changed = request.form.get("changed") or None
    if action == "reset":
        choices, errors = engine.default_choices(), {}
    elif action in STRATEGIES:
        choices = completion(engine, choices, STRATEGIES[action])
    elif action == "repair":
        repair = engine.configure(choices, explain=False, changed=changed)["repair"]
        if repair:
            choices = repair["choices"]
        changed = None
    elif action in ("save", "cart") and not errors and not (action == "save" and title_error):
        answer = engine.configure(choices, explain=False)
        if action == "save" and answer["consistent"]:
            design = save_design(version, choices, owner_token=shopper_token(), title=title or None)
            flash("Design saved. Its link is yours to keep and share.", "success")
            return redirect(url_for("shop.design", design_id=design.id), 303)
        if action == "cart" and answer["complete"]:
            return _add_to_cart(version, choices, line_id)
        flash(
            _refusal(action, consistent=answer["consistent"], replacing=line_id is not None),
            "error",
        )
    else:
        before = _previous(engine, request.form.get("previous"))
        changed = changed_attribute(before, engine.canonical(choices))
    return _render_configurator(
        version,
        choices,
        changed=changed,
        errors=errors,
        line_id=line_id,
        title=title,
        title_error=title_error,
        status=422 if errors or title_error else 200,
    )


def _named(rows: list[ChoiceRow]) -> list[str]:
    """The values a summary of a design names: what is chosen, and not "None"."""
    return [row.value for row in rows if row.value not in (NOT_CHOSEN, "None")]


def _refusal(action: str, *, consistent: bool, replacing: bool) -> str:
    """Why the design can't be saved or put in the cart yet, in words fit for the button."""
    first = "Resolve the conflict" if not consistent else "Finish the design"
    if action == "save":
        return f"{first} before saving."
    return f"{first} before {'updating the cart line' if replacing else 'adding it to the cart'}."


def _add_to_cart(
    version: CatalogVersion, choices: dict[str, Any], line_id: int | None
) -> Response | tuple[str, int]:
    token = shopper_token()
    assert token is not None
    quantity = 1
    replaced = _own_line_of(version, line_id)
    if replaced is not None:
        quantity = replaced.quantity
        try:
            remove_line(replaced)
        except LineGone:
            replaced = None  # another tab ordered it meanwhile: this one is a new line
    try:
        add_line(token, version, choices, quantity=quantity, clamp=replaced is not None)
    except CartError as error:
        flash(str(error), "error")
        return _render_configurator(version, choices, line_id=line_id, status=422)
    flash("Updated in your cart." if replaced else "Added to your cart.", "success")
    return redirect(url_for("cart.show"), 303)


# -- designs ---------------------------------------------------------------------------------


@shop_blueprint.get("/d/<design_id>")
def design(design_id: str) -> str:
    design = _design_or_404(design_id)
    version = _published(design.product.slug)
    carried = carry_over(design.catalog_version, design.choices, version)
    view = configurator_view(version, carried.fixed_choices, pinned=True)
    engine = engine_for(version)
    rows = describe_choices(engine.catalog, view.choices)
    chosen = _named(rows)
    share_card = (
        absolute_url(preview_src(view.preview_name, "card", "jpeg")) if view.preview_name else None
    )
    return render_template(
        "shop/design.html",
        share_card=share_card,
        share_summary=_shorten(" · ".join(chosen), SHARE_SUMMARY_LENGTH),
        design=design,
        view=view,
        rows=rows,
        carried=carried if carried.upgraded else None,
        mine=design.owner_token is not None and design.owner_token == shopper_token(create=False),
        swatches=_swatches(engine, view.choices),
        permalink=absolute_url(url_for("shop.design", design_id=design.id)),
    )


@shop_blueprint.get("/designs")
def my_designs() -> str:
    token = shopper_token(create=False)
    items = []
    for saved in designs_of(token) if token else []:
        engine = engine_for(saved.catalog_version)
        items.append(
            {
                "design": saved,
                "catalog": engine.catalog,
                "swatches": _swatches(engine, saved.choices)[:6],
                "price": price_json(engine.catalog, engine.parse(saved.choices)),
            }
        )
    return render_template("shop/designs.html", items=items)
