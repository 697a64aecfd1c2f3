"""A student's or a family's own registration: their standing, a school to pick (students),
and renewal in one step (the services of ``/api/me/renewal/`` and ``/api/me/school/``)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import RegistryRecord, Role
from accounts.registry import selectors as registry
from accounts.registry import services as registry_services
from frontend.views.access import AuthedRequest, member_required
from frontend.views.coordinator.common import service_errors


class SchoolForm(forms.Form):
    school = forms.TypedChoiceField(label=gettext_lazy("Your school"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["school"]).choices = [
            ("", _("Choose your school")),
            *((s.pk, s.label()) for s in registry.partner_schools()),
        ]


def _page(
    request: AuthedRequest, *, status: int = 200, school_form: SchoolForm | None = None
) -> HttpResponse:
    user = request.user
    record = RegistryRecord.objects.filter(user=user).select_related("school").first()
    person = registry.person_of(user_id=user.pk)
    standing = person.status if person else registry.PENDING
    if school_form is None:
        school_form = SchoolForm(initial={"school": record.school_id if record else None})
    context = {
        "record": record,
        "person": person,
        "standing": standing,
        "standing_label": registry.STATUS_LABELS[standing],
        "school_form": school_form,
        # A family renews once approved (a lapsed check is told on submit); a student once a
        # school is chosen.
        "can_renew": (
            standing in (registry.APPROVED, registry.EXPIRED)
            if user.role == Role.HOST
            else bool(record and record.school_id)
        ),
    }
    return render(request, "frontend/registration.html", context, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def registration(request: AuthedRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    action = request.POST.get("action")
    if action == "school":
        form = SchoolForm(request.POST)
        if form.is_valid():
            with service_errors(form) as outcome:
                record = registry_services.student_school_choose(
                    user=request.user, school_id=form.cleaned_data["school"]
                )
            if outcome.ok:
                if record.confirmed_via == RegistryRecord.ConfirmedVia.DOMAIN:
                    messages.success(request, _("Your school's address confirms you: welcome!"))
                else:
                    messages.success(
                        request, _("Thank you. The association will confirm your enrolment.")
                    )
                return redirect("frontend:registration")
            if outcome.refused:
                messages.error(request, outcome.refused)
        return _page(request, status=400, school_form=form)
    if action == "renew":
        unchanged = request.POST.get("unchanged") != "no"
        with service_errors(request=request) as outcome:
            record = registry_services.renewal_submit(user=request.user, unchanged=unchanged)
        if outcome.ok:
            if record.renewal_requested_at is not None:
                messages.success(request, _("Thank you. The association will confirm you again."))
            else:
                messages.success(request, _("Renewed. Thank you for staying with us!"))
            return redirect("frontend:registration")
        messages.error(request, outcome.refused)
        return _page(request, status=409)
    messages.error(request, _("Choose what to do."))
    return _page(request, status=400)
