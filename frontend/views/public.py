"""Pages for everyone: the landing page, sign-up, log-in/out and the language switch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts.languages import CODES, supported
from accounts.models import ReadingAid
from accounts.services import user_register, user_update
from frontend.forms import LoginForm, SignupForm
from frontend.views.coordinator.common import service_errors


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("frontend:dashboard")
    return render(request, "frontend/home.html")


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("frontend:dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            user = user_register(**form.service_kwargs(), preferred_language=_current_language())
        if outcome.ok:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to Engawa! Let us start with your profile, step by step.")
            )
            return redirect("frontend:profile")
    return render(request, "frontend/signup.html", {"form": form})


class EngawaLoginView(LoginView):
    template_name = "frontend/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language: remembered on the account when logged in (so every device and
    every e-mail follows it), and in Django's language cookie for everyone."""
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in CODES:
        user_update(user=request.user, preferred_language=code)
    return django_set_language(request)


@require_POST
def set_reading_aid(request: HttpRequest) -> HttpResponse:
    """Furigana, romaji or neither over people's Japanese, remembered on the account; back to
    the page it was chosen on. An unknown choice changes nothing."""
    if not request.user.is_authenticated:
        return redirect("frontend:login")
    aid = request.POST.get("aid", "")
    if aid in ReadingAid.values:
        user_update(user=request.user, reading_aid=aid)
    return redirect(_safe_next(request))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else "/"


def _current_language() -> str:
    return supported(translation.get_language())


# The API's Swagger page, split: its start-up script is served as a file and its frame style
# comes from our static files, because the site's CSP refuses inline script and style.
api_docs = SpectacularSwaggerSplitView.as_view(
    url_name="schema", template_name="frontend/api/docs.html"
)
