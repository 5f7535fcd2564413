"""The checkout form: contact and shipping address, validated on the server."""

from __future__ import annotations

import re
import secrets

from babel import Locale
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from configurator.modules.orders.services import Contact

# Where the studio ships; a select, so a tampered value fails validation. The names
# are CLDR's (Babel), so they read as every other English page spells them.
SHIPPING_COUNTRIES = (
    "AT", "BE", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IT", "LU", "NL", "NO", "PT",
    "SE", "US",
)  # fmt: skip
_TERRITORIES = Locale("en").territories
COUNTRY_NAMES = [("", "Choose a country")] + sorted(
    ((code, _TERRITORIES[code]) for code in SHIPPING_COUNTRIES), key=lambda pair: pair[1]
)
COUNTRIES = [SelectChoice(code, name) for code, name in COUNTRY_NAMES]


def country_name(code: str) -> str:
    """'United Kingdom' for 'GB' (also for a code no longer shipped to); the code itself
    for one CLDR does not know."""
    return _TERRITORIES.get(code) or code


# Deliverability is the mail server's question; this catches typos and junk.
EMAIL = Regexp(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", message="Please enter a valid email address.")
_PRINTABLE = Regexp(r"^[^\x00-\x1f\x7f<>]*$", message="Please remove special characters.")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


CHECKOUT_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_checkout_key() -> str:
    return secrets.token_urlsafe(24)


def _checkout_key(value: str | None) -> str:
    """The key as sent, or a new one for a form sent without a usable one (which then
    counts as a form of its own)."""
    return value if isinstance(value, str) and CHECKOUT_KEY.fullmatch(value) else new_checkout_key()


class CheckoutForm(FlaskForm):  # type: ignore[misc]
    # Random per form shown: the same form sent twice finds the order it made.
    checkout_key = HiddenField(default=new_checkout_key, filters=[_checkout_key])
    email = EmailField(
        "Email",
        filters=[_strip],
        validators=[InputRequired("Please enter your email address."), Length(max=254), EMAIL],
        description="For the receipt and news about your order.",
    )
    name = StringField(
        "Full name",
        filters=[_strip],
        validators=[InputRequired("Please enter your full name."), Length(max=200), _PRINTABLE],
    )
    line1 = StringField(
        "Address",
        filters=[_strip],
        validators=[
            InputRequired("Please enter your street address."),
            Length(max=200),
            _PRINTABLE,
        ],
    )
    line2 = StringField(
        "Address line 2 (optional)",
        filters=[_strip],
        validators=[Optional(), Length(max=200), _PRINTABLE],
    )
    postal_code = StringField(
        "Postal code",
        filters=[_strip],
        validators=[
            InputRequired("Please enter the postal code."),
            Length(min=2, max=20),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9 -]*$", message="Letters, digits, spaces, dashes."),
        ],
    )
    city = StringField(
        "City",
        filters=[_strip],
        validators=[InputRequired("Please enter the city."), Length(max=100), _PRINTABLE],
    )
    country = SelectField(
        "Country", choices=COUNTRIES, validators=[InputRequired("Please choose a country.")]
    )

    def contact(self) -> Contact:
        return Contact(
            email=self.email.data,
            name=self.name.data,
            line1=self.line1.data,
            line2=self.line2.data or None,
            city=self.city.data,
            postal_code=self.postal_code.data.upper(),
            country=self.country.data,
        )
