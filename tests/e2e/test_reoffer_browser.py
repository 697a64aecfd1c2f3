"""In chromium: a student declines a proposal, the freed seat is offered at once to the next
student who fits, that student accepts it on their proposals page, and the coordinator sees the
re-offer on the answers page (accessible at desktop and phone width). Then the first student
reports a problem about the visit on a phone, and the coordinator finds the case."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Role, User
from matching.models import Application, Incident, Proposal, Reoffer
from matching.services.proposals import round_publish
from tests import factories
from tests.e2e.conftest import PHONE, Browsing, off_loop, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _student(name: str) -> User:
    user = factories.UserFactory(role=Role.STUDENT, name=name)
    factories.StudentProfileFactory(user=user)
    return user


def _published(coordinator: User) -> tuple[Proposal, User]:
    """A published proposal (first student, one-seat family) and a second student of the
    programme whom the round did not place."""
    program = factories.ProgramFactory(created_by=coordinator, name="Spring home visits")
    rnd = factories.RoundFactory(program=program, created_by=coordinator)
    host = factories.UserFactory(role=Role.HOST, name="Tanaka Yoko")
    factories.HostProfileFactory(user=host, household_name="The Tanaka family")
    first = factories.ApplicationFactory(program=program, user=_student("Nguyen Minh"))
    proposal = factories.ProposalFactory(
        round=rnd,
        student_application=first,
        host_application=factories.HostApplicationFactory(program=program, user=host, seats=1),
    )
    second = _student("Sara Lopez")
    factories.ApplicationFactory(program=program, user=second)
    off_loop(lambda: round_publish(round_id=rnd.pk, by=coordinator))
    return Proposal.objects.get(pk=proposal.pk), second


def test_a_decline_leads_to_a_reoffer_that_the_next_student_accepts(
    browsing: Browsing, coordinator: User
) -> None:
    freed, second = _published(coordinator)
    first = freed.student_application.user

    declining = browsing.page(first)
    declining.goto("/proposals/")
    declining.get_by_role("link", name="Decline…").click()
    declining.get_by_role("button", name="Decline this proposal").click()
    declining.wait_for_load_state()
    assert wait_until(lambda: Reoffer.objects.filter(freed=freed).exists())
    reoffer = Reoffer.objects.get(freed=freed)
    assert reoffer.outcome == "offered" and reoffer.proposal is not None
    offer = reoffer.proposal
    assert offer.student_application.user == second

    accepting = browsing.page(second)
    accepting.goto("/proposals/")
    assert "The Tanaka family" in accepting.content()
    accepting.get_by_role("button", name="Accept").click()
    accepting.wait_for_load_state()
    assert "waiting for the other side" in accepting.content()
    offer.refresh_from_db()
    assert offer.status == Proposal.Status.ACCEPTED_BY_STUDENT

    coordinator_page = browsing.page(coordinator)
    coordinator_page.goto(f"/coordinator/programs/{freed.program_id}/answers/")
    section = coordinator_page.locator("section[aria-labelledby=reoffers-title]")
    assert "Sara Lopez" in section.inner_text()
    assert "Nguyen Minh" in section.inner_text()
    problems = browsing.audit(coordinator_page, "answers-reoffers")
    assert not problems, "\n".join(problems)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_a_student_reports_a_problem_on_a_phone_and_the_coordinator_finds_it(
    browsing: Browsing, coordinator: User
) -> None:
    visit, _second = _published(coordinator)
    Proposal.objects.filter(pk=visit.pk).update(status=Proposal.Status.CONFIRMED)
    student = visit.student_application.user
    page: Any = browsing.page(student, language="ja", width=PHONE)
    page.goto(f"/visits/{visit.pk}/")
    page.get_by_role("link", name="この訪問について問題を報告する").click()
    page.wait_for_load_state()
    problems = browsing.audit(page, "incident-report-ja")
    page.get_by_label("安全", exact=True).check()
    page.get_by_label("高", exact=True).check()
    page.get_by_role("textbox", name="何があったか").fill("犬にかまれました。")
    page.get_by_role("button", name="報告を送る").click()
    page.wait_for_load_state()
    assert wait_until(lambda: Incident.objects.filter(reporter=student).exists())
    assert "未対応" in page.content()

    coordinator_page = browsing.page(coordinator)
    coordinator_page.goto("/coordinator/incidents/")
    coordinator_page.get_by_role("link", name="Incidents").first.wait_for()
    assert "Nguyen Minh" in coordinator_page.content()
    problems += browsing.audit(coordinator_page, "incidents-list")
    assert not problems, "\n".join(problems)
    assert Application.objects.filter(user=student).exists()
    assert not browsing.problems, "\n".join(browsing.problems)
