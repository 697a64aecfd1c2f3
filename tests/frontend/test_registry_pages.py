"""The registry's pages: the coordinator's list and a person's page (record a check, suspend,
confirm a student), and a family's or a student's own registration page (pick a school,
renew in one step)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CheckRecord, PartnerSchool, RegistryRecord, User
from matching.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db

PageClient = Callable[..., Client]


def today() -> dt.date:
    return timezone.localdate()


def test_the_registry_lists_people_with_their_status_and_filters(
    coord: Client, django_assert_max_num_queries: Any
) -> None:
    pending = factories.HostProfileFactory(standing="pending", household_name="Family Pending")
    factories.HostProfileFactory(household_name="Family Approved")
    factories.StudentProfileFactory(standing="expired", user__name="Lapsed Student")
    url = reverse("frontend:coordinator:people")
    page = coord.get(url).content.decode()
    assert "Family Pending" in page and "Family Approved" in page and "Lapsed Student" in page
    only = coord.get(url, {"status": "pending", "role": "host"}).content.decode()
    assert "Family Pending" in only and "Family Approved" not in only
    assert reverse("frontend:coordinator:person", args=[pending.user_id]) in only
    factories.HostProfileFactory.create_batch(5)
    with django_assert_max_num_queries(8):
        assert coord.get(url).status_code == 200


def test_a_coordinator_records_the_checks_that_approve_a_family(coord: Client) -> None:
    family = factories.HostProfileFactory(standing="pending").user
    url = reverse("frontend:coordinator:person_check", args=[family.pk])
    for code in ("briefing", "home-visit", "household-consent", "pledge"):
        answer = coord.post(url, {"check": code, "done_on": today().isoformat(), "note": "ok"})
        assert answer.status_code == 302
    page = coord.get(reverse("frontend:coordinator:person", args=[family.pk])).content.decode()
    assert "badge--ok" in page and "Approved" in page
    assert CheckRecord.objects.filter(user=family).count() == 4


def test_a_bad_check_is_shown_beside_its_field(coord: Client) -> None:
    family = factories.HostProfileFactory(standing="pending").user
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    answer = coord.post(
        reverse("frontend:coordinator:person_check", args=[family.pk]),
        {"check": "pledge", "done_on": tomorrow},
    )
    assert answer.status_code == 400
    assert "The date cannot be in the future." in answer.content.decode()
    assert not CheckRecord.objects.exists()


def test_suspending_from_the_page_cancels_the_familys_proposals(coord: Client) -> None:
    proposal = factories.ProposalFactory(status=Proposal.Status.PROPOSED)
    family = proposal.host_application.user
    answer = coord.post(
        reverse("frontend:coordinator:person_suspend", args=[family.pk]), {"reason": "complaint"}
    )
    assert answer.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CANCELLED
    page = coord.get(reverse("frontend:coordinator:person", args=[family.pk])).content.decode()
    assert "complaint" in page and "Lift the suspension" in page
    coord.post(reverse("frontend:coordinator:person_reinstate", args=[family.pk]))
    assert RegistryRecord.objects.get(user=family).suspended_at is None


def test_a_coordinator_confirms_a_student_from_the_page(coord: Client) -> None:
    student = factories.StudentProfileFactory(standing="pending").user
    coord.post(reverse("frontend:coordinator:person_confirm", args=[student.pk]))
    assert RegistryRecord.objects.get(user=student).confirmed_via == "coordinator"
    # A family cannot be confirmed: the page says why and changes nothing.
    family = factories.HostProfileFactory(standing="pending").user
    answer = coord.post(
        reverse("frontend:coordinator:person_confirm", args=[family.pk]), follow=True
    )
    assert "Only students are confirmed" in answer.content.decode()
    assert not RegistryRecord.objects.filter(user=family, confirmed_at__isnull=False).exists()


@pytest.mark.parametrize(("language", "word"), [("en", "Nothing has changed"), ("ja", "変更なし")])
def test_a_family_renews_in_one_step(page_client: PageClient, language: str, word: str) -> None:
    family = factories.HostProfileFactory().user
    for code in ("briefing", "home-visit", "household-consent", "pledge"):
        CheckRecord.objects.create(user=family, vetting_check_id=code, done_on=today())
    ends = today() + dt.timedelta(days=7)
    RegistryRecord.objects.filter(user=family).update(valid_until=ends)
    client = page_client(family, language)
    page = client.get(reverse("frontend:registration")).content.decode()
    assert word in page
    dashboard = client.get(reverse("frontend:dashboard")).content.decode()
    assert reverse("frontend:registration") in dashboard
    answer = client.post(reverse("frontend:registration"), {"action": "renew", "unchanged": "yes"})
    assert answer.status_code == 302
    record = RegistryRecord.objects.get(user=family)
    assert record.valid_until is not None and record.valid_until > ends
    assert record.renewed_with_changes is False


def test_a_family_with_a_lapsed_check_is_told_why(page_client: PageClient) -> None:
    family = factories.HostProfileFactory().user
    CheckRecord.objects.create(
        user=family, vetting_check_id="briefing", done_on=today() - dt.timedelta(days=4 * 365)
    )
    client = page_client(family, "en")
    answer = client.post(reverse("frontend:registration"), {"action": "renew", "unchanged": "no"})
    assert answer.status_code == 409
    assert "A required check has lapsed" in answer.content.decode()


def test_a_pending_family_sees_its_checks_and_no_renewal(page_client: PageClient) -> None:
    family = factories.HostProfileFactory(standing="pending").user
    page = page_client(family, "en").get(reverse("frontend:registration")).content.decode()
    assert "Briefing attended" in page and "not yet" in page
    assert "Nothing has changed" not in page


def test_a_student_picks_a_school_on_the_page(page_client: PageClient) -> None:
    school = PartnerSchool.objects.create(
        name_ja="武蔵野大学", name_en="Musashino U", domains=["musashino-u.ac.jp"]
    )
    student: User = factories.StudentProfileFactory(
        standing="pending", user__email="an@musashino-u.ac.jp"
    ).user
    client = page_client(student, "en")
    assert "Musashino U" in client.get(reverse("frontend:registration")).content.decode()
    answer = client.post(
        reverse("frontend:registration"), {"action": "school", "school": school.pk}
    )
    assert answer.status_code == 302
    assert RegistryRecord.objects.get(user=student).confirmed_via == "domain"
    bad = client.post(reverse("frontend:registration"), {"action": "school", "school": "x"})
    assert bad.status_code == 400
