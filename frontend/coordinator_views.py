"""The coordinator's pages: programmes, applications, rounds, answers, reports, announcements.

Every page is for coordinators only (anyone else gets 403, anonymous visitors the login page).
Each view speaks HTTP only: it checks the form's shape, calls the same service or selector as
the API, and renders; a service's ValidationError is shown beside the field it names.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language, gettext_lazy, ngettext, ngettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Gender, HostProfile, LanguageLevel, Pet, Role, StudentProfile, User
from accounts.selectors import profile_missing_fields, profile_of, reference_data
from chat import selectors as chat_selectors
from chat import services as chat_services
from chat.models import Conversation, Report
from matching.models import Application, Program, Proposal, Round, Unplaced
from matching.selectors import programs as program_selectors
from matching.selectors import proposals as proposal_selectors
from matching.selectors import rounds as round_selectors
from matching.services import announcements as announcement_services
from matching.services import programs as program_services
from matching.services import proposals as proposal_services
from matching.services import rounds as round_services
from matching.solver.exchange import EXCHANGE_DEFAULT_WEIGHTS
from matching.solver.score import DEFAULT_WEIGHTS, MAX_WEIGHT

View = Callable[..., HttpResponse]


def coordinator_required(view: View) -> View:
    """Anonymous visitors go to the login page; logged-in non-coordinators get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.COORDINATOR:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _coordinator(request: HttpRequest) -> User:
    """The logged-in coordinator (``coordinator_required`` lets nobody else in)."""
    return cast(User, request.user)


def _show_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put each message of a service's ValidationError beside the field it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _iso_days(values: list[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(value) for value in values]


def _mark_accepting(program: Program) -> Program:
    """``program.accepting``: open and before ``apply_until`` (the status badge reads it), and
    ``program.days``: its dates as dates, for the locale's date format."""
    program.accepting = (  # type: ignore[attr-defined]
        program.status == Program.Status.OPEN and program.apply_until > timezone.now()
    )
    program.days = _iso_days(program.dates)  # type: ignore[attr-defined]
    return program


# --- Programmes ------------------------------------------------------------------------------


class ProgramForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=Program.Kind.choices, widget=forms.RadioSelect
    )
    dates = forms.CharField(
        label=gettext_lazy("Dates"),
        help_text=gettext_lazy(
            "One date per line, as YYYY-MM-DD. For a year-long pairing, the day the pairs "
            "first meet."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    apply_until = forms.DateTimeField(
        label=gettext_lazy("Applications close"),
        help_text=gettext_lazy("Before the first date. Japan time."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    response_hours = forms.IntegerField(
        label=gettext_lazy("Hours to answer a proposal"),
        min_value=1,
        max_value=24 * 30,
        initial=72,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_dates(self) -> list[str]:
        # The shape only (a list of strings); the service judges each date.
        text: str = self.cleaned_data["dates"]
        return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


@coordinator_required
def programs(request: HttpRequest) -> HttpResponse:
    rows = [
        _mark_accepting(p)
        for p in program_selectors.programs_visible_to(user=_coordinator(request))
    ]
    return render(request, "frontend/coordinator/programs.html", {"programs": rows})


@coordinator_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = program_services.program_create(by=_coordinator(request), **form.cleaned_data)
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("The programme “%(name)s” is open.") % {"name": program})
            return redirect("frontend:coordinator:program", program_id=program.pk)
    status = 400 if form.is_bound else 200
    return render(request, "frontend/coordinator/program_form.html", {"form": form}, status=status)


def _program_or_404(program_id: int) -> Program:
    return _mark_accepting(program_selectors.program_get(program_id=program_id))


def _program_with_counts_or_404(request: HttpRequest, program_id: int) -> Program:
    """The programme with ``student_count`` and ``host_count`` (as the list shows them)."""
    return _mark_accepting(
        program_selectors.program_get_visible(user=_coordinator(request), program_id=program_id)
    )


@coordinator_required
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_with_counts_or_404(request, program_id)
    rounds = list(round_selectors.rounds_of_program(program=program))
    context = {
        "program": program,
        "days": _iso_days(program.dates),
        "rounds": rounds,
        "comparable": [
            r for r in rounds if r.status in (Round.Status.DRAFT, Round.Status.PUBLISHED)
        ],
    }
    return render(request, "frontend/coordinator/program_detail.html", context)


@coordinator_required
@require_POST
def program_close(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    program_services.program_close(program=program, by=_coordinator(request))
    messages.success(request, _("The programme “%(name)s” is closed.") % {"name": program})
    return redirect("frontend:coordinator:program", program_id=program.pk)


# --- Applications ----------------------------------------------------------------------------

APPLICATION_FILTERS = {
    "all": gettext_lazy("Everyone"),
    "incomplete": gettext_lazy("Incomplete profile"),
    "unplaced": gettext_lazy("Without a visit"),
    "waiting": gettext_lazy("Has not answered"),
    "answered": gettext_lazy("Answered"),
}
ROLE_FILTERS = {
    "all": gettext_lazy("Students and families"),
    Role.STUDENT: gettext_lazy("Students"),
    Role.HOST: gettext_lazy("Families"),
}


class ApplicationFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=gettext_lazy("Show"), choices=list(APPLICATION_FILTERS.items()), required=False
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Who"), choices=list(ROLE_FILTERS.items()), required=False
    )


class ApplicationRow:
    """One applicant as the applications table shows it."""

    def __init__(self, application: Application, proposals: list[Proposal]) -> None:
        self.application = application
        self.user = application.user
        self.profile = profile_of(application.user)
        self.missing = profile_missing_fields(self.profile, application.role)
        self.proposals = proposals
        side = "student" if application.role == Role.STUDENT else "host"
        self.placed = any(p.status in Proposal.LIVE for p in proposals)
        self.waiting = [p for p in proposals if side in proposal_selectors.waiting_for(p)]
        self.answered = [p for p in proposals if getattr(p, f"{side}_answer")]

    def matches(self, show: str) -> bool:
        if show == "incomplete":
            return bool(self.missing)
        if show == "unplaced":
            return self.application.status == Application.Status.ACTIVE and not self.placed
        if show == "waiting":
            return bool(self.waiting)
        if show == "answered":
            return bool(self.answered) and not self.waiting
        return True


def _application_rows(program: Program) -> list[ApplicationRow]:
    applications = list(program_selectors.applications_of_program(program=program))
    by_application: dict[int, list[Proposal]] = {}
    for proposal in proposal_selectors.proposals_for_program(program_id=program.pk):
        by_application.setdefault(proposal.student_application_id, []).append(proposal)
        by_application.setdefault(proposal.host_application_id, []).append(proposal)
    return [ApplicationRow(a, by_application.get(a.pk, [])) for a in applications]


@coordinator_required
def applications(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    form = ApplicationFilterForm(request.GET or None)
    show, role = "all", "all"
    if form.is_valid():
        show = form.cleaned_data["show"] or "all"
        role = form.cleaned_data["role"] or "all"
    rows = [
        row
        for row in _application_rows(program)
        if row.matches(show) and role in ("all", row.application.role)
    ]
    context = {
        "program": program,
        "form": form,
        "rows": rows,
        "show": show,
        "show_label": APPLICATION_FILTERS[show],
    }
    return render(request, "frontend/coordinator/applications.html", context)


def _labels(codes: list[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(code, code) for code in codes)


def _profile_facts(profile: StudentProfile | HostProfile | None) -> list[tuple[str, str]]:
    """The profile as (label, value) pairs, reference codes shown by their names."""
    if profile is None:
        return []
    names = _reference_labels()
    levels = dict(LanguageLevel.choices)
    meta = type(profile)._meta

    def label(field: str) -> str:
        return str(capfirst(getattr(meta.get_field(field), "verbose_name", field)))

    def yes_no(value: bool) -> str:
        return _("Yes") if value else _("No")

    spoken = ", ".join(
        f"{names['languages'].get(item.get('code'), item.get('code'))} "
        f"({levels.get(item.get('level'), item.get('level'))})"
        for item in profile.languages
    )
    station = profile.home_station.label() if profile.home_station else ""
    if isinstance(profile, StudentProfile):
        return [
            (label("nationality"), str(profile.nationality.name or "")),
            (label("gender"), profile.get_gender_display()),
            (label("birth_year"), str(profile.birth_year or "")),
            (label("school"), profile.school),
            (label("languages"), spoken),
            (label("diet"), _labels(profile.diet, names["diets"])),
            (label("allergies"), _labels(profile.allergies, names["allergens"])),
            (label("needs_non_smoking"), yes_no(profile.needs_non_smoking)),
            (label("interests"), _labels(profile.interests, names["interests"])),
            (_("Home station"), station),
            (label("max_travel_minutes"), str(profile.max_travel_minutes or "")),
            (label("bio"), profile.bio),
        ]
    pets = dict(Pet.choices)
    return [
        (label("household_name"), profile.household_name),
        (label("household_size"), str(profile.household_size or "")),
        (label("has_children"), yes_no(profile.has_children)),
        (label("languages"), spoken),
        (label("pets"), ", ".join(str(pets.get(p, p)) for p in profile.pets)),
        (label("smoking"), yes_no(profile.smoking)),
        (label("diets_supported"), _labels(profile.diets_supported, names["diets"])),
        (label("allergens_avoidable"), _labels(profile.allergens_avoidable, names["allergens"])),
        (label("interests"), _labels(profile.interests, names["interests"])),
        (_("Nearest station"), station),
        (label("guest_gender_preference"), profile.get_guest_gender_preference_display()),
        (label("bio"), profile.bio),
    ]


@coordinator_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    program_id = get_object_or_404(Application.objects.only("program_id"), pk=application_id)
    program = _program_or_404(program_id.program_id)
    application = (
        program_selectors.applications_of_program(program=program).filter(pk=application_id).get()
    )
    proposals = [
        p
        for p in proposal_selectors.proposals_for_program(program_id=program.pk)
        if application.pk in (p.student_application_id, p.host_application_id)
    ]
    row = ApplicationRow(application, proposals)
    meta = (StudentProfile if application.role == Role.STUDENT else HostProfile)._meta
    missing_labels = [
        str(getattr(meta.get_field(field), "verbose_name", field))
        if field != "home_station"
        else _("Station")
        for field in row.missing
    ]
    name = row.user.name
    if isinstance(row.profile, HostProfile) and row.profile.household_name:
        name = row.profile.household_name
    languages = _reference_labels()["languages"] if application.teaches else {}
    # Why earlier rounds left this applicant out, newest first (one query).
    left_out = list(
        Unplaced.objects.filter(application=application)
        .select_related("round")
        .order_by("-round__number")
    )
    reference = _reference_labels() if left_out else {}
    context = {
        "left_out": [
            {
                "round": row.round,
                "reasons": [
                    reason_text(reason, application.role, reference) for reason in row.reasons
                ],
            }
            for row in left_out
        ],
        "program": program,
        "application": application,
        "teaches": _join([languages.get(code) or code for code in application.teaches]),
        "learns": _join([languages.get(code) or code for code in application.learns]),
        "row": row,
        "title": name,
        "facts": _profile_facts(row.profile),
        "missing_labels": missing_labels,
    }
    return render(request, "frontend/coordinator/application_detail.html", context)


# --- Rounds ----------------------------------------------------------------------------------

CRITERION_LABELS = {
    "language": gettext_lazy("Language"),
    "interests": gettext_lazy("Shared interests"),
    "travel": gettext_lazy("Travel time"),
    "household": gettext_lazy("Household fit"),
    "fairness_student": gettext_lazy("Fairness to the student"),
    "fairness_host": gettext_lazy("Fairness to the family"),
    # Language exchange
    "level_fit": gettext_lazy("Level fit"),
    "shared_interests": gettext_lazy("Shared interests"),
    "time_overlap": gettext_lazy("Shared time slots"),
    "fairness": gettext_lazy("Fairness"),
}
CRITERION_HELP = {
    "language": gettext_lazy("A language both can talk in, and Japanese practice."),
    "interests": gettext_lazy("Interests they share."),
    "travel": gettext_lazy("A shorter trip from the student's station."),
    "household": gettext_lazy("How well the household suits the student."),
    "fairness_student": gettext_lazy("A boost for students left out of earlier rounds."),
    "fairness_host": gettext_lazy("A boost for families that have hosted less."),
}

# Why the solver left someone out: (side, code) -> a format string over the reason's params
# (matching.solver.explain), so the coordinator reads it in their own language. Codes that
# mean the same for both sides use the side "any"; counted ones pick their plural from their
# count param. An unknown code falls back to the solver's English text.
REASON_FORMATS: dict[tuple[str, str], Any] = {
    ("any", "profile_incomplete"): gettext_lazy(
        "The profile lacks a field the matcher needs (such as the home station)."
    ),
    # Students
    ("student", "no_family_on_dates"): gettext_lazy("No family offers %(dates)s."),
    ("student", "pet"): gettext_lazy(
        "Every family on the student's dates has %(pets)s, which the student is allergic to."
    ),
    ("student", "smoking"): gettext_lazy("No family on the student's dates is smoke-free."),
    ("student", "diet"): gettext_lazy("No family caters for %(diets)s."),
    ("student", "diet_together"): gettext_lazy("No family caters for %(diets)s together."),
    ("student", "allergen"): gettext_lazy("No family can keep %(allergens)s out of the food."),
    ("student", "allergen_together"): gettext_lazy(
        "No family can keep %(allergens)s out of the food together."
    ),
    ("student", "gender"): gettext_lazy(
        "No family on the student's dates welcomes a guest of the student's gender (%(gender)s)."
    ),
    ("student", "travel"): gettext_lazy(
        "No family within %(minutes)s minutes of travel (the nearest is about "
        "%(nearest_minutes)s minutes away)."
    ),
    ("student", "forbidden"): gettext_lazy("The families that fit are excluded: %(reasons)s."),
    ("student", "combination"): gettext_lazy(
        "Each rule alone leaves some families, but none meets all of: %(rules)s."
    ),
    ("student", "full"): ngettext_lazy(
        "The one family that fits is full.",
        "The %(families)d families that fit are full.",
        "families",
    ),
    ("student", "taken"): ngettext_lazy(
        "The one family that fits went to another student this round.",
        "The %(families)d families that fit went to other students this round.",
        "families",
    ),
    # Families
    ("host", "no_free_seat"): gettext_lazy("The family has no free seat left on its days."),
    ("host", "no_student_on_dates"): gettext_lazy("No student applied for %(dates)s."),
    ("host", "pet"): gettext_lazy(
        "Every student on the family's dates is allergic to its pets (%(pets)s)."
    ),
    ("host", "smoking"): gettext_lazy(
        "Every student on the family's dates needs a smoke-free home."
    ),
    ("host", "diet"): gettext_lazy(
        "Every student on the family's dates needs a diet it does not cater for."
    ),
    ("host", "allergen"): gettext_lazy(
        "Every student on the family's dates has a food allergy it cannot cater for."
    ),
    ("host", "gender"): gettext_lazy(
        "No student on the family's dates matches its guest preference (%(preference)s)."
    ),
    ("host", "travel"): gettext_lazy(
        "No student on the family's dates lives within their travel limit of its station."
    ),
    ("host", "forbidden"): gettext_lazy("The only students who fit are excluded by a coordinator."),
    ("host", "combination"): gettext_lazy(
        "Each rule alone leaves some students, but none meets all of: %(rules)s."
    ),
    ("host", "taken"): ngettext_lazy(
        "The one student who fits was placed with another family.",
        "The %(students)d students who fit were placed with other families.",
        "students",
    ),
    # Language exchange (either side)
    ("any", "no_language_match"): gettext_lazy(
        "Nobody teaches a language they learn while learning one they teach."
    ),
    ("any", "format_incompatible"): gettext_lazy(
        "The language partners want another format (online or in person)."
    ),
    ("any", "travel_too_far"): gettext_lazy(
        "The in-person language partners live beyond the travel time limits."
    ),
    ("any", "no_shared_time_slot"): gettext_lazy("No language partner shares a weekly time slot."),
    ("any", "gender_preference"): gettext_lazy(
        "No remaining partner meets the gender preferences of both sides."
    ),
    ("any", "forbidden"): gettext_lazy(
        "The only possible partners were declined before or forbidden."
    ),
    ("any", "partners_taken"): gettext_lazy("Every possible partner was paired with someone else."),
}

RULE_LABELS = {
    "pet": gettext_lazy("pets"),
    "smoking": gettext_lazy("smoke-free home"),
    "diet": gettext_lazy("diet"),
    "allergen": gettext_lazy("food allergies"),
    "gender": gettext_lazy("guest gender"),
    "travel": gettext_lazy("travel time"),
    "forbidden": gettext_lazy("exclusions"),
}
FORBID_LABELS = {
    "coordinator": gettext_lazy("forbidden by a coordinator"),
    "declined": gettext_lazy("declined in an earlier round"),
    "met_before": gettext_lazy("met before"),
    "bad_feedback": gettext_lazy("after negative feedback"),
}
GUEST_PREFERENCES = {
    "any": gettext_lazy("any guest"),
    "female": gettext_lazy("female students only"),
    "male": gettext_lazy("male students only"),
}

# Why publishing skipped a draft pair (matching.services.proposals.PublishResult.skipped).
SKIP_REASONS = {
    "withdrawn": gettext_lazy("an application was withdrawn"),
    "account_deleted": gettext_lazy("an account was deleted"),
    "student_taken": gettext_lazy("the student already has a visit"),
    "no_seat": gettext_lazy("the family no longer offers that day"),
    "seat_taken": gettext_lazy("the family's seats that day are taken"),
}


def _join(items: list[str]) -> str:
    return _(", ").join(items)


def _date_text(value: Any) -> str:
    try:
        return date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


COUNT_PARAMS = ("families", "students")


def _reason_params(params: dict[str, Any], reference: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The params of a reason as display text: codes become labels in the current language;
    counts stay numbers (they choose the plural)."""
    genders = dict(Gender.choices)
    pets = dict(Pet.choices)
    text: dict[str, Any] = {}
    for key, value in params.items():
        items = value if isinstance(value, list | tuple) else [value]
        if key == "dates":
            shown = [_date_text(v) for v in items]
            text[key] = _join(shown) if shown else _("any of the student's dates")
        elif key == "pets":
            text[key] = _join([str(pets.get(v, v)) for v in items])
        elif key == "diets":
            text[key] = _join([reference["diets"].get(v) or str(v) for v in items])
        elif key == "allergens":
            text[key] = _join([reference["allergens"].get(v) or str(v) for v in items])
        elif key == "gender":
            text[key] = _join([str(genders.get(v, v)) for v in items])
        elif key == "preference":
            text[key] = _join([str(GUEST_PREFERENCES.get(v, v)) for v in items])
        elif key == "rules":
            text[key] = _join([str(RULE_LABELS.get(v, v)) for v in items])
        elif key == "reasons":
            text[key] = _join([str(FORBID_LABELS.get(v, v)) for v in items])
        elif isinstance(value, dict):
            continue
        elif key in COUNT_PARAMS and isinstance(value, int):
            text[key] = value
        else:
            text[key] = _join([f"{v:g}" if isinstance(v, float) else str(v) for v in items])
    return text


def _reference_labels() -> dict[str, dict[str, str]]:
    reference = reference_data(language=get_language() or "ja")
    return {
        kind: {row.get("code") or row.get("slug"): row["name"] for row in reference[kind]}
        for kind in ("languages", "diets", "allergens", "interests")
    }


def reason_text(
    reason: dict[str, Any], role: str = "any", reference: dict[str, dict[str, str]] | None = None
) -> str:
    """One unplaced reason in the current language: its code's format string over its params.

    ``role`` is the applicant's (student or host): some codes mean different things per side.
    ``reference`` is ``_reference_labels()``, read once per page by the caller."""
    code = str(reason.get("code", ""))
    params = reason.get("params") or {}
    if code in ("diet", "allergen") and params.get("all_together"):
        code = f"{code}_together"
    fmt = REASON_FORMATS.get((role, code)) or REASON_FORMATS.get(("any", code))
    if fmt is None:
        return str(reason.get("text", "")) or code
    try:
        return str(fmt % _reason_params(params, reference or _reference_labels()))
    except (KeyError, TypeError, ValueError):
        return str(reason.get("text", "")) or code


def _default_weights(program: Program) -> dict[str, float]:
    if program.kind == Program.Kind.LANGUAGE_EXCHANGE:
        return dict(EXCHANGE_DEFAULT_WEIGHTS)
    return dict(DEFAULT_WEIGHTS)


def _weights_of(rnd: Round) -> dict[str, float]:
    """The weights the round ran with: the defaults, overridden by the coordinator's."""
    weights = _default_weights(rnd.program)
    weights.update({k: float(v) for k, v in (rnd.weights or {}).items() if k in weights})
    return weights


def _breakdown_bars(breakdown: dict[str, Any], weights: dict[str, float]) -> list[dict[str, Any]]:
    """A bar per criterion: its points against the most it could give (its weight)."""
    bars = []
    for key in [*weights, *(k for k in breakdown if k not in weights)]:
        points = float(breakdown.get(key) or 0)
        most = weights.get(key) or max(points, 1.0)
        width = 0 if most <= 0 else max(0, min(100, round(100 * points / most)))
        bars.append(
            {
                "key": key,
                "label": CRITERION_LABELS.get(key, key),
                "points": points,
                "most": most,
                "width": width,
            }
        )
    return bars


class PairsField(forms.CharField):
    """Pairs of application numbers, one pair per line: "12, 34" (student, then family)."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def to_python(self, value: Any) -> list[list[int]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        pairs: list[list[int]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.replace(",", " ").replace("-", " ").split()
            if not parts:
                continue
            if len(parts) != 2 or not all(part.isdigit() for part in parts):
                raise ValidationError(
                    _(
                        "Line %(line)d: write a student's and a family's application number, "
                        "such as “12, 34”."
                    )
                    % {"line": number},
                    code="pair",
                )
            pairs.append([int(parts[0]), int(parts[1])])
        return pairs


class RoundForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=Round.Mode.choices,
        initial=Round.Mode.OPTIMAL,
        widget=forms.RadioSelect,
    )
    pins = PairsField(
        label=gettext_lazy("Pins: pairs that must be proposed"),
        required=False,
        help_text=gettext_lazy(
            "One pair per line: the student's application number, then the family's "
            "(e.g. “12, 34”)."
        ),
    )
    forbids = PairsField(
        label=gettext_lazy("Forbids: pairs that must not be proposed"),
        required=False,
        help_text=gettext_lazy("One pair per line, like the pins."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if program.kind == Program.Kind.LANGUAGE_EXCHANGE:
            self.fields["pins"].help_text = _(
                "One pair per line: the two people's application numbers (e.g. “12, 34”)."
            )
        self.criteria = list(_default_weights(program).items())
        for name, default in self.criteria:
            help_text = CRITERION_HELP.get(name, "")
            self.fields[f"weight_{name}"] = forms.FloatField(
                label=CRITERION_LABELS.get(name, name),
                required=False,
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=default,
                help_text=format_lazy(
                    "{} {}", help_text, _("Default: %(default)g.") % {"default": default}
                ),
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{name}"] for name, _default in self.criteria]

    def weights(self) -> dict[str, float]:
        """Each criterion's weight; a field left empty keeps the default."""
        weights: dict[str, float] = {}
        for name, default in self.criteria:
            chosen = self.cleaned_data.get(f"weight_{name}")
            weights[name] = default if chosen is None else float(chosen)
        return weights


def _pairs_text(pairs: list[list[int]]) -> str:
    return "\n".join(f"{a}, {b}" for a, b in pairs)


def _round_initial(request: HttpRequest, program: Program) -> dict[str, Any]:
    """The form's starting values: the defaults, or an earlier round's settings (``?from=``)
    plus one pair to pin or forbid (``?pin=12-34`` / ``?forbid=12-34``), so that the review
    page can offer "forbid this pair and run again"."""
    initial: dict[str, Any] = {}
    source_id = request.GET.get("from", "")
    source = (
        Round.objects.filter(program=program, pk=int(source_id)).first()
        if source_id.isdigit()
        else None
    )
    pins: list[list[int]] = []
    forbids: list[list[int]] = []
    if source is not None:
        initial["mode"] = source.mode
        initial.update({f"weight_{k}": v for k, v in _weights_of(source).items()})
        pins = [list(p) for p in source.pins]
        forbids = [list(p) for p in source.forbids]
    for key, pairs in (("pin", pins), ("forbid", forbids)):
        parts = request.GET.get(key, "").split("-")
        if len(parts) == 2 and all(part.isdigit() for part in parts):
            pair = [int(parts[0]), int(parts[1])]
            if pair not in pairs:
                pairs.append(pair)
    initial["pins"] = _pairs_text(pins)
    initial["forbids"] = _pairs_text(forbids)
    return initial


@coordinator_required
@require_http_methods(["GET", "POST"])
def round_start(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    form = RoundForm(
        request.POST or None, program=program, initial=_round_initial(request, program)
    )
    if request.method == "POST" and form.is_valid():
        try:
            rnd = round_services.round_start(
                program=program,
                by=_coordinator(request),
                weights=form.weights(),
                pins=form.cleaned_data["pins"],
                forbids=form.cleaned_data["forbids"],
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as exc:
            # "weights" (as a whole) and "program" have no field: they show above the form.
            _show_service_errors(form, exc)
        else:
            return redirect("frontend:coordinator:round", round_id=rnd.pk)
    context = {"program": program, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "frontend/coordinator/round_form.html", context, status=status)


def _add_exchange_directions(rnd: Round, pairs: list[dict[str, Any]]) -> None:
    """Both directions of each exchange pair ("A teaches B Japanese; B teaches A English"),
    from what the exchange solver stored with the round (the proposal row has no column)."""
    from accounts.models import SpokenLanguage

    stored = (rnd.stats or {}).get("exchange_pairs", {})
    languages = SpokenLanguage.objects.in_bulk()
    for pair in pairs:
        proposal = pair["proposal"]
        names = {
            proposal.student_application_id: proposal.student_application.user.name,
            proposal.host_application_id: proposal.host_application.user.name,
        }
        info = stored.get(str(proposal.pk), {})
        pair["meeting"] = info.get("meeting", "")
        pair["directions"] = [
            _("%(teacher)s teaches %(learner)s %(language)s")
            % {
                "teacher": names.get(d["teacher"], f"#{d['teacher']}"),
                "learner": names.get(d["learner"], f"#{d['learner']}"),
                "language": (
                    languages[d["language"]].label()
                    if d["language"] in languages
                    else d["language"]
                ),
            }
            for d in info.get("directions", [])
        ]


def _round_review(rnd: Round) -> dict[str, Any]:
    """Everything the review page shows of one round: pairs, unplaced, metrics, histogram."""
    weights = _weights_of(rnd)
    proposals = list(rnd.proposals.all())
    ratings = proposal_selectors.host_ratings(
        user_ids=[p.host_application.user_id for p in proposals]
    )
    pairs = [
        {
            "proposal": proposal,
            "bars": _breakdown_bars(proposal.breakdown, weights),
            "rating": ratings.get(proposal.host_application.user_id),
        }
        for proposal in proposals
    ]
    exchange = rnd.program.kind == Program.Kind.LANGUAGE_EXCHANGE
    if exchange:
        _add_exchange_directions(rnd, pairs)
    rows = list(rnd.unplaced.all())
    reference = _reference_labels() if rows else {}
    unplaced: list[dict[str, Any]] = [
        {
            "row": row,
            "application": row.application,
            "reasons": [
                reason_text(reason, row.application.role, reference) for reason in row.reasons
            ],
        }
        for row in rows
    ]
    stats = rnd.stats or {}
    return {
        "round": rnd,
        "pairs": pairs,
        "unplaced": unplaced,
        # A language exchange has no sides: everyone left over is listed together.
        "unplaced_students": [
            u for u in unplaced if exchange or u["application"].role == Role.STUDENT
        ],
        "unplaced_hosts": [
            u for u in unplaced if not exchange and u["application"].role == Role.HOST
        ],
        "stats": stats,
        "metrics": _metrics(stats),
        "histogram": histogram_svg(stats.get("score_histogram") or stats.get("histogram")),
        "weights": [(CRITERION_LABELS.get(k, k), v) for k, v in weights.items()],
    }


def _metrics(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures, in a fixed order; ``higher`` says which way is better."""
    rows = [
        ("matched", _("Placed"), True),
        ("unmatched", _("Unplaced students"), False),
        ("mean_score", _("Mean score"), True),
        ("min_score", _("Lowest score"), True),
        ("total_score", _("Total score"), True),
        ("blocking_pairs", _("Blocking pairs"), False),
    ]
    metrics = []
    for key, label, higher in rows:
        value = stats.get(key)
        if isinstance(value, list | tuple):
            value = len(value)
        if value is None:
            text = "\u2013"
        elif key.endswith("_score"):
            text = floatformat(value, 1)
        else:
            text = str(value)
        metrics.append({"key": key, "label": label, "value": value, "text": text, "higher": higher})
    return metrics


def histogram_svg(histogram: Any) -> dict[str, Any] | None:
    """Bars for an SVG histogram (geometry in SVG attributes, never inline styles).

    Accepts ``{"edges": [...], "counts": [...]}`` (edges one longer than counts) or a list of
    ``{"low", "high", "count"}`` bins."""
    bins: list[tuple[float, float, int]] = []
    if isinstance(histogram, dict) and "counts" in histogram:
        edges = list(histogram.get("edges") or histogram.get("bins") or [])
        counts = list(histogram["counts"])
        if len(edges) == len(counts) + 1:
            bins = [(float(edges[i]), float(edges[i + 1]), int(c)) for i, c in enumerate(counts)]
    elif isinstance(histogram, list):
        for item in histogram:
            if isinstance(item, dict) and "count" in item:
                low = item.get("low", item.get("from", item.get("start", 0)))
                high = item.get("high", item.get("to", item.get("end", low)))
                bins.append((float(low or 0), float(high or 0), int(item["count"])))
    if not bins:
        return None
    top = max(count for _low, _high, count in bins) or 1
    width, height, gap, base = 320, 120, 4, 100
    bar_width = (width - gap * (len(bins) + 1)) / len(bins)
    bars = []
    for index, (low, high, count) in enumerate(bins):
        bar_height = round(80 * count / top, 1)
        x = round(gap + index * (bar_width + gap), 1)
        bars.append(
            {
                "x": x,
                "y": round(base - bar_height, 1),
                "width": round(bar_width, 1),
                "height": bar_height,
                "count": count,
                "low": low,
                "high": high,
                "label_x": round(x + bar_width / 2, 1),
                "count_y": round(base - bar_height - 3, 1),
            }
        )
    return {"bars": bars, "width": width, "height": height, "base": base}


def _round_page(
    request: HttpRequest, rnd: Round, *, conflict: str = "", status: int = 200
) -> HttpResponse:
    context = _round_review(rnd)
    others = [
        r
        for r in round_selectors.rounds_of_program(program=rnd.program)
        if r.pk != rnd.pk and r.status in (Round.Status.DRAFT, Round.Status.PUBLISHED)
    ]
    context.update(
        {
            "program": rnd.program,
            "in_progress": rnd.status in (Round.Status.QUEUED, Round.Status.RUNNING),
            "status_labels": dict(Round.Status.choices),
            "others": others,
            "conflict": conflict,
        }
    )
    return render(request, "frontend/coordinator/round.html", context, status=status)


def _round_or_404(round_id: int) -> Round:
    return round_selectors.round_detail(round_id=round_id)


@coordinator_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_page(request, _round_or_404(round_id))


@coordinator_required
@require_POST
def round_publish(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _round_or_404(round_id)
    try:
        result = proposal_services.round_publish(round_id=rnd.pk, by=_coordinator(request))
    except proposal_services.RoundNotFound as exc:
        raise Http404 from exc
    except proposal_services.RoundConflict as exc:
        return _round_page(request, rnd, conflict=str(exc), status=409)
    messages.success(
        request,
        ngettext(
            "Published: %(count)d proposal went out to both sides.",
            "Published: %(count)d proposals went out to both sides.",
            len(result.published),
        )
        % {"count": len(result.published)},
    )
    if result.skipped:
        reasons = sorted({str(SKIP_REASONS.get(s["reason"], s["reason"])) for s in result.skipped})
        messages.warning(
            request,
            ngettext(
                "%(count)d pair was not sent: %(reasons)s.",
                "%(count)d pairs were not sent: %(reasons)s.",
                len(result.skipped),
            )
            % {"count": len(result.skipped), "reasons": "; ".join(reasons)},
        )
    return redirect("frontend:coordinator:answers", program_id=rnd.program_id)


@coordinator_required
def rounds_compare(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    try:
        ids = [int(request.GET.get("a", "")), int(request.GET.get("b", ""))]
    except ValueError as exc:
        raise Http404 from exc
    sides = [_round_or_404(round_id) for round_id in ids]
    if any(rnd.program_id != program.pk for rnd in sides):
        raise Http404
    reviews = [_round_review(rnd) for rnd in sides]
    # Per metric: which side is better (None on a tie or a missing figure).
    rows: list[dict[str, Any]] = []
    for left, right in zip(reviews[0]["metrics"], reviews[1]["metrics"], strict=True):
        better = None
        a, b = left["value"], right["value"]
        if isinstance(a, int | float) and isinstance(b, int | float) and a != b:
            better = 0 if (a > b) == left["higher"] else 1
        rows.append(
            {"label": left["label"], "values": [left["text"], right["text"]], "better": better}
        )
    # Students placed differently by the two rounds.
    placed = [
        {p["proposal"].student_application_id: p["proposal"] for p in review["pairs"]}
        for review in reviews
    ]
    students = {
        p["proposal"].student_application_id: p["proposal"].student_application.user.name
        for review in reviews
        for p in review["pairs"]
    }
    differences = []
    for student_id, name in sorted(students.items(), key=lambda item: item[1]):
        left, right = placed[0].get(student_id), placed[1].get(student_id)
        if (
            left is not None
            and right is not None
            and (left.host_application_id, left.date) == (right.host_application_id, right.date)
        ):
            continue
        differences.append({"name": name, "pairs": [left, right]})
    context = {
        "program": program,
        "reviews": reviews,
        "rows": rows,
        "differences": differences,
        "same": len(students) - len(differences),
    }
    return render(request, "frontend/coordinator/compare.html", context)


# --- Following the answers ------------------------------------------------------------------

ANSWER_FILTERS = {
    "waiting": gettext_lazy("Waiting for an answer"),
    "all": gettext_lazy("All proposals"),
}
SIDE_LABELS = {"student": gettext_lazy("Student"), "host": gettext_lazy("Family")}


class OnBehalfForm(forms.Form):
    side = forms.ChoiceField(
        label=gettext_lazy("Who answered"),
        choices=[("student", gettext_lazy("The student")), ("host", gettext_lazy("The family"))],
        widget=forms.RadioSelect,
    )
    answer = forms.ChoiceField(
        label=gettext_lazy("Their answer"),
        choices=[("accept", gettext_lazy("Accept")), ("decline", gettext_lazy("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("How the answer came"),
        help_text=gettext_lazy("For the audit trail, e.g. “Phoned the office on Monday morning”."),
        max_length=proposal_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why cancel"),
        help_text=gettext_lazy("Both sides receive this reason by e-mail."),
        max_length=proposal_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _proposal_or_404(request: HttpRequest, proposal_id: int) -> Proposal:
    proposal = proposal_selectors.proposal_visible_to(
        proposal_id=proposal_id, user=_coordinator(request)
    )
    if proposal is None:
        raise Http404
    return proposal


@coordinator_required
def answers(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    show = request.GET.get("show", "waiting")
    if show not in ANSWER_FILTERS:
        show = "waiting"
    rows: list[dict[str, Any]] = []
    for proposal in proposal_selectors.proposals_for_program(program_id=program.pk):
        waiting = proposal_selectors.waiting_for(proposal)
        if show == "waiting" and not waiting:
            continue
        rows.append({"proposal": proposal, "waiting": [SIDE_LABELS[side] for side in waiting]})
    if show == "waiting":
        # The most urgent first: the nearest deadline.
        rows.sort(key=lambda row: (row["proposal"].deadline or timezone.now(), row["proposal"].pk))
    context = {
        "program": program,
        "rows": rows,
        "show": show,
        "filters": ANSWER_FILTERS,
    }
    return render(request, "frontend/coordinator/answers.html", context)


def _proposal_page(
    request: HttpRequest,
    proposal: Proposal,
    *,
    on_behalf_form: OnBehalfForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    waiting = proposal_selectors.waiting_for(proposal)
    initial_side = waiting[0] if waiting else "student"
    statuses = dict(Proposal.Status.choices)
    context = {
        "program": proposal.program,
        "proposal": proposal,
        "waiting": [SIDE_LABELS[side] for side in waiting],
        "is_open": proposal.status in Proposal.OPEN,
        "can_cancel": proposal.status in Proposal.LIVE,
        "events": [
            {
                "event": event,
                "before": statuses.get(event.from_status, event.from_status),
                "after": statuses.get(event.to_status, event.to_status),
            }
            for event in proposal_selectors.proposal_events(proposal_id=proposal.pk)
        ],
        "feedback": list(proposal_selectors.proposal_feedback(proposal_id=proposal.pk)),
        "bars": _breakdown_bars(proposal.breakdown, _weights_of(proposal.round)),
        "on_behalf_form": on_behalf_form or OnBehalfForm(initial={"side": initial_side}),
        "cancel_form": cancel_form or CancelForm(),
        "conversation_id": proposal_selectors.conversation_id(proposal),
    }
    return render(request, "frontend/coordinator/proposal.html", context, status=status)


@coordinator_required
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _proposal_page(request, _proposal_or_404(request, proposal_id))


@coordinator_required
@require_POST
def proposal_remind(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    try:
        reminded = proposal_services.proposal_remind(
            proposal_id=proposal.pk, by=_coordinator(request)
        )
    except proposal_services.ProposalNotFound as exc:
        raise Http404 from exc
    except proposal_services.ProposalConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "A reminder is on its way to %(count)d person.",
                "A reminder is on its way to %(count)d people.",
                len(reminded),
            )
            % {"count": len(reminded)},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = _proposal_url(proposal)
    return redirect(target)


def _proposal_url(proposal: Proposal) -> str:
    return reverse("frontend:coordinator:proposal", kwargs={"proposal_id": proposal.pk})


@coordinator_required
@require_POST
def proposal_answer(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    form = OnBehalfForm(request.POST)
    if form.is_valid():
        try:
            proposal_services.proposal_answer_on_behalf(
                proposal_id=proposal.pk, by=_coordinator(request), **form.cleaned_data
            )
        except proposal_services.ProposalNotFound as exc:
            raise Http404 from exc
        except proposal_services.ProposalConflict as exc:
            form.add_error(None, str(exc))
            return _proposal_page(request, proposal, on_behalf_form=form, status=409)
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("The answer is recorded."))
            return redirect(_proposal_url(proposal))
    return _proposal_page(request, proposal, on_behalf_form=form, status=400)


@coordinator_required
@require_POST
def proposal_cancel(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            proposal_services.proposal_cancel(
                proposal_id=proposal.pk,
                by=_coordinator(request),
                reason=form.cleaned_data["reason"],
            )
        except proposal_services.ProposalNotFound as exc:
            raise Http404 from exc
        except proposal_services.ProposalConflict as exc:
            form.add_error(None, str(exc))
            return _proposal_page(request, proposal, cancel_form=form, status=409)
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("The proposal is cancelled."))
            return redirect(_proposal_url(proposal))
    return _proposal_page(request, proposal, cancel_form=form, status=400)


# --- Announcements ---------------------------------------------------------------------------


class AnnouncementForm(forms.Form):
    subject_ja = forms.CharField(
        label=gettext_lazy("Subject in Japanese"),
        max_length=announcement_services.SUBJECT_MAX,
        widget=forms.TextInput(attrs={"lang": "ja"}),
    )
    body_ja = forms.CharField(
        label=gettext_lazy("Message in Japanese"),
        max_length=announcement_services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "ja"}),
    )
    subject_en = forms.CharField(
        label=gettext_lazy("Subject in English"),
        max_length=announcement_services.SUBJECT_MAX,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    body_en = forms.CharField(
        label=gettext_lazy("Message in English"),
        max_length=announcement_services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en"}),
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def announcement(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = announcement_services.announcement_send(
                program=program, by=_coordinator(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "The announcement is on its way to %(count)d person.",
                    "The announcement is on its way to %(count)d people.",
                    count,
                )
                % {"count": count},
            )
            return redirect("frontend:coordinator:program", program_id=program.pk)
    recipients = announcement_services.announcement_recipients(program=program)
    context = {
        "program": program,
        "form": form,
        "recipient_count": len(recipients),
        "japanese_count": sum(1 for user in recipients if user.preferred_language == "ja"),
    }
    status = 400 if form.is_bound else 200
    return render(request, "frontend/coordinator/announcement.html", context, status=status)


# --- Export ------------------------------------------------------------------------------------


def _csv_cell(value: str) -> str:
    # A cell starting with one of these is a formula to Excel: keep people's text as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@coordinator_required
def visits_csv(request: HttpRequest, program_id: int) -> HttpResponse:
    """Confirmed visits as CSV, UTF-8 with a byte-order mark so that Excel in Japan reads it."""
    program = _program_or_404(program_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"engawa-visits-{program.pk}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Date"),
            _("Student"),
            _("Student e-mail"),
            _("Family"),
            _("Family contact"),
            _("Station"),
            _("Address"),
            _("Phone"),
        ]
    )
    for proposal in proposal_selectors.proposals_for_program(
        program_id=program.pk, status=Proposal.Status.CONFIRMED
    ):
        student = proposal.student_application.user
        host = proposal.host_application.user
        profile = profile_of(host)
        station = profile.home_station if profile is not None else None
        row = [
            student.name,
            student.email,
            getattr(profile, "household_name", "") or host.name,
            host.name,
            station.label() if station is not None else "",
            getattr(profile, "address", ""),
            getattr(profile, "phone", ""),
        ]
        writer.writerow([proposal.date.isoformat(), *(_csv_cell(str(v)) for v in row)])
    return response


# --- Reports from chat ---------------------------------------------------------------------


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("What you did"),
        required=False,
        max_length=chat_services.REPORT_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseConversationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why close this conversation"),
        help_text=gettext_lazy("Both members see it; they can no longer write."),
        max_length=chat_services.CLOSE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _report_rows(status: str) -> list[dict[str, Any]]:
    rows = chat_selectors.reports_for_coordinator(status=status)
    conversation_ids = {row.report.conversation_id for row in rows}
    user_ids = {m.sender_id for row in rows for m in row.context}
    # Two reads for the whole page (names of the senders, state of the conversations).
    names = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "name"))
    open_ids = set(
        Conversation.objects.filter(
            pk__in=conversation_ids, status=Conversation.Status.OPEN
        ).values_list("pk", flat=True)
    )
    return [
        {
            "report": row.report,
            "messages": [
                {
                    "message": m,
                    "sender": names.get(m.sender_id, ""),
                    "reported": m.pk == row.report.message_id,
                }
                for m in row.context
            ],
            "conversation_open": row.report.conversation_id in open_ids,
        }
        for row in rows
    ]


def _reports_page(
    request: HttpRequest,
    *,
    status: int = 200,
    bound: dict[int, forms.Form] | None = None,
) -> HttpResponse:
    show = "resolved" if request.GET.get("status") == "resolved" else "open"
    rows = _report_rows(show)
    for row in rows:
        report_id = row["report"].pk
        row["resolve_form"] = (bound or {}).get(report_id) or ResolveForm(prefix=f"r{report_id}")
        row["close_form"] = (bound or {}).get(-report_id) or CloseConversationForm(
            prefix=f"c{report_id}"
        )
    context = {"rows": rows, "show": show}
    return render(request, "frontend/coordinator/reports.html", context, status=status)


@coordinator_required
def reports(request: HttpRequest) -> HttpResponse:
    return _reports_page(request)


@coordinator_required
@require_POST
def report_resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    form = ResolveForm(request.POST, prefix=f"r{report_id}")
    if form.is_valid():
        try:
            chat_services.report_resolve(
                report_id=report_id,
                by=_coordinator(request),
                resolution=form.cleaned_data["resolution"],
            )
        except Report.DoesNotExist as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("The report is resolved."))
            return redirect("frontend:coordinator:reports")
    return _reports_page(request, status=400, bound={report_id: form})


@coordinator_required
@require_POST
def conversation_close(request: HttpRequest, conversation_id: int) -> HttpResponse:
    report_id = int(request.POST.get("report", 0) or 0)
    form = CloseConversationForm(request.POST, prefix=f"c{report_id}")
    if form.is_valid():
        try:
            chat_services.conversation_close(
                conversation_id=conversation_id,
                by=_coordinator(request),
                reason=form.cleaned_data["reason"],
            )
        except Conversation.DoesNotExist as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("The conversation is closed."))
            return redirect("frontend:coordinator:reports")
    return _reports_page(request, status=400, bound={-report_id: form})
