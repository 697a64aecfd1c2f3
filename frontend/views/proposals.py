"""My proposals (answer them) and the list of my visits, through matching's proposal services
and selectors. A visit's own page is ``frontend.views.visits``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from accounts.models import LanguageLevel, Pet, User
from accounts.reading import reading_aid_html
from accounts.selectors import reference_labels
from frontend.proposal_forms import DeclineForm
from frontend.views.access import AuthedRequest, member_required
from frontend.views.coordinator.common import service_errors
from matching.models import MeetingPoint, Program, Proposal
from matching.selectors import proposals as proposal_selectors
from matching.selectors.exchange import Direction, ExchangePairing, exchange_pairings
from matching.selectors.meeting import PointKey, meeting_of, meeting_points
from matching.services import proposals as proposal_services


def _proposal_or_404(request: AuthedRequest, proposal_id: int) -> Proposal:
    proposal = proposal_selectors.proposal_for_party(proposal_id=proposal_id, user=request.user)
    if proposal is None:
        raise Http404
    return proposal


class Labels:
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


def _counterpart_facts(
    data: dict[str, Any], labels: Labels, *, reading_aid: str = "off"
) -> list[tuple[str, str]]:
    """The other side (as ``counterpart`` lets the viewer see it) as label/value pairs; their
    own words with the viewer's reading aid (accounts.reading)."""
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
            (_("Nationality"), countries.name(data.get("nationality", "")) or ""),
            (_("Languages"), labels.spoken(data.get("languages", []))),
            (_("Diet"), labels.names(data.get("diet", []), labels.diets) or _("No restrictions")),
            (
                _("Allergies"),
                labels.names(data.get("allergies", []), labels.allergens) or _("None"),
            ),
            (_("Interests"), labels.names(data.get("interests", []), labels.interests)),
            (_("Needs"), _home_facts(data)),
        ]
    words = data.get("bio", "")
    facts.append((_("In their words"), reading_aid_html(words, reading_aid) if words else ""))
    return [(label, value) for label, value in facts if value]


def _exchange_facts(
    data: dict[str, Any], pairing: ExchangePairing, labels: Labels
) -> list[tuple[str, str]]:
    """A language partner: who teaches whom what, with both levels, the weekly times the two
    share and how they meet; never diet, allergies or an address."""

    def taught(directions: list[Direction], *, mine: bool) -> str:
        template = (
            _("%(language)s (your level: %(teacher)s; theirs: %(learner)s)")
            if mine
            else _("%(language)s (their level: %(teacher)s; yours: %(learner)s)")
        )
        return "\n".join(
            template
            % {
                "language": labels.languages.get(d.language, d.language),
                "teacher": labels.levels.get(d.teacher_level, d.teacher_level),
                "learner": labels.levels.get(d.learner_level, d.learner_level),
            }
            for d in directions
        )

    station = data.get("station") or {}
    meeting = {
        "online": _("Online"),
        "in_person": _("In person"),
    }.get(pairing.meeting, "")
    if meeting and pairing.meeting == "in_person" and station:
        meeting = _("In person, near %(station)s") % {"station": station.get("name", "")}
    facts = [
        (_("Language partner"), data.get("name", "")),
        (_("They teach you"), taught(pairing.they_teach, mine=False)),
        (_("You teach them"), taught(pairing.you_teach, mine=True)),
        (_("Weekly times you share"), ", ".join(pairing.shared_slots)),
        (_("How you meet"), meeting),
        (_("Interests"), labels.names(data.get("interests", []), labels.interests)),
        (_("In their words"), data.get("bio", "")),
    ]
    return [(label, value) for label, value in facts if value]


def card(
    proposal: Proposal,
    user: User,
    labels: Labels,
    pairings: dict[int, ExchangePairing] | None = None,
    points: Mapping[PointKey, MeetingPoint] | None = None,
) -> dict[str, Any]:
    """A proposal as its party ``user`` sees it on the pages; ``pairings`` (language
    exchanges) and ``points`` (the days' default meetings): when the caller loaded them for many
    cards (``exchange_pairings``, ``meeting_points``)."""
    key = (proposal.program_id, proposal.date)
    if points is None:
        points = meeting_points(keys=[key])
    side = proposal_selectors.side_of(proposal=proposal, user=user)
    data = proposal_selectors.counterpart(proposal=proposal, viewer=user)
    my_answer = getattr(proposal, f"{side}_answer", "") if side else ""
    waiting = proposal_selectors.waiting_for(proposal)
    if pairings is None:
        pairings = exchange_pairings(proposals=[proposal], viewer=user)
    pairing = pairings.get(proposal.pk)
    return {
        "proposal": proposal,
        "side": side,
        "is_exchange": pairing is not None,
        # A visit day gone by: no longer "confirmed" ahead, nothing to add to a calendar.
        "is_past": pairing is None
        and proposal.status == Proposal.Status.CONFIRMED
        and proposal.date < timezone.localdate(),
        "facts": (
            _exchange_facts(data, pairing, labels)
            if pairing is not None
            else _counterpart_facts(data, labels, reading_aid=user.reading_aid)
        ),
        "title": data.get("household_name") or data.get("name") or "",
        "my_answer": my_answer,
        "can_answer": proposal.status in Proposal.OPEN and not my_answer,
        "other_waiting": bool(waiting) and side not in waiting,
        "conversation": proposal_selectors.conversation_id(proposal),
        "meeting": meeting_of(proposal=proposal, viewer=user, point=points.get(key)),
    }


@member_required
def proposal_list(request: AuthedRequest) -> HttpResponse:
    labels = Labels()
    rows = proposal_selectors.proposals_for_user(user=request.user)
    pairings = exchange_pairings(proposals=rows, viewer=request.user)
    points = meeting_points(keys=[(p.program_id, p.date) for p in rows])
    cards = [card(p, request.user, labels, pairings, points) for p in rows]
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
        if proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
            messages.success(
                request, _("Confirmed! Write to your partner to plan your first meeting.")
            )
        else:
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
        {"card": card(proposal, request.user, Labels()), "form": form},
    )


@member_required
def visit_list(request: AuthedRequest) -> HttpResponse:
    labels = Labels()
    rows = [
        p
        for p in proposal_selectors.proposals_for_user(user=request.user)
        if p.status == Proposal.Status.CONFIRMED
    ]
    pairings = exchange_pairings(proposals=rows, viewer=request.user)
    points = meeting_points(keys=[(p.program_id, p.date) for p in rows])
    confirmed = [card(p, request.user, labels, pairings, points) for p in rows]
    return render(
        request,
        "frontend/visits/list.html",
        {
            "upcoming": [c for c in confirmed if not c["is_past"]],
            "past": [c for c in confirmed if c["is_past"]],
        },
    )


def confirmed_or_404(request: AuthedRequest, proposal_id: int) -> Proposal:
    proposal = _proposal_or_404(request, proposal_id)
    if proposal.status != Proposal.Status.CONFIRMED:
        raise Http404
    return proposal
