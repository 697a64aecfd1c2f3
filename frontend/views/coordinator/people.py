"""The registry for coordinators: everyone's standing, a person's checks, recording a check,
suspending a family, confirming a student (the same services as ``/api/people/``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.registry import selectors as registry
from accounts.registry import services as registry_services
from accounts.registry.models import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    service_errors,
)

PER_PAGE = 50
STATUS_FILTERS = (
    registry.PENDING,
    registry.APPROVED,
    registry.CONFIRMED,
    registry.EXPIRED,
    registry.SUSPENDED,
)


class CheckForm(forms.Form):
    check = forms.ChoiceField(label=gettext_lazy("Check"))
    done_on = forms.DateField(
        label=gettext_lazy("Done on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=gettext_lazy("Only coordinators read it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        checks = [(c.code, c.label()) for c in registry.vetting_checks()]
        cast(forms.ChoiceField, self.fields["check"]).choices = checks
        self.fields["done_on"].initial = timezone.localdate()


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why suspend this family"),
        help_text=gettext_lazy(
            "Only coordinators read it; the other sides of cancelled visits are not told why."
        ),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@coordinator_required
def people(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    rows = registry.people(
        role=role if role in (Role.STUDENT, Role.HOST) else None,
        status=status if status in STATUS_FILTERS else None,
        query=query,
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items = [
        {
            "user": user,
            "record": getattr(user, "registry", None),
            "status": registry.person_status(
                role=user.role, record=getattr(user, "registry", None), today=today
            ),
        }
        for user in page
    ]
    context = {
        "items": items,
        "page": page,
        "role": role,
        "status": status,
        "query": query,
        "status_choices": [(s, registry.STATUS_LABELS[s]) for s in STATUS_FILTERS],
    }
    return render(request, "frontend/coordinator/people.html", context)


def _person_page(
    request: HttpRequest,
    user_id: int,
    *,
    status: int = 200,
    check_form: CheckForm | None = None,
    suspend_form: SuspendForm | None = None,
) -> HttpResponse:
    person = registry.person_of(user_id=user_id)
    if person is None:
        raise Http404
    context = {
        "person": person,
        "status_label": registry.STATUS_LABELS[person.status],
        "check_form": check_form or CheckForm(),
        "suspend_form": suspend_form or SuspendForm(),
    }
    return render(request, "frontend/coordinator/person.html", context, status=status)


@coordinator_required
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    return _person_page(request, user_id)


@coordinator_required
@require_POST
def person_check(request: HttpRequest, user_id: int) -> HttpResponse:
    form = CheckForm(request.POST)
    if form.is_valid():
        with service_errors(form) as outcome:
            registry_services.check_record(
                user_id=user_id,
                check=form.cleaned_data["check"],
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
                by=coordinator_of(request),
            )
        if outcome.ok:
            messages.success(request, _("The check is recorded."))
            return redirect("frontend:coordinator:person", user_id=user_id)
        if outcome.refused:
            messages.error(request, outcome.refused)
    return _person_page(request, user_id, status=400, check_form=form)


@coordinator_required
@require_POST
def person_suspend(request: HttpRequest, user_id: int) -> HttpResponse:
    form = SuspendForm(request.POST)
    if form.is_valid():
        with service_errors(form) as outcome:
            registry_services.person_suspend(
                user_id=user_id, reason=form.cleaned_data["reason"], by=coordinator_of(request)
            )
        if outcome.ok:
            messages.success(
                request, _("The family is suspended; its open proposals are cancelled.")
            )
            return redirect("frontend:coordinator:person", user_id=user_id)
        if outcome.refused:
            messages.error(request, outcome.refused)
    return _person_page(request, user_id, status=400, suspend_form=form)


def _act(request: HttpRequest, user_id: int, act: Callable[[], object], done: str) -> HttpResponse:
    """Run a one-button act on the person's page; its refusal is shown there."""
    with service_errors(request=request) as outcome:
        act()
    if outcome.ok:
        messages.success(request, done)
    elif outcome.refused:
        messages.error(request, outcome.refused)
    return redirect("frontend:coordinator:person", user_id=user_id)


@coordinator_required
@require_POST
def person_reinstate(request: HttpRequest, user_id: int) -> HttpResponse:
    by = coordinator_of(request)
    return _act(
        request,
        user_id,
        lambda: registry_services.person_reinstate(user_id=user_id, by=by),
        _("The suspension is lifted."),
    )


@coordinator_required
@require_POST
def person_confirm(request: HttpRequest, user_id: int) -> HttpResponse:
    by = coordinator_of(request)
    return _act(
        request,
        user_id,
        lambda: registry_services.student_confirm(user_id=user_id, by=by),
        _("The student is confirmed for this academic year."),
    )
