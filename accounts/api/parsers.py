"""The API's JSON parser: DRF's, answering 400 or 413 where DRF's lets an exception through."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, renderers, status
from rest_framework.exceptions import APIException, ParseError


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class JSONParser(parsers.BaseParser):
    """DRF's JSON parsing, with two answers of its own: a body nested deeper than Python's
    recursion limit is a 400, not a RecursionError (500); one over DATA_UPLOAD_MAX_MEMORY_SIZE
    a JSON 413. Not a subclass of DRF's JSONParser on purpose: DRF reads a JSONParser's body
    through Django's ``request.body``, whose size error becomes Django's HTML 400 page."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestTooLarge()
        try:
            return parsers.JSONParser().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
