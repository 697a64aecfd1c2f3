"""Applications of a programme: the filtered table and one applicant's page."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import HostProfile, LanguageLevel, Pet, Role, StudentProfile
from accounts.selectors import (
    profile_missing_fields,
    profile_of,
    reference_labels,
    weekly_slot_labels,
)
from frontend.views.coordinator.common import (
    coordinator_required,
    mark_accepting,
    program_or_404,
)
from frontend.views.coordinator.reasons import join_items, unplaced_items
from matching.models import Application, Program, Proposal
from matching.selectors import groups as group_selectors
from matching.selectors import programs as program_selectors
from matching.selectors import proposals as proposal_selectors
from matching.selectors import rounds as round_selectors
from matching.selectors.attendance import PersonRecord, person_records

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
        # A student's live request to visit together and the other student in it.
        self.group = program_selectors.live_group(application)
        self.group_sent = self.group is not None and self.group.inviter_id == application.pk
        self.partner = (
            None
            if self.group is None
            else self.group.invitee
            if self.group_sent
            else self.group.inviter
        )
        # The person's visits so far (``person_records``), set by the page that lists them.
        self.record: PersonRecord | None = None

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
    rows = [ApplicationRow(a, by_application.get(a.pk, [])) for a in applications]
    records = person_records(user_ids=[row.user.pk for row in rows])
    for row in rows:
        row.record = records.get(row.user.pk)
    return rows


@coordinator_required
def applications(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
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
    names = reference_labels(kinds=("languages", "diets", "allergens", "interests"))
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
    pets = dict(Pet.choices)
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
            (label("avoid_pets"), ", ".join(str(pets.get(p, p)) for p in profile.avoid_pets)),
            (label("household_preference"), profile.get_household_preference_display()),
            (label("children_preference"), profile.get_children_preference_display()),
            (label("needs_step_free"), yes_no(profile.needs_step_free)),
            (label("needs_alcohol_free"), yes_no(profile.needs_alcohol_free)),
            (label("needs_prayer_space"), yes_no(profile.needs_prayer_space)),
            (label("bio"), profile.bio),
        ]
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
        (label("household_genders"), profile.get_household_genders_display()),
        (label("easy_japanese"), yes_no(profile.easy_japanese)),
        (label("step_free"), yes_no(profile.step_free)),
        (label("alcohol_free"), yes_no(profile.alcohol_free)),
        (label("prayer_space"), yes_no(profile.prayer_space)),
        (label("bio"), profile.bio),
    ]


@coordinator_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = program_selectors.application_get(application_id=application_id)
    program = mark_accepting(application.program)
    proposals = [
        p
        for p in proposal_selectors.proposals_for_program(program_id=program.pk)
        if application.pk in (p.student_application_id, p.host_application_id)
    ]
    row = ApplicationRow(application, proposals)
    row.record = person_records(user_ids=[application.user_id]).get(application.user_id)
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
    languages = reference_labels(kinds=("languages",))["languages"] if application.teaches else {}
    left_out = [
        {"round": row.round, "role": application.role, "reasons": row.reasons}
        for row in round_selectors.unplaced_of_application(application=application)
    ]
    group_selectors.partner_names(left_out)
    context = {
        "left_out": unplaced_items(left_out),
        "program": program,
        "application": application,
        "teaches": join_items([languages.get(code) or code for code in application.teaches]),
        "learns": join_items([languages.get(code) or code for code in application.learns]),
        "time_slots": join_items(weekly_slot_labels(application.time_slots)),
        "row": row,
        "title": name,
        "facts": _profile_facts(row.profile),
        "missing_labels": missing_labels,
    }
    return render(request, "frontend/coordinator/application_detail.html", context)
