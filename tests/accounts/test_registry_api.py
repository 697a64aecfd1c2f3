"""The registry's API: /api/people/{id}/ and its actions for coordinators, /api/me/renewal/
and /api/me/school/ for students and families, and the reference's checks and schools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CheckRecord, PartnerSchool, RegistryRecord, User
from tests import factories

pytestmark = pytest.mark.django_db

Client = Callable[[User | None], APIClient]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def today() -> dt.date:
    return timezone.localdate()


def test_a_coordinator_reads_a_familys_standing_and_checks(
    client_for: Client, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    family = factories.HostProfileFactory(standing="pending").user
    CheckRecord.objects.create(
        user=family, vetting_check_id="pledge", done_on=today(), note="n", recorded_by=coordinator
    )
    client = client_for(coordinator)
    # Authentication (2), the person, their checks, the association's checks.
    with django_assert_max_num_queries(6):
        answer = client.get(f"/api/people/{family.pk}/")
    assert answer.status_code == 200
    data = answer.json()
    assert {k: data[k] for k in ("id", "role", "status", "valid_until")} == {
        "id": family.pk,
        "role": "host",
        "status": "pending",
        "valid_until": None,
    }
    states = {c["check"]: c for c in data["checks"]}
    assert list(states) == ["briefing", "home-visit", "household-consent", "pledge"]
    assert states["pledge"]["current"] is True and states["briefing"]["done_on"] is None
    assert data["history"][0]["note"] == "n"
    assert data["history"][0]["recorded_by"] == coordinator.name


def test_recording_every_check_approves_the_family(client_for: Client, coordinator: User) -> None:
    family = factories.HostProfileFactory(standing="pending").user
    client = client_for(coordinator)
    for code in ("briefing", "home-visit", "household-consent", "pledge"):
        answer = client.post(
            f"/api/people/{family.pk}/checks/",
            {"check": code, "done_on": today().isoformat(), "note": ""},
            format="json",
        )
        assert answer.status_code == 201
    assert answer.json()["status"] == "approved"
    assert answer.json()["valid_until"] is not None


def test_a_bad_check_names_its_fields_and_changes_nothing(
    client_for: Client, coordinator: User
) -> None:
    family = factories.HostProfileFactory(standing="pending").user
    client = client_for(coordinator)
    answer = client.post(
        f"/api/people/{family.pk}/checks/", {"check": "astrology", "done_on": "soon"}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"done_on"}
    answer = client.post(
        f"/api/people/{family.pk}/checks/",
        {"check": "astrology", "done_on": (today() + dt.timedelta(days=2)).isoformat()},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"check", "done_on"}
    assert not CheckRecord.objects.exists()


def test_checks_for_a_student_or_a_missing_person(
    client_for: Client, coordinator: User, student: User
) -> None:
    client = client_for(coordinator)
    body = {"check": "pledge", "done_on": today().isoformat()}
    assert client.post(f"/api/people/{student.pk}/checks/", body, format="json").status_code == 409
    assert client.post("/api/people/987654/checks/", body, format="json").status_code == 404
    assert client.get(f"/api/people/{coordinator.pk}/").status_code == 404


def test_only_coordinators_use_the_people_endpoints(
    client_for: Client, host: User, student: User
) -> None:
    for caller in (host, student, None):
        client = client_for(caller)
        assert client.get(f"/api/people/{host.pk}/").status_code in (401, 403)
        answer = client.post(f"/api/people/{host.pk}/suspend/", {"reason": "x"}, format="json")
        assert answer.status_code in (401, 403)
    assert RegistryRecord.objects.get(user=host).suspended_at is None


def test_suspending_a_family_cancels_its_open_proposals_and_tells_both_sides(
    client_for: Client, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    from matching.models import Proposal

    proposal = factories.ProposalFactory(status=Proposal.Status.PROPOSED)
    family = proposal.host_application.user
    student = proposal.student_application.user
    client = client_for(coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/api/people/{family.pk}/suspend/", {"reason": "complaint under review"}, format="json"
        )
    assert answer.status_code == 200
    assert answer.json()["status"] == "suspended"
    assert answer.json()["suspended_reason"] == "complaint under review"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CANCELLED
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted([family.email, student.email])
    # The other side is not told why the family was suspended.
    assert all("complaint" not in message.body for message in mail.outbox)
    again = client.post(f"/api/people/{family.pk}/suspend/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    missing = client.post(f"/api/people/{family.pk}/suspend/", {}, format="json")
    assert set(missing.json()) == {"reason"}


def test_a_coordinator_confirms_a_student(
    client_for: Client, coordinator: User, host: User
) -> None:
    student = factories.StudentProfileFactory(standing="pending").user
    client = client_for(coordinator)
    answer = client.post(f"/api/people/{student.pk}/confirm/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "confirmed"
    assert answer.json()["confirmed_via"] == "coordinator"
    assert client.post(f"/api/people/{host.pk}/confirm/").status_code == 409


def test_a_family_renews_in_one_step(client_for: Client) -> None:
    family = factories.HostProfileFactory().user
    for code in ("briefing", "home-visit", "household-consent", "pledge"):
        CheckRecord.objects.create(user=family, vetting_check_id=code, done_on=today())
    ends = today() + dt.timedelta(days=7)
    RegistryRecord.objects.filter(user=family).update(valid_until=ends)
    answer = client_for(family).post("/api/me/renewal/", {"unchanged": True}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "approved"
    assert answer.json()["valid_until"] > ends.isoformat()


def test_renewal_is_409_when_a_required_check_has_lapsed(client_for: Client) -> None:
    family = factories.HostProfileFactory().user
    long_ago = today() - dt.timedelta(days=4 * 365)
    CheckRecord.objects.create(user=family, vetting_check_id="briefing", done_on=long_ago)
    for code in ("home-visit", "household-consent", "pledge"):
        CheckRecord.objects.create(user=family, vetting_check_id=code, done_on=today())
    before = RegistryRecord.objects.get(user=family).valid_until
    answer = client_for(family).post("/api/me/renewal/", {"unchanged": True}, format="json")
    assert answer.status_code == 409
    assert "detail" in answer.json()
    assert RegistryRecord.objects.get(user=family).valid_until == before


def test_renewal_needs_the_unchanged_answer_and_a_member(
    client_for: Client, coordinator: User, host: User
) -> None:
    assert client_for(host).post("/api/me/renewal/", {}, format="json").json().keys() == {
        "unchanged"
    }
    assert (
        client_for(coordinator)
        .post("/api/me/renewal/", {"unchanged": True}, format="json")
        .status_code
        == 403
    )


def test_a_student_picks_a_school_and_is_confirmed_by_its_domain(
    client_for: Client, host: User
) -> None:
    school = PartnerSchool.objects.create(
        name_ja="武蔵野大学", name_en="Musashino U", domains=["musashino-u.ac.jp"]
    )
    student = factories.StudentProfileFactory(
        standing="pending", user__email="an@stu.musashino-u.ac.jp"
    ).user
    answer = client_for(student).post("/api/me/school/", {"school": school.pk}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "confirmed"
    assert answer.json()["school"]["name_en"] == "Musashino U"
    assert client_for(student).get("/api/me/").json()["registration"]["status"] == "confirmed"
    assert client_for(student).post(
        "/api/me/school/", {"school": 987654}, format="json"
    ).json().keys() == {"school"}
    assert (
        client_for(host).post("/api/me/school/", {"school": school.pk}, format="json").status_code
        == 409
    )


def test_the_reference_lists_the_checks_and_schools(api: APIClient) -> None:
    PartnerSchool.objects.create(
        name_ja="武蔵野大学", name_en="Musashino U", domains=["musashino-u.ac.jp"]
    )
    PartnerSchool.objects.create(name_ja="閉校", name_en="Closed", active=False)
    data = api.get("/api/reference/?lang=ja").json()
    assert [c["code"] for c in data["vetting_checks"]] == [
        "briefing",
        "home-visit",
        "household-consent",
        "pledge",
    ]
    assert data["vetting_checks"][0]["name"] == "説明会への参加"
    assert data["vetting_checks"][0]["valid_months"] == 36
    assert [s["name"] for s in data["schools"]] == ["武蔵野大学"]
    assert api.get("/api/reference/?lang=en").json()["schools"][0]["name"] == "Musashino U"
