"""API-wide glue: the one exception handler (every error a JSON object in API.md's shapes),
the fields the apps' serializers share for codes, the throttles and the schema hooks."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from redis.exceptions import RedisError
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from accounts.audit import access_refused
from accounts.selectors import reference_codes

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"


def _as_api_exception(exc: Exception) -> Exception:
    """The DRF exception that answers a service's error, or ``exc`` itself.

    Services raise Django's ``ValidationError`` (they do not know DRF), a missing row's
    ``DoesNotExist`` or a domain error; each has one answer here, so no view translates them."""
    # Imported here: config wires the apps, and importing config.api (every app's views do)
    # must not make accounts import matching and chat.
    from chat.services import ChatRefused
    from matching.services.proposals import (
        ProposalConflict,
        ProposalNotFound,
        RoundConflict,
        RoundNotFound,
    )

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data: Any = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            data = {"detail": " ".join(str(m) for m in exc.messages)}
        return exceptions.ValidationError(data)
    if isinstance(exc, ObjectDoesNotExist | ProposalNotFound | RoundNotFound):
        return exceptions.NotFound()
    if isinstance(exc, ProposalConflict | RoundConflict):
        return Conflict(str(exc))
    if isinstance(exc, ChatRefused):
        if exc.code == "rate_limited":
            return exceptions.Throttled(wait=1, detail=exc.detail)
        # The code lets a client tell a closed conversation from a blocked one.
        return Conflict(detail={"detail": exc.detail, "code": exc.code})
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error of the API as API.md has it: ``{"field": ["message"]}`` or
    ``{"detail": ...}``, 400 for bad input, 403 when refused, 404 for a missing (or hidden)
    object, 409 when the object's state forbids the action; refusals are audited."""
    # rest_framework.views reads DEFAULT_THROTTLE_CLASSES, defined in this module, on import.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(_as_api_exception(exc), context)
    if response is not None and response.status_code in (401, 403):
        request = context.get("request")
        user = getattr(request, "user", None)
        access_refused(
            user_id=user.pk if user is not None and user.is_authenticated else None,
            path=request.path if request is not None else "",
            status=response.status_code,
        )
    return response


def _release_renderer_context(response: Any) -> None:
    # It holds the view, the request and the response itself; rendering was its last use.
    response.renderer_context = None


if TYPE_CHECKING:
    from rest_framework.views import APIView as _ViewBase
else:
    # rest_framework.views imports this module (its throttles below) while it defines APIView.
    _ViewBase = object


class ApiViewMixin(_ViewBase):
    """What every Engawa API view adds to DRF's ``APIView``.

    - It answers in the account's language. Token clients are only known after DRF's
      authentication, which runs after every middleware, hence ``initial``.
    - It leaves no reference cycle behind. DRF keeps the view in the request's
      ``parser_context`` and the response in its own ``renderer_context``, and Django's
      ``View.setup`` aliases HEAD to GET on the instance (a bound method of the view, kept on
      the view). Only the garbage collector frees such cycles, in pauses that grow with the
      requests in flight; dropped once used, reference counting frees them as the request
      ends.
    """

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user = request.user
        if user is not None and user.is_authenticated:
            translation.activate(user.preferred_language)
            request._request.LANGUAGE_CODE = user.preferred_language

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().dispatch(request, *args, **kwargs)
        vars(self).pop("head", None)
        # After dispatch self.request is DRF's request, whose body has been parsed if it will be.
        self.request.parser_context = {}
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(_release_renderer_context)
        return response


class _CountedInRedis(SimpleRateThrottle):
    """DRF's throttles count in the cache (Redis in production). When it cannot be reached the
    request goes through and the outage is logged: the limiter must not turn an outage of its
    counter into an error on every write. Log-in guessing stays limited by django-axes, which
    counts in the database."""

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))
        except RedisError:
            logger.warning("rate limit not checked: the cache is unreachable", exc_info=True)
            return True


class WriteRateThrottle(_CountedInRedis, UserRateThrottle):
    """Every API write (POST, PUT, PATCH, DELETE) counts against the user's "writes" rate;
    reads are not limited here. Anonymous writes are keyed by address."""

    scope = "writes"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class AuthRateThrottle(_CountedInRedis, ScopedRateThrottle):
    """The ``throttle_scope`` rate of a view (registration, tokens), keyed by user or address."""


@extend_schema_field(OpenApiTypes.STR)
class ReferenceCode(serializers.ChoiceField):
    """A code of a reference table, named as in ``accounts.selectors.ReferenceCodes``
    (``languages``, ``stations``, ``diets``, ``food_allergens``, ``allergens``, ``interests``).

    The codes are rows, read when a value is checked (once per process), not when the schema
    is built: ``GET /api/reference/`` lists them."""

    def __init__(self, *, table: str, **kwargs: Any) -> None:
        self.table = table
        super().__init__(choices=[], **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        self.choices = sorted(getattr(reference_codes(), self.table))
        return super().to_internal_value(data)


# A bound on the work one body can cost: no list of codes is longer in real use.
MAX_CODES = 30


class CodeList(serializers.ListField):
    """A list of codes, each one of the child's choices.

    Every bad code is named in the field's one list of messages (``{"field": ["..."]}``, as
    API.md has every error), not under its position in the list."""

    def __init__(self, *, child: serializers.ChoiceField, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_CODES)
        super().__init__(child=child, **kwargs)

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        result: list[Any] = []
        errors: list[Any] = []
        for item in data:
            try:
                result.append(self.child.run_validation(item))
            except exceptions.ValidationError as exc:
                errors.extend(exc.detail if isinstance(exc.detail, list) else [exc.detail])
        if errors:
            raise exceptions.ValidationError(errors)
        return result


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_ERRORS = {"type": "object", "additionalProperties": True}
_ANSWERS_EVERYWHERE = {
    "401": "Not authenticated: no valid token or session.",
    "403": "This role may not use this endpoint.",
}
_ANSWERS_TO_WRITES = {
    "400": "Malformed JSON or a field error (the field is named).",
    "429": "Too many requests: a rate limit was reached.",
}


# A student's or a host's profile, read or written: the caller's role decides which. The two
# shapes share most fields and require none, so a body such as {"bio": "..."} fits both.
_EITHER_ROLE = ("Profile", "ProfileInputRequest", "PatchedProfileInputRequest")


def schema_postprocess(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Document the answers every operation can give (401/403 from authentication and
    permissions, 400 and 429 on writes, 404 where the path names an object), so that clients
    and the fuzzing test see the real contract; and let a profile, read or written, match
    either role's shape (``oneOf`` would refuse every body that fits both)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Detail", _DETAIL)
    schemas.setdefault("Errors", _ERRORS)
    detail = {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}
    # A 400 names the fields ({"field": ["..."]}) or carries "detail".
    errors = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            extra = dict(_ANSWERS_EVERYWHERE)
            if method in ("post", "put", "patch", "delete"):
                extra.update(_ANSWERS_TO_WRITES)
            if "{" in path:
                extra["404"] = "Not found, or not yours (the same answer)."
            for status, description in extra.items():
                if status not in responses:
                    content = errors if status == "400" else detail
                    responses[status] = {"description": description, "content": content}
    for name in _EITHER_ROLE:
        either = schemas.get(name)
        if either is not None and "oneOf" in either:
            either["anyOf"] = either.pop("oneOf")
    return result


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A path under /api/ that matches no route answers JSON like every other API error
    (API.md: JSON everywhere); the pages keep their own 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
