"""``manage.py seed_demo``: a realistic demo set, the same after two runs, with working logins."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from itertools import combinations
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CheckRecord, HostProfile, RegistryRecord, StudentProfile, User
from accounts.reference_data import WEEKLY_SLOT_CODES
from accounts.registry.selectors import person_status
from accounts.selectors import profile_is_complete
from matching.demo import EXCHANGE_NAME, HOME_VISIT_NAME
from matching.demo_visits import PAST_NAME
from matching.models import Application, GroupRequest, HostDay, Incident, Program, Reoffer
from matching.services.rounds import round_start
from matching.visit_day_demo import SAMPLE_NAME

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, Any]:
    return {
        "users": sorted(User.objects.values_list("email", "name", "role", "preferred_language")),
        "students": sorted(
            StudentProfile.objects.values_list(
                "user__email", "nationality", "birth_year", "diet", "allergies", "home_station"
            )
        ),
        "hosts": sorted(
            HostProfile.objects.values_list("user__email", "household_name", "pets", "smoking")
        ),
        "programs": sorted(Program.objects.values_list("name", "kind", "dates")),
        "applications": sorted(
            Application.objects.values_list(
                "program__name", "user__email", "dates", "teaches", "learns", "time_slots"
            )
        ),
        "days": sorted(HostDay.objects.values_list("application__user__email", "date", "seats")),
        "registry": sorted(
            RegistryRecord.objects.values_list(
                "user__email", "valid_until", "school__name_en", "suspended_reason"
            )
        ),
        "checks": sorted(
            CheckRecord.objects.values_list("user__email", "vetting_check", "done_on")
        ),
    }


def logins(output: str) -> tuple[str, dict[str, str]]:
    password = re.search(r"password:\s*\n\s*(\S+)", output)
    assert password, output
    found = dict(re.findall(r"^\s*(coordinator|student|host family)\s+(\S+@\S+)\s*$", output, re.M))
    assert set(found) == {"coordinator", "student", "host family"}, output
    return password.group(1), found


def test_seeding_twice_leaves_the_same_data() -> None:
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first


def test_the_demo_is_realistic() -> None:
    seed()
    students = User.objects.filter(role="student")
    hosts = User.objects.filter(role="host")
    assert User.objects.filter(role="coordinator").count() == 1
    assert 30 <= students.count() <= 45
    assert 15 <= hosts.count() <= 25
    assert all(profile_is_complete(user) for user in [*students, *hosts])
    nationalities = set(StudentProfile.objects.values_list("nationality", flat=True))
    assert {"VN", "CN", "NP", "KR", "ID", "PH", "US", "FR", "BR", "LK", "MM", "MN"} <= {
        str(n) for n in nationalities
    }
    profiles = list(StudentProfile.objects.all())
    assert any(p.diet for p in profiles) and any(not p.diet for p in profiles)
    assert any(p.allergies for p in profiles)
    assert any(p.needs_non_smoking for p in profiles)
    assert len({p.home_station_id for p in profiles}) >= 8
    assert len({p.max_travel_minutes for p in profiles}) >= 3
    families = list(HostProfile.objects.all())
    assert all(re.search(r"[\u4e00-\u9fff]家 / the \w+ family", f.household_name) for f in families)
    assert any(f.pets for f in families) and any(f.smoking for f in families)
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", f.bio) for f in families)
    assert all(re.search(r"[A-Za-z]{4,}", f.bio) for f in families)
    # The students' own wishes and the homes' matching facts all appear.
    assert any(p.avoid_pets for p in profiles)
    assert {"woman_at_home", "women_only"} <= {p.household_preference for p in profiles}
    assert {"with_children", "without_children"} <= {p.children_preference for p in profiles}
    for wish in ("needs_step_free", "needs_alcohol_free", "needs_prayer_space"):
        assert any(getattr(p, wish) for p in profiles), wish
    assert any(set(p.allergies) & {"bird", "rabbit", "small_animal"} for p in profiles)
    for fact in ("easy_japanese", "step_free", "alcohol_free", "prayer_space"):
        assert any(getattr(f, fact) for f in families), fact
    assert {"women_only", "men_only", "mixed"} <= {f.household_genders for f in families}


def test_a_home_visit_round_on_the_demo_places_most_students(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The demo's wishes and the programme's language rule leave most students placeable."""
    seed()
    visits = Program.objects.get(name=HOME_VISIT_NAME)
    coordinator = User.objects.get(role="coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        rnd = round_start(program=visits, by=coordinator)
    rnd.refresh_from_db()
    assert rnd.status == "draft", rnd.error
    students = visits.applications.filter(role="student").count()
    assert rnd.proposals.count() >= 0.6 * students


def test_every_demo_programme_is_named_in_each_language_not_in_one_bilingual_string() -> None:
    seed()
    assert Program.objects.count() >= 6
    for program in Program.objects.all():
        assert " / " not in program.name, program.name
        for language in ("en", "ja-easy", "zh-hans", "vi", "ne", "ko"):
            assert program.translations.get(language, {}).get("name"), (program.name, language)


def test_the_programmes_are_open_with_most_people_applied() -> None:
    seed()
    visits = Program.objects.get(name=HOME_VISIT_NAME)
    assert visits.status == "open" and len(visits.dates) == 2
    today = timezone.localdate()
    for day in visits.dates:
        ahead = (dt.date.fromisoformat(day) - today).days
        assert 20 <= ahead <= 35
    applied = visits.applications.all()
    assert (
        applied.filter(role="student").count() > 0.7 * User.objects.filter(role="student").count()
    )
    assert applied.filter(role="host").count() > 0.7 * User.objects.filter(role="host").count()
    assert HostDay.objects.filter(application__program=visits).exists()
    ranked = [a.date_ranking for a in applied.filter(role="student") if a.date_ranking]
    assert ranked and all(r == visits.dates[1:] for r in ranked)
    exchange = Program.objects.get(kind="language_exchange")
    assert exchange.applications.filter(role="student").exists()
    assert exchange.applications.filter(role="host").exists()


def test_the_demo_has_friends_who_visit_together_and_an_invitation_waiting(
    django_capture_on_commit_callbacks: Any,
) -> None:
    seed()
    visits = Program.objects.get(name=HOME_VISIT_NAME)
    requests = GroupRequest.objects.filter(program=visits).select_related("inviter", "invitee")
    confirmed = requests.get(status=GroupRequest.Status.CONFIRMED)
    assert requests.filter(status=GroupRequest.Status.PENDING).count() == 1
    # The first demo student, whose login the command prints, is one of the friends.
    first = User.objects.filter(role="student").order_by("pk").first()
    assert first is not None and confirmed.inviter.user_id == first.pk
    assert set(confirmed.inviter.dates) & set(confirmed.invitee.dates)
    assert visits.applications.filter(not_alone=True).count() == 1
    # The round places the two together, or neither.
    coordinator = User.objects.get(role="coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        rnd = round_start(program=visits, by=coordinator)
    rnd.refresh_from_db()
    assert rnd.groups == [[confirmed.inviter_id, confirmed.invitee_id]]
    placed = {
        p.student_application_id: (p.host_application_id, p.date) for p in rnd.proposals.all()
    }
    pair = [placed.get(confirmed.inviter_id), placed.get(confirmed.invitee_id)]
    assert pair[0] == pair[1]


def test_the_report_to_the_city_has_this_year_and_last_to_show() -> None:
    from matching.selectors.city_report import city_report, fiscal_year

    seed()
    today = timezone.localdate()
    start, end = fiscal_year(today)
    last_year_end = start - dt.timedelta(days=1)
    last_year = city_report(start=fiscal_year(last_year_end)[0], end=last_year_end)
    assert last_year.totals["visits_held"] and last_year.totals["feedback"]
    assert len(last_year.by_nationality) >= 3
    assert any(row["count"] >= 3 and row["reason"] for row in last_year.decline_reasons)
    # This fiscal year has visits once two weeks of it have passed.
    if (today - start).days >= 21:
        this_year = city_report(start=start, end=end)
        assert this_year.totals["visits_held"] and this_year.first_time[0]["repeat"] > 0
    from matching.demo_history import PAST_PROGRAMS

    names = [name for name, _translations in PAST_PROGRAMS]
    past = Program.objects.filter(name__in=names, kind="home_visit", status="closed")
    assert past.count() == 3


def test_the_language_exchange_applicants_can_be_paired(
    django_capture_on_commit_callbacks: Any,
) -> None:
    seed()
    exchange = Program.objects.get(kind="language_exchange")
    applications = list(exchange.applications.all())
    slots = [set(a.time_slots) for a in applications]
    assert all(s and s <= WEEKLY_SLOT_CODES for s in slots)
    teaches_learns = [(set(a.teaches), set(a.learns)) for a in applications]
    assert any(
        a[0] & b[1] and b[0] & a[1] and sa & sb
        for (a, sa), (b, sb) in combinations(zip(teaches_learns, slots, strict=True), 2)
    ), "no two demo applicants teach each other's language and share a weekly slot"
    # A coordinator who runs a round on the demo gets pairs, not only "no shared slot".
    coordinator = User.objects.get(role="coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        rnd = round_start(program=exchange, by=coordinator)
    rnd.refresh_from_db()
    assert rnd.status == "draft", rnd.error
    assert rnd.proposals.count() >= 2


def test_the_printed_logins_work(api: APIClient) -> None:
    password, accounts = logins(seed())
    for role, email in accounts.items():
        answer = api.post("/api/auth/token/", {"email": email, "password": password})
        assert answer.status_code == 200, (role, answer.content)
        api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        me = api.get("/api/me/").json()
        api.credentials()
        assert me["role"] == {"host family": "host"}.get(role, role)


def test_reset_reloads_the_demo_and_keeps_other_accounts() -> None:
    other = User.objects.create_user(
        "real.person@example.org", "x-long-password-1", name="Real", role="student"
    )
    seed()
    first = snapshot()
    User.objects.filter(email__startswith="lan.nguyen@").update(name="Changed")
    output = seed("--reset")
    assert "Deleted" in output
    assert snapshot() == first
    assert User.objects.filter(pk=other.pk).exists()


def test_seed_demo_refuses_production(settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        seed()
    assert not User.objects.exists()


def test_each_stage_prints_a_line_with_its_counts() -> None:
    lines = [line for line in seed().splitlines() if line.startswith("seed_demo: ")]
    assert [line.split(":")[1].strip() for line in lines] == [
        "people",
        "people",
        "registry",
        "programmes",
        "applications",
        "re-offers",
        "past year",
        "visit day",
    ]
    assert "1 coordinator and 36 students (37 new)" in lines[0]
    assert "20 host families (20 new)" in lines[1]
    assert "(56 new)" in lines[2]
    assert "(2 new)" in lines[3]
    visits, exchange = (Program.objects.get(name=n) for n in (HOME_VISIT_NAME, EXCHANGE_NAME))
    assert (
        f"{visits.applications.count()} to the home visit, "
        f"{exchange.applications.count()} to the language exchange; "
        "1 pair visiting together, 1 invitation waiting"
    ) in lines[4]
    assert "(1 new)" in lines[5]
    again = [line for line in seed().splitlines() if line.startswith("seed_demo: ")]
    assert all("(0 new)" in line for line in [*again[:4], again[5]])
    assert "0 new visits" in again[6] and "0 new visits" not in lines[6]
    assert "a visit held, a disagreement to settle and a no-show" in lines[7]
    assert "the past programme exists" in again[7]


def test_the_demo_accounts_are_verified_and_sent_no_link(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        seed()
    assert not User.objects.filter(email_verified_at__isnull=True).exists()
    assert mail.outbox == []


def test_a_demo_seeded_before_verification_is_verified_by_the_next_run() -> None:
    seed()
    User.objects.update(email_verified_at=None)
    seed()
    assert not User.objects.filter(email_verified_at__isnull=True).exists()


def test_the_registry_shows_every_status_with_families_lapsing_soon() -> None:
    seed()
    today = timezone.localdate()
    statuses = {
        role: {
            person_status(role=role, record=getattr(user, "registry", None))
            for user in User.objects.filter(role=role).select_related("registry")
        }
        for role in ("host", "student")
    }
    assert statuses == {
        "host": {"pending", "approved", "expired", "suspended"},
        "student": {"pending", "confirmed", "expired"},
    }
    soon = RegistryRecord.objects.filter(
        user__role="host",
        suspended_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=30),
    )
    assert soon.count() >= 2
    # Most people can be matched: the demo's round still has plenty to propose.
    approved = sum(
        person_status(role="host", record=r) == "approved"
        for r in RegistryRecord.objects.filter(user__role="host")
    )
    assert approved >= 14
    assert RegistryRecord.objects.filter(user__role="student", school__isnull=False).count() >= 30


def test_the_sample_programme_shows_a_reoffer_and_incidents_in_each_state() -> None:
    seed()
    sample = Program.objects.get(name=SAMPLE_NAME)
    reoffer = Reoffer.objects.get(program=sample)
    assert reoffer.outcome == "offered"
    assert reoffer.freed.status == "declined"
    assert reoffer.proposal is not None and reoffer.proposal.status == "proposed"
    cases = Incident.objects.filter(proposal__program=sample)
    assert set(cases.values_list("status", flat=True)) == {"open", "in_progress", "closed"}
    assert cases.filter(severity="high", status="open").exists()
    assert cases.get(status="in_progress").notes.exists()
    assert cases.get(status="closed").outcome == "warning"


def test_the_demo_shows_meetings_and_what_happened_after_a_past_visit() -> None:
    from matching.models import Attendance, Feedback, MeetingPoint
    from matching.selectors.attendance import disputed_visits

    seed()
    upcoming = Program.objects.get(name=HOME_VISIT_NAME)
    assert MeetingPoint.objects.filter(program=upcoming).count() == 2
    past = Program.objects.get(name=PAST_NAME)
    assert all(dt.date.fromisoformat(day) < timezone.localdate() for day in past.dates)
    held = Attendance.objects.filter(proposal__program=past, outcome="held", side="host")
    assert held.exists() and Feedback.objects.filter(proposal__program=past).count() == 2
    assert len(disputed_visits(program_id=past.pk)) == 1
    assert Attendance.objects.filter(side="coordinator", outcome="student_absent").exists()
