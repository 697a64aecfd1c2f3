"""The first page after log-in, one per role: for students and families, what waits for them
(finish the profile, answer a proposal by its deadline, meet on a day, give feedback, read new
messages), which static/frontend/js/dashboard.js refreshes when the notification stream says
something changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.formatting import day_label, moment_label
from accounts.models import RegistryRecord, Role, User
from accounts.registry.selectors import (
    APPROVED,
    CONFIRMED,
    RENEWAL_WINDOW_DAYS,
    person_status,
)
from accounts.selectors import profile_missing_fields, profile_of
from chat.selectors import unread_totals
from frontend.profile_steps import steps_for
from frontend.views.access import AuthedRequest, login_required
from frontend.views.profile import completeness
from matching.models import Program, Proposal
from matching.selectors import groups as group_selectors
from matching.selectors import programs as program_selectors
from matching.selectors import proposals as proposal_selectors
from matching.services import feedback as feedback_services


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.is_coordinator:
        # Coordinators start from their programmes (frontend.coordinator_urls).
        return redirect("frontend:coordinator:programs")
    profile = profile_of(user)
    missing = profile_missing_fields(profile, user.role)
    context: dict[str, Any] = {
        "completeness": completeness(user),
        "missing": missing,
        "steps": steps_for(user.role),
    }
    context.update(_matching_overview(user))
    context.update(_standing(user))
    context["next_steps"] = _next_steps(user, context)
    return render(request, "frontend/dashboard.html", context)


def _standing(user: User) -> dict[str, Any]:
    """The person's registry status, and whether the renewal window is open."""
    record = RegistryRecord.objects.filter(user=user).first()
    today = timezone.localdate()
    status = person_status(role=user.role, record=record, today=today)
    until = record.valid_until if record else None
    window = dt.timedelta(days=RENEWAL_WINDOW_DAYS)
    due = until is not None and status in (APPROVED, CONFIRMED) and until - today <= window
    return {"standing": status, "standing_until": until, "renewal_due": due}


def _matching_overview(user: User) -> dict[str, Any]:
    """Open programmes, proposals waiting for this user's answer, upcoming visits, and past
    visits still waiting for this user's feedback."""
    now = timezone.now()
    programs = [
        p
        for p in program_selectors.programs_visible_to(user=user)
        if p.status == Program.Status.OPEN and p.apply_until > now
    ]
    mine = list(proposal_selectors.proposals_for_user(user=user))
    today = timezone.localdate()
    waiting = [
        p
        for p in mine
        if proposal_selectors.side_of(proposal=p, user=user) in proposal_selectors.waiting_for(p)
    ]
    confirmed = [p for p in mine if p.status == Proposal.Status.CONFIRMED]
    # A weekly language exchange goes on after its first day: it stays among the visits.
    visits = [p for p in confirmed if p.date >= today or _is_exchange(p)]
    return {
        "open_programs": programs,
        "waiting_proposals": waiting,
        # Invitations to visit together waiting for this student's answer.
        "invitations": (
            group_selectors.invitations_waiting(user=user) if user.role == Role.STUDENT else []
        ),
        "upcoming_visits": visits,
        "feedback_due": feedback_services.feedback_waiting(proposals=mine, user=user, today=today),
    }


def _is_exchange(proposal: Proposal) -> bool:
    return proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE


def _who(proposal: Proposal, user: User) -> str:
    other = proposal_selectors.counterpart(proposal=proposal, viewer=user)
    return str(other.get("household_name") or other.get("name") or "")


def _next_steps(user: User, context: dict[str, Any]) -> list[dict[str, str]]:
    """What waits for the person, most urgent first: each a sentence and where to do it."""
    steps: list[dict[str, str]] = []
    for proposal in context["waiting_proposals"]:
        deadline = moment_label(proposal.deadline) if proposal.deadline else ""
        if proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
            text = _("Answer the language-exchange proposal with %(who)s by %(when)s") % {
                "who": _who(proposal, user),
                "when": deadline,
            }
        else:
            text = _("Answer the proposal for %(day)s with %(who)s by %(when)s") % {
                "day": day_label(proposal.date),
                "who": _who(proposal, user),
                "when": deadline,
            }
        steps.append({"kind": "answer", "text": text, "href": reverse("frontend:proposals")})
    for invitation in context["invitations"]:
        page = reverse("frontend:program_apply", kwargs={"program_id": invitation.program_id})
        steps.append(
            {
                "kind": "answer",
                "text": _(
                    "%(name)s asks you to visit together: answer the invitation (%(program)s)"
                )
                % {
                    "name": invitation.inviter.user.name,
                    "program": invitation.program.display_name,
                },
                "href": f"{page}#together",
            }
        )
    unread = unread_totals(user_ids=[user.pk])[user.pk]
    if unread:
        steps.append(
            {
                "kind": "messages",
                "text": ngettext("Read %(n)d new message", "Read %(n)d new messages", unread)
                % {"n": unread},
                "href": reverse("frontend:conversations"),
            }
        )
    for proposal in context["upcoming_visits"]:
        if _is_exchange(proposal):
            text = _("Plan your next meeting with %(who)s") % {"who": _who(proposal, user)}
        else:
            text = _("Meet %(who)s on %(day)s") % {
                "who": _who(proposal, user),
                "day": day_label(proposal.date),
            }
        href = reverse("frontend:visit", kwargs={"proposal_id": proposal.pk})
        steps.append({"kind": "meet", "text": text, "href": href})
    for proposal in context["feedback_due"]:
        if _is_exchange(proposal):
            text = _("Tell us how your language exchange with %(who)s is going") % {
                "who": _who(proposal, user)
            }
        else:
            text = _("Tell us how your visit on %(day)s went") % {"day": day_label(proposal.date)}
        href = reverse("frontend:visit", kwargs={"proposal_id": proposal.pk}) + "#feedback"
        steps.append({"kind": "feedback", "text": text, "href": href})
    if not context["completeness"]["complete"]:
        done = context["completeness"]
        steps.append(
            {
                "kind": "profile",
                "text": _("Finish your profile (%(done)d of %(total)d done)")
                % {"done": done["done"], "total": done["total"]},
                "href": reverse(
                    "frontend:profile_step", kwargs={"step": done["missing_steps"][0].slug}
                ),
            }
        )
    return steps
