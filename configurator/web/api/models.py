"""Request and response models of the JSON API: they validate what comes in (spectree
calls them before the view) and generate the OpenAPI document. Strict: JSON's own
types only (``"1"`` is no number, ``1`` is no boolean)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from pydantic import StrictFloat as PydanticStrictFloat
from pydantic_core import PydanticCustomError

from configurator.core.errors import ErrorCode, NextStep, text_fault


def _checked_text(value: str) -> str:
    fault = text_fault(value)
    if fault is not None:
        raise PydanticCustomError(ErrorCode.INVALID_TEXT.value, fault)
    return value


# NUL is refused (a PostgreSQL text column cannot hold it): the document says so too.
NO_NUL = "^[^\\u0000]*$"
Text = Annotated[str, AfterValidator(_checked_text), Field(json_schema_extra={"pattern": NO_NUL})]
Number = StrictInt | PydanticStrictFloat
ChoiceValue = Text | Number | list[Text] | None
Choices = Annotated[
    dict[str, ChoiceValue],
    Field(
        description=(
            "Attribute id to value, by kind: single, an option id or null; multi, a list "
            "of option ids; text, a string; number, a number or null. Left-out attributes "
            "are not chosen yet. Ids are the product's own: an unknown one answers 422 "
            "(field choices.<id>)."
        )
    ),
]


class RequestModel(BaseModel):
    model_config = ConfigDict(strict=True)


class ChoicesRequest(RequestModel):
    choices: Choices = Field(default_factory=dict)


class ConfigureRequest(ChoicesRequest):
    explain: StrictBool = Field(
        True, description="false leaves reasons out; ask /explain for one option."
    )
    changed: Text | None = Field(
        None, description="The attribute the shopper just changed; repairs keep it."
    )


class PreviewsRequest(ChoicesRequest):
    attribute: Text = Field(description="A single or multi attribute (others answer 422).")


class ExplainRequest(ChoicesRequest):
    attribute: Text
    option: Text | None = Field(None, description="For single and multi attributes.")
    value: Number | None = Field(None, description="For number attributes.")


class CompleteRequest(ChoicesRequest):
    strategy: Literal["surprise", "cheapest"] = Field(
        description="surprise: a random valid design; cheapest: the least dear."
    )


class MissingRequest(ChoicesRequest):
    pass


TITLE_MAX_LENGTH = 200


class DesignRequest(ChoicesRequest):
    product: Text = Field(description="Product slug.")
    title: Annotated[Text, Field(max_length=TITLE_MAX_LENGTH)] | None = None


class ConfirmRequest(RequestModel):
    payment_method: Text = Field(description="The PaymentMethod the card element made.")


# -- answers ---------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: ErrorCode
    message: str
    field: str | None = Field(examples=["choices.upper"])
    action: NextStep | None = Field(
        None, description="Checkout payment answers only: what the shopper can do next."
    )


class Error(BaseModel):
    """The one error envelope of every JSON answer."""

    error: ErrorDetail


class ProductSummary(BaseModel):
    slug: str
    name: str
    description: str
    currency: str | None = Field(description="ISO 4217")
    base_price: int | None = Field(description="Minor units.")
    version: int


class ProductList(BaseModel):
    products: list[ProductSummary]


class Option(BaseModel):
    id: str
    label: str
    price: int = Field(description="Minor units added when chosen.")
    swatch: str | None = None


class Attribute(BaseModel):
    id: str
    label: str
    kind: Literal["single", "multi", "text", "number"]
    required: bool
    default: Any = None
    options: list[Option] | None = None
    min: float | None = None
    max: float | None = None
    step: float | None = None
    max_length: int | None = None
    pattern: str | None = None


class ProductDetail(ProductSummary):
    attributes: list[Attribute]


class Reason(BaseModel):
    message: str
    rules: list[str] = Field(
        description="Rule ids; a rule without an id is named #N (1-based position)."
    )
    choices: list[str] = Field(description="Attributes whose current choice is part of the reason.")
    limits: list[str] | None = Field(
        None, description="Attributes whose own min/max/required take part."
    )


class OptionState(BaseModel):
    available: bool
    reason: Reason | None = None


class AttributeState(BaseModel):
    kind: Literal["single", "multi", "text", "number"]
    options: dict[str, OptionState] | None = None
    allowed: list[float] | None = None
    max_length: int | None = None
    pattern: str | None = None


class Repair(BaseModel):
    change: list[str]
    choices: Choices


class PriceLine(BaseModel):
    label: str
    amount: int
    formatted: str | None = Field(default=None, description="The amount as the shop writes it.")


class Price(BaseModel):
    currency: str
    amount: int = Field(description="Sum of the lines, minor units.")
    lines: list[PriceLine]
    formatted: str | None = Field(default=None, description="The amount as the shop writes it.")


class PreviewProblem(BaseModel):
    """A chosen text the picture cannot hold."""

    attribute: str
    message: str


class ConfigureResponse(BaseModel):
    product: str
    version: int
    consistent: bool = Field(description="Some valid configuration extends the choices.")
    complete: bool = Field(description="The choices are themselves a valid configuration.")
    attributes: dict[str, AttributeState]
    conflict: Reason | None
    repair: Repair | None
    price: Price
    preview: str | None = Field(
        description=(
            "Preview image URL; null when the configuration cannot be drawn (inconsistent, "
            "a text the picture cannot hold) or the picture is unavailable just now."
        )
    )
    preview_problem: PreviewProblem | None = None


class PreviewsResponse(BaseModel):
    previews: dict[str, str] = Field(
        description=(
            "Option id -> URL of the 800 px preview of the choices with that option picked "
            "(toggled, for a multi attribute). Only options still available are listed, "
            "never the one already chosen; empty when the product has no art. WebP unless "
            "the request's Accept takes images but not WebP (then JPEG)."
        )
    )


class CompleteResponse(BaseModel):
    choices: Choices = Field(
        description=(
            "A complete, valid configuration. Texts and numbers already chosen (a monogram, "
            "a size) are kept; every other choice may change."
        )
    )


class MissingResponse(BaseModel):
    missing: list[str] = Field(
        description=(
            "Attribute ids still to choose before the choices make a product: the required "
            "ones left unset, then those the rules ask for."
        )
    )


class Design(BaseModel):
    id: str = Field(description="Unguessable id.")
    url: str = Field(examples=["/d/2kR9c0xQm1aB7yZp"])
    product: str
    version: int = Field(description="The catalog version it pins.")
    choices: Choices
    config_hash: str = Field(description="sha256 of canonical choices.")
    title: str | None
    created_at: str = Field(json_schema_extra={"format": "date-time"})


class CardSetup(BaseModel):
    client_secret: str


class PaymentAttempt(BaseModel):
    status: str
    message: str | None
    client_secret: str | None
    order_url: str
    action: Literal["stop"] | None


class OrderStatus(BaseModel):
    status: str
    payment_status: str
    label: str


class WebhookReceipt(BaseModel):
    received: str = Field(description="The event id.")
    outcome: str
