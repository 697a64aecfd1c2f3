"""Visiting together, on the programme's page: invite a friend or sibling, confirm or decline
an invitation, end a group (through ``matching.services.groups``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontend.program_forms import GroupInviteForm
from frontend.views.access import AuthedRequest, student_required
from frontend.views.coordinator.common import service_errors
from matching.models import GroupRequest
from matching.selectors import groups as group_selectors
from matching.selectors import programs as program_selectors
from matching.services import groups as group_services


def _back(program_id: int) -> HttpResponse:
    return redirect(
        reverse("frontend:program_apply", kwargs={"program_id": program_id}) + "#together"
    )


@student_required
@require_POST
def group_invite(request: AuthedRequest, program_id: int) -> HttpResponse:
    program = program_selectors.program_get_visible(user=request.user, program_id=program_id)
    form = GroupInviteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(program.pk)
    with service_errors(request=request) as outcome:
        created = group_services.group_request_create(
            program=program, by=request.user, **form.service_kwargs()
        )
    if outcome.ok:
        messages.success(
            request,
            _("Invitation sent to %(name)s. We will tell you when they answer.")
            % {"name": created.invitee.user.name},
        )
    return _back(program.pk)


def _request_or_404(request: AuthedRequest, request_id: int) -> GroupRequest:
    found = group_selectors.group_request_of(user=request.user, request_id=request_id)
    if found is None:
        raise Http404
    return found


@student_required
@require_POST
def group_confirm(request: AuthedRequest, request_id: int) -> HttpResponse:
    found = _request_or_404(request, request_id)
    with service_errors(request=request) as outcome:
        group_services.group_request_confirm(request_id=found.pk, by=request.user)
    if outcome.ok:
        messages.success(
            request,
            _("You visit together with %(name)s: the same family, on the same day.")
            % {"name": found.inviter.user.name},
        )
    elif outcome.refused:
        messages.error(request, outcome.refused)
    return _back(found.program_id)


@student_required
@require_POST
def group_decline(request: AuthedRequest, request_id: int) -> HttpResponse:
    found = _request_or_404(request, request_id)
    with service_errors(request=request) as outcome:
        group_services.group_request_decline(request_id=found.pk, by=request.user)
    if outcome.ok:
        messages.success(request, _("Done: you will be placed on your own."))
    elif outcome.refused:
        messages.error(request, outcome.refused)
    return _back(found.program_id)
