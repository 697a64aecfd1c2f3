"""Log-in lock-outs (django-axes calls these): what axes counts failures by, what it reads as
the login name, and what a locked-out attempt gets back."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
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


def lockout_parameters(request: Any, credentials: dict[str, Any] | None) -> list[str]:
    """What axes counts failures by (``AXES_LOCKOUT_PARAMETERS``): the account, from
    anywhere; and the address as well once it failed ``LOGIN_ADDRESS_FAILURE_LIMIT`` times,
    on any accounts, within the cool-off.

    So a few strangers mistyping on one campus network lock only their own accounts, while an
    address that sprays guesses over many accounts is stopped at the higher limit. Axes also
    calls this with an attempt row (when it resets or expires one): the account alone then."""
    address = getattr(request, "axes_ip_address", None)
    if not isinstance(request, HttpRequest) or not address:
        return ["username"]
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        attempts = attempts.filter(attempt_time__gte=now - cool_off)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    if (failures or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return ["username", "ip_address"]
    return ["username"]
