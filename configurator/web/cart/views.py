"""Cart views: show (re-checking every line), add a design, change, remove, fix."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from configurator.core.identity import shopper_token
from configurator.modules.cart.models import MAX_QUANTITY, CartLine
from configurator.modules.cart.services import (
    CartError,
    add_line,
    apply_fix,
    check_lines,
    get_line,
    lines_of,
    remove_line,
    set_quantity,
    totals,
)
from configurator.modules.catalog.engines import carry_over
from configurator.modules.catalog.services import current_version
from configurator.modules.designs.services import get_design
from configurator.web.cart import cart_blueprint
from configurator.web.cart.forms import AddDesignForm, LineActionForm, QuantityForm

QUANTITY_MESSAGE = f"Enter a whole number from 1 to {MAX_QUANTITY}."
QUANTITY_ECHO_LENGTH = 12  # characters of a refused quantity shown back in its field


def _back_to_cart() -> Response:
    return redirect(url_for("cart.show"), 303)


def _own_line(line_id: int) -> CartLine:
    token = shopper_token(create=False)
    line = get_line(token, line_id) if token else None
    if line is None:
        abort(404, "That line is not in your cart.")
    return line


def _render_cart(quantity_error: tuple[int, str, str] | None = None) -> str:
    """The cart page; ``quantity_error`` is (line id, the quantity posted, the message),
    shown beside that line's quantity field."""
    token = shopper_token(create=False)
    checked = check_lines(lines_of(token)) if token else []
    return render_template(
        "cart/cart.html",
        lines=checked,
        totals=totals(checked),
        needs_fix=[item for item in checked if not item.check.valid],
        max_quantity=MAX_QUANTITY,
        quantity_error=quantity_error,
        form=LineActionForm(),
    )


@cart_blueprint.get("")
def show() -> str:
    return _render_cart()


@cart_blueprint.post("/add")
def add() -> Response:
    form = AddDesignForm()
    if not form.validate_on_submit():
        abort(400, "Which design? The form was incomplete.")
    design = get_design(form.design_id.data)
    if design is None:
        abort(404, "There is no such design.")
    version = current_version(design.product.slug)
    assert version is not None
    carried = carry_over(design.catalog_version, design.choices, version)
    try:
        add_line(shopper_token() or "", version, carried.fixed_choices, design_id=design.id)
    except CartError as error:
        flash(str(error), "error")
        return redirect(url_for("shop.design", design_id=design.id), 303)
    flash("Added to your cart.", "success")
    return _back_to_cart()


@cart_blueprint.post("/lines/<int:line_id>/quantity")
def change_quantity(line_id: int) -> Response | tuple[str, int]:
    line = _own_line(line_id)
    form = QuantityForm()
    posted = (request.form.get("quantity") or "").strip()[:QUANTITY_ECHO_LENGTH]
    if not form.validate_on_submit():
        message = QUANTITY_MESSAGE if posted else "Enter a quantity."
        return _render_cart((line.id, posted, message)), 422
    try:
        set_quantity(line, int(form.quantity.data))
    except CartError as error:
        return _render_cart((line.id, posted, str(error))), 422
    flash(f"{line.product.name}: quantity {line.quantity}.", "success")
    return _back_to_cart()


@cart_blueprint.post("/lines/<int:line_id>/remove")
def remove(line_id: int) -> Response:
    line = _own_line(line_id)
    LineActionForm().validate_on_submit()
    name = line.product.name
    remove_line(line)
    flash(f"Removed {name} from your cart.", "success")
    return _back_to_cart()


@cart_blueprint.post("/lines/<int:line_id>/fix")
def fix(line_id: int) -> Response:
    line = _own_line(line_id)
    try:
        apply_fix(line)
    except CartError as error:
        flash(str(error), "error")
        return _back_to_cart()
    flash("Updated to the current catalog.", "success")
    return _back_to_cart()
