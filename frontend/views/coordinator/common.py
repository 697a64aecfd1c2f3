"""What every coordinator page shares: the access check, the logged-in coordinator,
service errors beside their fields, and the programme a page is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import Role, User
from matching.models import Program
from matching.selectors import programs as program_selectors

View = Callable[..., HttpResponse]


def coordinator_required(view: View) -> View:
    """Anonymous visitors go to the login page; logged-in non-coordinators get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.COORDINATOR:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def coordinator_of(request: HttpRequest) -> User:
    """The logged-in coordinator (``coordinator_required`` lets nobody else in)."""
    return cast(User, request.user)


def show_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put each message of a service's ValidationError beside the field it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def iso_days(values: list[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(value) for value in values]


def mark_accepting(program: Program) -> Program:
    """``program.accepting``: open and before ``apply_until`` (the status badge reads it), and
    ``program.days``: its dates as dates, for the locale's date format."""
    program.accepting = (  # type: ignore[attr-defined]
        program.status == Program.Status.OPEN and program.apply_until > timezone.now()
    )
    program.days = iso_days(program.dates)  # type: ignore[attr-defined]
    return program


def program_or_404(program_id: int) -> Program:
    return mark_accepting(program_selectors.program_get(program_id=program_id))
