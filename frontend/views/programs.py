"""Programmes open to the user, applying to one (through ``application_submit``), and a
student's "not alone" wish changed afterwards (``application_update``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.selectors import profile_is_complete, reference_labels, weekly_slot_labels
from frontend.program_forms import ApplyForm, GroupInviteForm, NotAloneForm
from frontend.views.access import AuthedRequest, member_required, student_required
from frontend.views.coordinator.common import service_errors
from matching.models import Application, Program
from matching.selectors import groups as group_selectors
from matching.selectors import programs as program_selectors
from matching.services import programs as program_services

# Service errors that are about the programme or the profile, not one field of the form.
APPLY_ERROR_MAP: dict[str, str | None] = {
    "program": None,
    "apply_until": None,
    "profile": None,
}


def _mine(program: Program) -> Application | None:
    """The caller's application, attached by ``programs_visible_to``."""
    mine: list[Application] = getattr(program, "my_applications", [])
    return mine[0] if mine else None


def _accepting(program: Program) -> bool:
    return program.status == Program.Status.OPEN and program.apply_until > timezone.now()


def _together(user: User, program: Program, application: Application | None) -> dict[str, Any]:
    """The visiting-together part of a student's application: their live request (pending or
    confirmed) seen from their side, or the invitation form while they may still invite."""
    if (
        application is None
        or user.role != Role.STUDENT
        or program.kind != Program.Kind.HOME_VISIT
        or application.status != Application.Status.ACTIVE
    ):
        return {}
    live = group_selectors.live_group_request(user=user, program_id=program.pk)
    if live is None:
        still_open = program.status == Program.Status.OPEN
        return {"together": True, "invite_form": GroupInviteForm() if still_open else None}
    sent = live.inviter.user_id == user.pk
    partner = live.invitee.user if sent else live.inviter.user
    return {"together": True, "group": live, "group_sent": sent, "group_partner": partner}


def _not_alone(user: User, program: Program, application: Application | None) -> dict[str, Any]:
    """The "not alone" part of a student's home-visit application: the form to change it
    while ``application_change_refusal`` allows it, or nothing (the page shows the wish)."""
    if (
        application is None
        or program_selectors.not_alone_misfit(program, user.role)
        or program_selectors.application_change_refusal(application=application)
    ):
        return {}
    return {"not_alone_form": NotAloneForm(initial={"not_alone": application.not_alone})}


@member_required
def program_list(request: AuthedRequest) -> HttpResponse:
    rows = [
        {
            "program": program,
            "application": _mine(program),
            "accepting": _accepting(program),
        }
        for program in program_selectors.programs_visible_to(user=request.user)
    ]
    return render(
        request,
        "frontend/programs/list.html",
        {"rows": rows, "profile_complete": profile_is_complete(request.user)},
    )


@member_required
def program_apply(request: AuthedRequest, program_id: int) -> HttpResponse:
    program = program_selectors.program_get_visible(user=request.user, program_id=program_id)
    application = _mine(program)
    form = None
    # Until the address is confirmed the page says so (base.html offers the link again).
    if application is None and _accepting(program) and request.user.email_verified:
        form = ApplyForm(
            request.POST if request.method == "POST" else None, program=program, user=request.user
        )
        if request.method == "POST" and form.is_valid():
            with service_errors(form, field_map=APPLY_ERROR_MAP) as outcome:
                program_services.application_submit(
                    program=program, user=request.user, **form.service_kwargs()
                )
            if outcome.ok:
                messages.success(
                    request,
                    _("Thank you! Your application is in. We will tell you when there is a match."),
                )
                return redirect("frontend:program_apply", program_id=program.pk)
    names = reference_labels(kinds=("languages",))["languages"] if application else {}
    together = _together(request.user, program, application)
    not_alone = _not_alone(request.user, program, application)
    return render(
        request,
        "frontend/programs/detail.html",
        {
            "program": program,
            "application": application,
            "time_slots": weekly_slot_labels(application.time_slots) if application else [],
            # Language names in the reader's language, not codes.
            "teaches": [names.get(c, c) for c in application.teaches or []] if application else [],
            "learns": [names.get(c, c) for c in application.learns or []] if application else [],
            "form": form,
            "accepting": _accepting(program),
            "days_over": program_selectors.program_days_over(program),
            "profile_complete": profile_is_complete(request.user),
            **together,
            **not_alone,
        },
    )


@member_required
@require_POST
def program_withdraw(request: AuthedRequest, program_id: int) -> HttpResponse:
    program = program_selectors.program_get_visible(user=request.user, program_id=program_id)
    application = _mine(program)
    if application is None:
        return redirect("frontend:program_apply", program_id=program.pk)
    with service_errors(request=request) as outcome:
        program_services.application_withdraw(application=application, by=request.user)
    if outcome.ok:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("frontend:program_apply", program_id=program.pk)


@student_required
@require_POST
def program_not_alone(request: AuthedRequest, program_id: int) -> HttpResponse:
    program = program_selectors.program_get_visible(user=request.user, program_id=program_id)
    application = _mine(program)
    back = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    if application is None:
        return redirect(back)
    form = NotAloneForm(request.POST)
    # A checkbox: the form is always valid, unticked (or absent) meaning off.
    form.is_valid()
    wanted = bool(form.cleaned_data.get("not_alone"))
    with service_errors(request=request) as outcome:
        program_services.application_update(
            application=application, by=request.user, not_alone=wanted
        )
    if outcome.ok:
        messages.success(
            request,
            _("Saved: you are placed only where another student visits the same family.")
            if wanted
            else _("Saved: you may also be placed as the only student of a family."),
        )
    return redirect(back + "#not-alone")
