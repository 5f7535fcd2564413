"""Cart forms (Flask-WTF, so each carries and checks its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from configurator.modules.cart.models import MAX_QUANTITY


class QuantityForm(FlaskForm):  # type: ignore[misc]
    quantity = IntegerField(
        "Quantity",
        validators=[
            InputRequired(),
            NumberRange(1, MAX_QUANTITY, f"Quantities go from 1 to {MAX_QUANTITY} per design."),
        ],
    )


class AddDesignForm(FlaskForm):  # type: ignore[misc]
    design_id = HiddenField(validators=[InputRequired()])


class LineActionForm(FlaskForm):  # type: ignore[misc]
    """Remove or fix a line: nothing but the CSRF token."""
