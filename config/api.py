"""API-wide glue: the exception handler that keeps every error a JSON object."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.audit import access_refused


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn a Django ``ValidationError`` raised by a service into a 400 naming its fields.

    Services validate with Django's exception (they do not know DRF); the API answers with
    DRF's shape: ``{"field": ["message"]}`` or ``{"detail": "..."}``.
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data: Any = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            data = {"detail": " ".join(str(m) for m in exc.messages)}
        exc = exceptions.ValidationError(data)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code in (401, 403):
        request = context.get("request")
        user = getattr(request, "user", None)
        access_refused(
            user_id=user.pk if user is not None and user.is_authenticated else None,
            path=request.path if request is not None else "",
            status=response.status_code,
        )
    return response


class UserLanguageMixin:
    """Answer an API client in its account's language. Token clients are only known after
    DRF's authentication, which runs after every middleware, hence this hook."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        user = request.user
        if user is not None and user.is_authenticated:
            translation.activate(user.preferred_language)
            request._request.LANGUAGE_CODE = user.preferred_language


class WriteRateThrottle(UserRateThrottle):
    """Every API write (POST, PUT, PATCH, DELETE) counts against the user's "writes" rate;
    reads are not limited here. Anonymous writes are keyed by address."""

    scope = "writes"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
