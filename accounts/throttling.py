"""What a locked-out login attempt gets back (django-axes calls this)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    message = _("Too many failed log-in attempts. Please try again in 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    # Rendered here: axes returns this from its middleware, where nothing renders it later.
    response = TemplateResponse(
        request, "frontend/locked_out.html", {"message": message}, status=429
    )
    return response.render()


def username_from_credentials(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Axes keys lockouts by the login name: the API sends ``email``, the admin ``username``."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("email") or request.POST.get("username")
    return str(value or "").strip().lower()
