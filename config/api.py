"""API-wide glue: the one exception handler (every error a JSON object in API.md's shapes)
and the schema hooks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import access_refused
from accounts.registry.services import RegistryConflict


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
    from matching.services.groups import GroupConflict
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
    if isinstance(exc, ProposalConflict | RoundConflict | RegistryConflict | GroupConflict):
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


class ApiViewMixin(APIView):
    """Every Engawa API view answers in the account's language. Token clients are only known
    after DRF's authentication, which runs after every middleware, hence ``initial``."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user = request.user
        if user is not None and user.is_authenticated:
            translation.activate(user.preferred_language)
            request._request.LANGUAGE_CODE = user.preferred_language


def refuse_unknown_fields(request: Request, input_class: type[serializers.Serializer[Any]]) -> None:
    """A field the endpoint does not know is a 400 naming it: a typo, or an attempt to set
    what may not be set (a role, an e-mail), must not pass silently."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"detail": _("Send a JSON object.")})
    unknown = sorted(set(request.data) - set(input_class().fields))
    if unknown:
        raise exceptions.ValidationError({f: [_("Not a field you can set here.")] for f in unknown})


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
    "413": "The body is larger than the server accepts.",
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
