"""GET /previews/<hash>.<size>.<ext>: immutable, content-addressed images."""

from __future__ import annotations

import re

from flask import request
from werkzeug.wrappers import Response

from configurator.core.errors import ApiError, ErrorCode, error_response
from configurator.domain.rendering import ArtError, PreviewError, StoreUnavailable
from configurator.modules.previews.services import CACHE_CONTROL, FORMATS, SIZES, preview_image
from configurator.web.previews import preview_blueprint

NAME = re.compile(r"[0-9a-f]{64}")
RETRY_AFTER_SECONDS = 60


@preview_blueprint.get("/previews/<name>.<size>.<ext>")
def preview(name: str, size: str, ext: str) -> Response:
    if not NAME.fullmatch(name) or size not in SIZES or ext not in FORMATS:
        raise ApiError(404, ErrorCode.UNKNOWN_PREVIEW, "There is no such preview.")
    try:
        found = preview_image(name, size, ext)
    except (ArtError, StoreUnavailable):
        # The shop's fault, logged once where it was met; the shopper may try again later.
        unavailable = error_response(
            503, ErrorCode.PREVIEW_UNAVAILABLE, "This picture cannot be drawn just now."
        )
        unavailable.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return unavailable
    except PreviewError as error:
        field = f"choices.{error.attribute}" if error.attribute else None
        raise ApiError(422, ErrorCode.PREVIEW_TEXT, str(error), field) from None
    if found is None:
        raise ApiError(404, ErrorCode.UNKNOWN_PREVIEW, "There is no such preview.")
    data, content_type = found
    response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(f"{name}.{size}.{ext}")
    return response.make_conditional(request)
