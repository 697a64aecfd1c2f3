"""The pages of the matching rules: the student's wishes and the home's facts in the profile
steps, the programme's language rule on the coordinator's form, the first choice of day on the
application form, and every new unplaced reason in Japanese and English."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import HostProfile, StudentProfile, User
from frontend.views.coordinator.reasons import reason_text
from matching.models import Application, Program
from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver import HostIn, LanguageRule, Problem, StudentIn, solve
from tests import factories
from tests.matching.conftest import future_days

pytestmark = pytest.mark.django_db


def _step(name: str) -> str:
    return reverse("frontend:profile_step", kwargs={"step": name})


def test_a_student_states_their_wishes_for_the_home(page_client: Any, student: User) -> None:
    client = page_client(student, language="en")
    html = client.get(_step("home")).content.decode()
    assert "Only women live there" in html and "I need a quiet space for prayer" in html
    answer = client.post(
        _step("home"),
        {
            "household_preference": "woman_at_home",
            "children_preference": "without_children",
            "avoid_pets": ["dog", "bird"],
            "needs_step_free": "on",
            "needs_alcohol_free": "on",
            "needs_prayer_space": "on",
        },
    )
    assert answer.status_code == 302
    profile = StudentProfile.objects.get(user=student)
    assert profile.household_preference == "woman_at_home"
    assert profile.children_preference == "without_children"
    assert profile.avoid_pets == ["bird", "dog"]
    assert profile.needs_step_free and profile.needs_alcohol_free and profile.needs_prayer_space


def test_a_bad_wish_is_an_error_beside_its_field(page_client: Any, student: User) -> None:
    answer = page_client(student, language="en").post(
        _step("home"), {"household_preference": "quiet", "avoid_pets": ["unicorn"]}
    )
    assert answer.status_code == 200  # the form again, with the errors
    html = answer.content.decode()
    assert 'id="id_household_preference_error"' in html
    assert 'id="id_avoid_pets_error"' in html


def test_a_family_gives_the_facts_of_its_home(page_client: Any, host: User) -> None:
    client = page_client(host, language="ja")
    client.post(
        _step("household"),
        {
            "household_name": "田中家",
            "household_size": "1",
            "household_genders": "women_only",
            "easy_japanese": "on",
            "guest_gender_preference": "any",
        },
    )
    client.post(
        _step("home"),
        {"pets": ["rabbit"], "step_free": "on", "alcohol_free": "on", "prayer_space": "on"},
    )
    profile = HostProfile.objects.get(user=host)
    assert (profile.household_size, profile.household_genders) == (1, "women_only")
    assert profile.easy_japanese and profile.step_free and profile.alcohol_free
    assert profile.prayer_space and profile.pets == ["rabbit"]


@pytest.mark.parametrize("size", ["0", "-3"])
def test_a_household_of_no_one_is_refused_on_the_page(
    page_client: Any, host: User, size: str
) -> None:
    before = HostProfile.objects.get(user=host).household_size
    answer = page_client(host, language="en").post(
        _step("household"),
        {"household_name": "x", "household_size": size, "guest_gender_preference": "any"},
    )
    assert answer.status_code == 200  # the form again, with the error
    assert (
        "Must be between 1 and 20."
        in answer.content.decode().split('id="id_household_size_error"', 1)[1]
    )
    assert HostProfile.objects.get(user=host).household_size == before


def test_the_coordinator_sets_the_programmes_language_rule(coord: Client) -> None:
    form = coord.get(reverse("frontend:coordinator:program_create")).content.decode()
    assert 'name="language_level"' in form and 'name="allow_easy_japanese"' in form
    answer = coord.post(
        reverse("frontend:coordinator:program_create"),
        {
            "name": "Summer visits",
            "kind": "home_visit",
            "dates": "\n".join(future_days(30, 37)),
            "apply_until": future_days(10)[0] + "T10:00",
            "response_hours": "72",
            "language_level": "none",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    program = Program.objects.get(name="Summer visits")
    assert (program.language_level, program.allow_easy_japanese) == ("none", False)


def test_a_student_gives_a_first_choice_of_day(page_client: Any, student: User) -> None:
    program = factories.ProgramFactory(dates=future_days(30, 37))
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    client = page_client(student, language="en")
    assert "Your first choice" in client.get(url).content.decode()
    answer = client.post(url, {"dates": program.dates, "date_ranking": program.dates[1]})
    assert answer.status_code == 302
    assert Application.objects.get(user=student).date_ranking == [program.dates[1]]


def test_a_first_choice_the_student_cannot_make_is_refused_beside_the_field(
    page_client: Any, student: User
) -> None:
    program = factories.ProgramFactory(dates=future_days(30, 37))
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    answer = page_client(student, language="en").post(
        url, {"dates": program.dates[:1], "date_ranking": program.dates[1]}
    )
    assert answer.status_code == 200  # the form again, with the error
    assert "Rank only the days you can make" in answer.content.decode()
    assert not Application.objects.filter(user=student).exists()


def _solver_reasons() -> list[tuple[str, dict[str, Any]]]:
    """Each new reason as the solver writes it, for a student and for a family."""
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"languages": {"vi": "native"}}, {"languages": {"ja": "native"}}),
        ({"avoid_pets": ("dog",)}, {"pets": ("dog",)}),
        ({"allergies": ("bird",)}, {"pets": ("bird",)}),
        ({"needs_alcohol_free": True}, {}),
        ({"needs_step_free": True}, {}),
        ({"needs_prayer_space": True}, {}),
        ({"household_preference": "women_only"}, {}),
        ({"children_preference": "with_children"}, {}),
        ({"gender": "unspecified"}, {"guest_gender_preference": "female"}),
    ]
    out = []
    for wish, fact in cases:
        r = solve(
            Problem(
                students=(StudentIn(key=1, dates=(0,), **wish),),
                hosts=(HostIn(key=9, seats={0: 1}, **fact),),
                date_labels=tuple(future_days(30)),
                vocabulary=REFERENCE_VOCABULARY,
                language_rule=LanguageRule(),
            )
        )
        out.append(("student", r.unplaced_students[0].reasons[0].as_dict()))
        out.append(("host", r.unplaced_hosts[0].reasons[0].as_dict()))
    r = solve(
        Problem(
            students=(StudentIn(key=1, dates=(0,)),),
            hosts=(HostIn(key=9, seats={0: 1}),),
            date_labels=tuple(future_days(30)),
            vocabulary=REFERENCE_VOCABULARY,
            forbidden={(1, 9): "met_before"},
        )
    )
    out.append(("host", r.unplaced_hosts[0].reasons[0].as_dict()))
    return out


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_new_reason_reads_in_the_coordinators_language(language: str) -> None:
    for role, reason in _solver_reasons():
        with translation.override(language):
            text = reason_text(reason, role)
        assert text != reason["text"], (role, reason["code"])
        assert "%(" not in text and "_" not in text, text
        if language == "ja":
            assert any("\u3040" <= ch <= "\u30ff" for ch in text), text


def test_a_family_excluded_for_meeting_before_is_not_blamed_on_the_coordinator() -> None:
    reason = _solver_reasons()[-1][1]
    with translation.override("en"):
        text = reason_text(reason, "host")
    assert text == "The only students who fit are excluded: met before."


def test_the_review_explains_a_language_exclusion(
    coord: Client, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    program = factories.ProgramFactory(created_by=coordinator, dates=future_days(30, 37))
    student = factories.ApplicationFactory(
        program=program,
        user=factories.StudentProfileFactory(
            languages=[{"code": "vi", "level": "native"}], user__name="Viet Only"
        ).user,
    )
    factories.HostApplicationFactory(
        program=program,
        user=factories.HostProfileFactory(languages=[{"code": "ja", "level": "native"}]).user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = coord.post(
            reverse("frontend:coordinator:round_start", args=[program.pk]),
            {"mode": "optimal", "pins": "", "forbids": ""},
        )
    page = coord.get(answer["Location"]).content.decode()
    assert "Viet Only" in page
    assert "shares a language with the student at the programme" in page
    assert student.pk


def test_a_programme_form_without_the_rule_keeps_the_default(coord: Client) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:program_create"),
        {
            "name": "Autumn visits",
            "kind": "home_visit",
            "dates": future_days(30)[0],
            "apply_until": future_days(10)[0] + "T10:00",
            "response_hours": "72",
            "allow_easy_japanese": "on",
        },
    )
    assert answer.status_code == 302
    program = Program.objects.get(name="Autumn visits")
    assert (program.language_level, program.allow_easy_japanese) == ("intermediate", True)


def test_the_coordinator_reads_a_students_wishes_and_a_familys_facts(coord: Client) -> None:
    student = factories.ApplicationFactory(
        user=factories.StudentProfileFactory(
            needs_prayer_space=True, household_preference="women_only", avoid_pets=["rabbit"]
        ).user
    )
    page = coord.get(reverse("frontend:coordinator:application", args=[student.pk]))
    html = page.content.decode()
    assert "Only women live there" in html and "Rabbit" in html
    family = factories.HostApplicationFactory(
        user=factories.HostProfileFactory(household_genders="men_only", easy_japanese=True).user
    )
    html = coord.get(reverse("frontend:coordinator:application", args=[family.pk])).content
    assert "Men only" in html.decode()


def test_the_profile_overview_shows_the_wishes_by_their_names(
    page_client: Any, student: User
) -> None:
    StudentProfile.objects.filter(user=student).update(
        household_preference="woman_at_home", avoid_pets=["small_animal"]
    )
    html = page_client(student, language="en").get(reverse("frontend:profile")).content.decode()
    assert "A woman lives there" in html
    assert "Small animal (hamster and the like)" in html
    assert "woman_at_home" not in html


def test_the_programme_page_states_its_language_rule(coord: Client, coordinator: User) -> None:
    program = factories.ProgramFactory(created_by=coordinator)
    html = coord.get(reverse("frontend:coordinator:program", args=[program.pk])).content.decode()
    assert "Conversational (intermediate) or better" in html
    assert "or easy Japanese with a family that speaks slowly" in html
