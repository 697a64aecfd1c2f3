"""The account's own pages: changing the password, and confirming the e-mail address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import password_change
from accounts.verification import email_verification_request, email_verify
from frontend.forms import PasswordChangeForm
from frontend.views.access import AuthedRequest, login_required
from frontend.views.coordinator.common import service_errors


@login_required
def password(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        if outcome.ok:
            # Every other session, token and socket of the account ends; this session stays.
            update_session_auth_hash(request, request.user)
            messages.success(
                request,
                _("Your password is changed. You were logged out everywhere else."),
            )
            return redirect("frontend:dashboard")
    return render(request, "frontend/profile/password.html", {"form": form})


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the verification e-mail; no log-in needed (it may open on another device)."""
    try:
        email_verify(token=token)
    except ValidationError as exc:
        return render(
            request,
            "frontend/auth/email_verify_failed.html",
            {"reasons": exc.messages},
            status=400,
        )
    messages.success(request, _("Thank you: your e-mail address is confirmed."))
    return redirect("frontend:dashboard" if request.user.is_authenticated else "frontend:login")


@login_required
@require_POST
def email_resend(request: AuthedRequest) -> HttpResponse:
    with service_errors(request=request) as outcome:
        email_verification_request(user=request.user)
    if outcome.ok:
        messages.success(
            request,
            _("We sent a new link to %(email)s. It may take a few minutes to arrive.")
            % {"email": request.user.email},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    return redirect(back or "frontend:dashboard")
