"""Who may open which page: one decorator per audience, used by every view module."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Role, User

View = Callable[..., HttpResponse]


class AuthedRequest(HttpRequest):
    """A request the decorators below let through: its user is a real account."""

    user: User


def member_required(view: View) -> View:
    """Students and host families only: anonymous visitors go to the log-in page, a
    coordinator gets 403 (their pages are elsewhere)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role not in (Role.STUDENT, Role.HOST):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def login_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def student_required(view: View) -> View:
    """Students only: anonymous visitors go to the log-in page, anyone else gets 403 (before
    any object is looked up, so the answer never tells whether it exists)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.STUDENT:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
