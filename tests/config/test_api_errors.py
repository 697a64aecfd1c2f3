"""config.api's exception handler: each error a service raises has one answer, in API.md's
shapes, so no view translates errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import translation
from rest_framework.test import APIRequestFactory

from chat.services import ChatRefused
from config.api import exception_handler
from matching.services.proposals import (
    ProposalConflict,
    ProposalNotFound,
    RoundConflict,
    RoundNotFound,
)

pytestmark = pytest.mark.django_db


def _answer(exc: Exception) -> tuple[int, Any]:
    request = APIRequestFactory().post("/api/anything/")
    with translation.override("en"):
        response = exception_handler(exc, {"request": request, "view": None})
    assert response is not None
    return response.status_code, response.data


@pytest.mark.parametrize(
    ("exc", "status", "data"),
    [
        (ValidationError({"reason": ["Give a reason."]}), 400, {"reason": ["Give a reason."]}),
        (ValidationError("Closed."), 400, {"detail": "Closed."}),
        (PermissionDenied("Coordinators only."), 403, {"detail": "Coordinators only."}),
        (ObjectDoesNotExist(), 404, {"detail": "Not found."}),
        (ProposalNotFound(), 404, {"detail": "Not found."}),
        (RoundNotFound(), 404, {"detail": "Not found."}),
        (ProposalConflict("Already answered."), 409, {"detail": "Already answered."}),
        (RoundConflict("Not a draft."), 409, {"detail": "Not a draft."}),
        (ChatRefused("closed", "Closed."), 409, {"detail": "Closed.", "code": "closed"}),
        (
            ChatRefused("rate_limited", "Slow down."),
            429,
            {"detail": "Slow down. Expected available in 1 second."},
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_error_has_its_status_and_shape(exc: Exception, status: int, data: Any) -> None:
    assert _answer(exc) == (status, data)


def test_an_unexpected_error_is_left_to_propagate() -> None:
    request = APIRequestFactory().get("/api/anything/")
    assert exception_handler(RuntimeError("bug"), {"request": request, "view": None}) is None
