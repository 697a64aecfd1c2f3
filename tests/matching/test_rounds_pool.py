"""A round's run on the database: the rules that decide who may be proposed to whom (free
applicants only, the coordinator's forbids and pins, what earlier rounds and feedback rule
out, profiles that lost a field, withdrawn applications)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from matching.models import Application, Feedback, HostDay, Program, Proposal, Round
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MakeApp = Callable[..., Application]


def _pairs(rnd: Round) -> set[tuple[int, int]]:
    return set(rnd.proposals.values_list("student_application_id", "host_application_id"))


class TestWhoIsProposed:
    def test_a_later_round_sees_only_free_applicants(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        students = [make_student(program) for _ in range(3)]
        host = make_host(program, seats=2, dates=program.dates[:1])
        first = run_rounds(program, coordinator)
        assert first.proposals.count() == 2
        # Publishing (the proposals part) makes the drafts live and takes the seats.
        taken = first.proposals.first()
        assert taken is not None
        Proposal.objects.filter(pk=taken.pk).update(status=Proposal.Status.PROPOSED)
        HostDay.objects.filter(application=host).update(seats_taken=1)
        second = run_rounds(program, coordinator)
        assert second.status == Round.Status.DRAFT, second.error
        assert second.stats["students"] == 2
        assert second.stats["slots"] == 1
        assert second.proposals.count() == 1
        placed = set(second.proposals.values_list("student_application_id", flat=True))
        placed |= set(second.unplaced.values_list("application_id", flat=True))
        assert taken.student_application_id not in placed
        assert placed == {s.pk for s in students} - {taken.student_application_id}

    def test_forbids_are_respected(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        student = make_student(program)
        host = make_host(program)
        rnd = run_rounds(program, coordinator, forbids=[[student.pk, host.pk]])
        assert rnd.status == Round.Status.DRAFT, rnd.error
        assert not rnd.proposals.exists()
        reasons = rnd.unplaced.get(application=student).reasons
        assert reasons

    def test_pins_are_honoured(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        # The student speaks English only; the first family English too, the second Japanese
        # and conversational English (the programme's language rule): the first scores higher.
        student = make_student(program, languages=[{"code": "en", "level": "native"}])
        make_host(program, languages=[{"code": "en", "level": "native"}])
        japanese = make_host(
            program,
            languages=[{"code": "ja", "level": "native"}, {"code": "en", "level": "intermediate"}],
        )
        rnd = run_rounds(program, coordinator, pins=[[student.pk, japanese.pk]])
        assert rnd.status == Round.Status.DRAFT, rnd.error
        assert _pairs(rnd) == {(student.pk, japanese.pk)}
        assert rnd.pins == [[student.pk, japanese.pk]]

    def test_an_infeasible_pin_fails_the_round_with_a_clear_error(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        student = make_student(program, allergies=["cat"])
        host = make_host(program, pets=["cat"])
        rnd = run_rounds(program, coordinator, pins=[[student.pk, host.pk]])
        assert rnd.status == Round.Status.FAILED
        assert str(student.pk) in rnd.error
        assert "pin" in rnd.error.lower()
        assert not Proposal.objects.exists()

    def test_declined_pair_is_not_proposed_again(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        student = make_student(program)
        host = make_host(program, seats=2)
        earlier = factories.RoundFactory(program=program, created_by=coordinator)
        factories.ProposalFactory(
            round=earlier,
            student_application=student,
            host_application=host,
            status=Proposal.Status.DECLINED,
        )
        other = make_student(program)
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.DRAFT, rnd.error
        assert _pairs(rnd) == {(other.pk, host.pk)}
        assert rnd.unplaced.filter(application=student).exists()

    def test_a_pair_declined_in_another_programme_is_not_proposed(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        # The same rule as a language exchange's (pairs_never_again): the same people apply
        # afresh to each programme.
        student = make_student(program)
        host = make_host(program)
        past = factories.ProgramFactory(created_by=coordinator)
        factories.ProposalFactory(
            round=factories.RoundFactory(program=past, created_by=coordinator),
            student_application=factories.ApplicationFactory(program=past, user=student.user),
            host_application=factories.HostApplicationFactory(program=past, user=host.user),
            status=Proposal.Status.DECLINED,
        )
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.DRAFT, rnd.error
        assert not rnd.proposals.exists()
        assert rnd.unplaced.get(application=student).reasons[0]["params"]["reasons"] == ["declined"]

    @pytest.mark.parametrize("history", ["met_before", "low_rating", "would_not_meet_again"])
    def test_pairs_with_a_bad_or_finished_history_are_not_proposed(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
        history: str,
    ) -> None:
        student = make_student(program)
        host = make_host(program)
        # The same two people met in an earlier programme.
        past = factories.ProgramFactory(created_by=coordinator)
        met = factories.ProposalFactory(
            round=factories.RoundFactory(program=past, created_by=coordinator),
            student_application=factories.ApplicationFactory(program=past, user=student.user),
            host_application=factories.HostApplicationFactory(program=past, user=host.user),
            status=(
                Proposal.Status.CONFIRMED if history == "met_before" else Proposal.Status.EXPIRED
            ),
        )
        if history != "met_before":
            Feedback.objects.create(
                proposal=met,
                author=host.user,
                rating=2 if history == "low_rating" else 4,
                would_meet_again=history != "would_not_meet_again",
            )
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.DRAFT, rnd.error
        assert not rnd.proposals.exists()

    def test_good_feedback_does_not_forbid(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        student = make_student(program)
        host = make_host(program)
        past = factories.ProgramFactory(created_by=coordinator)
        met = factories.ProposalFactory(
            round=factories.RoundFactory(program=past, created_by=coordinator),
            student_application=factories.ApplicationFactory(program=past, user=student.user),
            host_application=factories.HostApplicationFactory(program=past, user=host.user),
            status=Proposal.Status.EXPIRED,
        )
        Feedback.objects.create(proposal=met, author=student.user, rating=5, would_meet_again=True)
        rnd = run_rounds(program, coordinator)
        assert _pairs(rnd) == {(student.pk, host.pk)}

    def test_an_applicant_whose_profile_lost_its_station_is_unplaced_with_the_reason(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        student = make_student(program)
        student.user.student_profile.home_station = None
        student.user.student_profile.save()
        make_host(program)
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.DRAFT, rnd.error
        reasons = rnd.unplaced.get(application=student).reasons
        assert reasons[0]["code"] == "profile_incomplete"

    def test_withdrawn_applications_are_not_placed(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        student = make_student(program)
        Application.objects.filter(pk=student.pk).update(status=Application.Status.WITHDRAWN)
        make_host(program)
        rnd = run_rounds(program, coordinator)
        assert rnd.stats["students"] == 0
        assert not rnd.proposals.exists()
