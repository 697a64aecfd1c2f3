"""Rounds of a language-exchange programme: build the solver's problem from the applications
and write the solver's answer as a draft (proposals, unplaced applicants, stats).

A language exchange has no student and host sides, but a proposal row has both columns: the
pair's **lower application id is stored as ``student_application``** and the other as
``host_application``.  The proposal's ``date`` is the programme's first date (the exchange
starts then).  So that publishing and answering work exactly as for home visits, the "host"
side of each proposal gets a one-seat ``HostDay`` on that date: a seat holds one partner.

Both functions run inside ``round_run``'s transaction, which holds the round's row lock.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from matching.models import Application, HostDay, Proposal, Round, Unplaced
from matching.selectors.rounds import pairs_never_again
from matching.solver.exchange import (
    LEVEL_RANK,
    ExchangeApplicant,
    ExchangeProblem,
    ExchangeResult,
)
from matching.solver.exchange.model import Format, GenderPreference
from matching.solver.types import DEFAULT_MAX_TRAVEL_MINUTES

# Forbid reasons, as the home-visit solver names them.
COORDINATOR = "coordinator"
# A language someone offers to teach but left out of their profile counts as advanced; one they
# learn but left out counts as beginner.
TAUGHT_LEVEL_IF_MISSING = "advanced"
LEARNED_LEVEL_IF_MISSING = "beginner"

# Why the exchange solver left someone out, by reason code: stored as each reason's text, and
# shown by the coordinator's pages (frontend's REASON_FORMATS) in the reader's language.
REASON_TEXT = {
    "no_language_match": gettext_lazy(
        "Nobody teaches a language they learn while learning one they teach."
    ),
    "format_incompatible": gettext_lazy(
        "The language partners want another format (online or in person)."
    ),
    "travel_too_far": gettext_lazy(
        "The in-person language partners live beyond the travel time limits."
    ),
    "no_shared_time_slot": gettext_lazy("No language partner shares a weekly time slot."),
    "gender_preference": gettext_lazy(
        "No remaining partner meets the gender preferences of both sides."
    ),
    "forbidden": gettext_lazy("The only possible partners were declined before or forbidden."),
    "partners_taken": gettext_lazy("Every possible partner was paired with someone else."),
}


def _profile(app: Application) -> Any:
    """The applicant's profile, whichever role they signed up with (None without one)."""
    for name in ("student_profile", "host_profile"):
        profile = getattr(app.user, name, None)
        if profile is not None:
            return profile
    return None


def _levels(profile: Any) -> dict[str, str]:
    return {
        item["code"]: item["level"]
        for item in (getattr(profile, "languages", None) or [])
        if isinstance(item, dict) and item.get("level") in LEVEL_RANK
    }


def exchange_pool(*, round: Round) -> list[Application]:
    """Active applications of the round's programme with no live proposal on either side, with
    their users, profiles and stations: one query."""
    live = Proposal.objects.filter(status__in=Proposal.LIVE).filter(
        Q(student_application=OuterRef("pk")) | Q(host_application=OuterRef("pk"))
    )
    return list(
        Application.objects.filter(program_id=round.program_id, status=Application.Status.ACTIVE)
        .exclude(Exists(live))
        .select_related(
            "user",
            "user__student_profile",
            "user__student_profile__home_station",
            "user__host_profile",
            "user__host_profile__home_station",
        )
        .order_by("id")
    )


def _history(apps: list[Application]) -> dict[tuple[int, int], str]:
    """``pairs_never_again`` among these applications, keyed by application ids (lower
    first).  Three queries."""
    app_of = {app.user_id: app.pk for app in apps}
    pairs: dict[tuple[int, int], str] = {}
    for (a, b), reason in pairs_never_again(user_ids=list(app_of)).items():
        if a != b:
            key = (min(app_of[a], app_of[b]), max(app_of[a], app_of[b]))
            pairs.setdefault(key, reason)
    return pairs


def exchange_problem_for_round(*, round: Round) -> ExchangeProblem:
    """The solver's input for a language-exchange round: one applicant per free application
    (key = application id) from the application (teaches, learns, format, time slots, gender
    preference, times unplaced) and the profile (levels, station, travel limit, gender,
    interests); the round's weights; the forbidden pairs (the round's forbids, then pairs that
    declined or rated each other badly before); the round's pins.  Four queries."""
    apps = exchange_pool(round=round)
    applicants: list[ExchangeApplicant] = []
    for app in apps:
        profile = _profile(app)
        levels = _levels(profile)
        station = getattr(profile, "home_station", None)
        limit = getattr(profile, "max_travel_minutes", None) or DEFAULT_MAX_TRAVEL_MINUTES
        applicants.append(
            ExchangeApplicant(
                key=app.pk,
                teaches={c: levels.get(c, TAUGHT_LEVEL_IF_MISSING) for c in app.teaches or []},
                learns={c: levels.get(c, LEARNED_LEVEL_IF_MISSING) for c in app.learns or []},
                # Application.Format's values are the solver's; it refuses any other.
                format=cast(Format, app.format or Application.Format.EITHER),
                lat=station.latitude if station else None,
                lon=station.longitude if station else None,
                max_travel_minutes=limit,
                time_slots=tuple(app.time_slots or ()),
                gender=getattr(profile, "gender", "") or "unspecified",
                # Not a choices field: the solver checks the value and refuses any other.
                gender_preference=cast(GenderPreference, app.gender_preference or "any"),
                interests=tuple(getattr(profile, "interests", None) or ()),
                times_unplaced=app.times_unplaced,
            )
        )
    keys = {app.pk for app in apps}
    forbidden: dict[tuple[int, int], str] = {}
    for pair in round.forbids or []:
        a, b = (int(x) for x in pair)
        if a in keys and b in keys and a != b:
            forbidden[(min(a, b), max(a, b))] = COORDINATOR
    for pair, reason in _history(apps).items():
        forbidden.setdefault(pair, reason)
    return ExchangeProblem(
        applicants=applicants,
        weights=dict(round.weights),
        forbidden=forbidden,
        # Every pin goes to the solver, which refuses one that cannot hold (ExchangePinError).
        pins=[(int(a), int(b)) for a, b in round.pins or []],
    )


def _reasons(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "params": r["params"],
            "text": str(REASON_TEXT.get(r["code"], r["text"])),
        }
        for r in reasons
    ]


@transaction.atomic
def exchange_round_write(*, round: Round, result: ExchangeResult) -> None:
    """Store ``result`` as ``round``'s draft: one draft proposal per pair (lower application id
    as ``student_application``), its one-seat ``HostDay``, one ``Unplaced`` row per applicant
    left over, the stats; then mark the round draft.  The caller (``round_run``) holds the
    round's row lock; nothing is sent from here (the caller sends ``round.status``)."""
    days = round.program.days
    day = days[0] if days else timezone.localdate()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            round=round,
            program_id=round.program_id,
            student_application_id=pair.a,
            host_application_id=pair.b,
            date=day,
            score=float(pair.score),
            breakdown={name: float(points) for name, points in pair.breakdown.items()},
            status=Proposal.Status.DRAFT,
        )
        for pair in result.pairs
    )
    existing = set(
        HostDay.objects.filter(
            application_id__in=[p.b for p in result.pairs], date=day
        ).values_list("application_id", flat=True)
    )
    HostDay.objects.bulk_create(
        HostDay(application_id=pair.b, date=day, seats=1)
        for pair in result.pairs
        if pair.b not in existing
    )
    Unplaced.objects.bulk_create(
        Unplaced(round=round, application_id=u.key, reasons=_reasons(u.reasons))
        for u in result.unplaced
    )
    # The review page reads each pair's directions and meeting mode from here: the proposal
    # row has no column for them.
    pairs_info = {
        str(proposal.pk): {
            "directions": [
                {"teacher": t, "learner": learner, "language": code}
                for t, learner, code in pair.directions
            ],
            "meeting": result.meetings[(pair.a, pair.b)],
        }
        for proposal, pair in zip(proposals, result.pairs, strict=True)
    }
    stats = dict(result.stats)
    scores = [p.score for p in result.pairs]
    stats.update(
        {
            # API.md's keys: everyone is on one side, so "students" counts the applicants and
            # "slots" the most pairs the bound allows.
            "students": stats["applicants"],
            "hosts": 0,
            "slots": stats["pairs_upper_bound"],
            "matched": len(scores),
            "unmatched": len(result.unplaced),
            "exchange_pairs": pairs_info,
        }
    )
    round.stats = stats
    round.status = Round.Status.DRAFT
    round.error = ""
    round.finished_at = timezone.now()
    round.save(update_fields=["stats", "status", "error", "finished_at"])
