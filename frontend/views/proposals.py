"""My proposals (answer them) and my visits (confirmed proposals: details, calendar file,
feedback), through matching's proposal services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import LanguageLevel, Pet, User
from accounts.selectors import reference_labels
from frontend.proposal_forms import DeclineForm, FeedbackForm
from frontend.views.access import AuthedRequest, member_required
from frontend.views.coordinator.common import service_errors
from matching.models import Proposal
from matching.notifications import visit_ics
from matching.selectors import proposals as proposal_selectors
from matching.services import feedback as feedback_services
from matching.services import proposals as proposal_services


def _proposal_or_404(request: AuthedRequest, proposal_id: int) -> Proposal:
    proposal = proposal_selectors.proposal_for_party(proposal_id=proposal_id, user=request.user)
    if proposal is None:
        raise Http404
    return proposal


class _Labels:
    """Reference codes to names in the active language, read once per page."""

    def __init__(self) -> None:
        names = reference_labels(kinds=("languages", "diets", "allergens", "interests"))
        self.languages = names["languages"]
        self.diets = names["diets"]
        self.allergens = names["allergens"]
        self.interests = names["interests"]
        self.levels = {value: str(label) for value, label in LanguageLevel.choices}
        self.pets = {value: str(label) for value, label in Pet.choices}

    def spoken(self, rows: list[dict[str, str]]) -> str:
        return ", ".join(
            f"{self.languages.get(r.get('code', ''), r.get('code', ''))}"
            f" ({self.levels.get(r.get('level', ''), r.get('level', ''))})"
            for r in rows or []
        )

    @staticmethod
    def names(codes: list[str], table: dict[str, str]) -> str:
        return ", ".join(table.get(code, code) for code in codes or [])


# A family's facts and a student's needs, as the other side reads them (empty ones left out).
_HOME_FACTS = (
    ("easy_japanese", gettext_lazy("speaks slowly, in easy Japanese")),
    ("step_free", gettext_lazy("step-free access")),
    ("alcohol_free", gettext_lazy("no alcohol at home")),
    ("prayer_space", gettext_lazy("a quiet space for prayer")),
    ("needs_step_free", gettext_lazy("step-free access")),
    ("needs_alcohol_free", gettext_lazy("a home without alcohol")),
    ("needs_prayer_space", gettext_lazy("a quiet space for prayer")),
)


def _home_facts(data: dict[str, Any]) -> str:
    return ", ".join(str(label) for key, label in _HOME_FACTS if data.get(key))


def _counterpart_facts(data: dict[str, Any], labels: _Labels) -> list[tuple[str, str]]:
    """The other side (as ``counterpart`` lets the viewer see it) as label/value pairs."""
    facts: list[tuple[str, str]] = []
    if "household_name" in data:
        station = data.get("station") or {}
        facts += [
            (_("Family"), data.get("household_name") or ""),
            (_("Nearest station"), station.get("name", "")),
            (_("People at home"), str(data.get("household_size") or "")),
            (_("Children at home"), _("Yes") if data.get("has_children") else _("No")),
            (_("Languages"), labels.spoken(data.get("languages", []))),
            (_("Pets"), labels.names(data.get("pets", []), labels.pets) or _("None")),
            (_("Smoking at home"), _("Yes") if data.get("smoking") else _("No")),
            (_("Interests"), labels.names(data.get("interests", []), labels.interests)),
            (_("Their home"), _home_facts(data)),
        ]
        if "address" in data:
            facts += [(_("Address"), data.get("address", "")), (_("Phone"), data.get("phone", ""))]
    else:
        facts += [
            (_("Student"), data.get("name", "")),
            (_("Nationality"), data.get("nationality", "")),
            (_("Languages"), labels.spoken(data.get("languages", []))),
            (_("Diet"), labels.names(data.get("diet", []), labels.diets) or _("No restrictions")),
            (
                _("Allergies"),
                labels.names(data.get("allergies", []), labels.allergens) or _("None"),
            ),
            (_("Interests"), labels.names(data.get("interests", []), labels.interests)),
            (_("Needs"), _home_facts(data)),
        ]
    facts.append((_("In their words"), data.get("bio", "")))
    return [(label, value) for label, value in facts if value]


def _card(proposal: Proposal, user: User, labels: _Labels) -> dict[str, Any]:
    side = proposal_selectors.side_of(proposal=proposal, user=user)
    data = proposal_selectors.counterpart(proposal=proposal, viewer=user)
    my_answer = getattr(proposal, f"{side}_answer", "") if side else ""
    waiting = proposal_selectors.waiting_for(proposal)
    return {
        "proposal": proposal,
        "side": side,
        "facts": _counterpart_facts(data, labels),
        "title": data.get("household_name") or data.get("name") or "",
        "my_answer": my_answer,
        "can_answer": proposal.status in Proposal.OPEN and not my_answer,
        "other_waiting": bool(waiting) and side not in waiting,
        "conversation": proposal_selectors.conversation_id(proposal),
    }


@member_required
def proposal_list(request: AuthedRequest) -> HttpResponse:
    labels = _Labels()
    cards = [
        _card(p, request.user, labels)
        for p in proposal_selectors.proposals_for_user(user=request.user)
    ]
    return render(
        request,
        "frontend/proposals/list.html",
        {
            "open_cards": [c for c in cards if c["proposal"].status in Proposal.OPEN],
            "past_cards": [c for c in cards if c["proposal"].status not in Proposal.OPEN],
        },
    )


@member_required
@require_POST
def proposal_accept(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    with service_errors() as outcome:
        proposal = proposal_services.proposal_accept(proposal_id=proposal_id, by=request.user)
    if outcome.refused:
        messages.error(request, outcome.refused)
        return redirect("frontend:proposals")
    if proposal.status == Proposal.Status.CONFIRMED:
        messages.success(request, _("Confirmed! You can now chat to arrange the day."))
        return redirect("frontend:visit", proposal_id=proposal.pk)
    messages.success(request, _("Thank you! We are waiting for the other side's answer."))
    return redirect("frontend:proposals")


@member_required
def proposal_decline(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            proposal_services.proposal_decline(
                proposal_id=proposal.pk, by=request.user, reason=form.cleaned_data["reason"]
            )
        if outcome.refused:
            messages.error(request, outcome.refused)
            return redirect("frontend:proposals")
        if outcome.ok:
            messages.success(
                request, _("You declined this proposal. You stay free for the next round.")
            )
            return redirect("frontend:proposals")
    return render(
        request,
        "frontend/proposals/decline.html",
        {"card": _card(proposal, request.user, _Labels()), "form": form},
    )


@member_required
def visit_list(request: AuthedRequest) -> HttpResponse:
    labels = _Labels()
    today = timezone.localdate()
    confirmed = [
        _card(p, request.user, labels)
        for p in proposal_selectors.proposals_for_user(user=request.user)
        if p.status == Proposal.Status.CONFIRMED
    ]
    return render(
        request,
        "frontend/visits/list.html",
        {
            "upcoming": [c for c in confirmed if c["proposal"].date >= today],
            "past": [c for c in confirmed if c["proposal"].date < today],
        },
    )


def _confirmed_or_404(request: AuthedRequest, proposal_id: int) -> Proposal:
    proposal = _proposal_or_404(request, proposal_id)
    if proposal.status != Proposal.Status.CONFIRMED:
        raise Http404
    return proposal


@member_required
def visit_detail(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    proposal = _confirmed_or_404(request, proposal_id)
    mine = [
        f
        for f in proposal_selectors.proposal_feedback(proposal_id=proposal.pk)
        if f.author_id == request.user.pk
    ]
    form = None
    if not mine and proposal.date < timezone.localdate():
        form = FeedbackForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            with service_errors(form) as outcome:
                feedback_services.feedback_leave(
                    proposal_id=proposal.pk, by=request.user, **form.service_kwargs()
                )
            if outcome.refused:
                messages.error(request, outcome.refused)
            if outcome.ok:
                messages.success(request, _("Thank you for your feedback!"))
                return redirect("frontend:visit", proposal_id=proposal.pk)
    return render(
        request,
        "frontend/visits/detail.html",
        {
            "card": _card(proposal, request.user, _Labels()),
            "feedback": mine[0] if mine else None,
            "form": form,
            "is_past": proposal.date < timezone.localdate(),
        },
    )


@member_required
def visit_calendar(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    proposal = _confirmed_or_404(request, proposal_id)
    response = HttpResponse(
        visit_ics(proposal=proposal, recipient=request.user),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="engawa-visit-{proposal.pk}.ics"'
    return response
