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

from accounts.models import HostProfile, StudentProfile, User
from accounts.reference_data import WEEKLY_SLOT_CODES
from accounts.selectors import profile_is_complete
from matching.models import Application, HostDay, Program
from matching.services.rounds import round_start

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
    visits = Program.objects.get(kind="home_visit")
    coordinator = User.objects.get(role="coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        rnd = round_start(program=visits, by=coordinator)
    rnd.refresh_from_db()
    assert rnd.status == "draft", rnd.error
    students = visits.applications.filter(role="student").count()
    assert rnd.proposals.count() >= 0.6 * students


def test_the_programmes_are_open_with_most_people_applied() -> None:
    seed()
    visits = Program.objects.get(kind="home_visit")
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
        "programmes",
        "applications",
    ]
    assert "1 coordinator and 36 students (37 new)" in lines[0]
    assert "20 host families (20 new)" in lines[1]
    assert "(2 new)" in lines[2]
    visits, exchange = (Program.objects.get(kind=k) for k in ("home_visit", "language_exchange"))
    assert (
        f"{visits.applications.count()} to the home visit, "
        f"{exchange.applications.count()} to the language exchange"
    ) in lines[3]
    again = [line for line in seed().splitlines() if line.startswith("seed_demo: ")]
    assert all("(0 new)" in line for line in again[:3])


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
