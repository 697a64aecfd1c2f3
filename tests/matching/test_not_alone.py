"""The "not alone" wish changed after applying (``application_update``): on and off while the
application may still change (the rule withdrawing also follows: active, programme open, no
live visit), refused with the field named and nothing stored otherwise, and read by the next
round."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from matching.models import Application, Program, Proposal, Round, Unplaced
from matching.services.programs import application_update, application_withdraw, program_close
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MakeApp = Callable[..., Application]


def _refused(application: Application, by: User, not_alone: bool) -> dict[str, list[str]]:
    before = Application.objects.get(pk=application.pk).not_alone
    with pytest.raises(ValidationError) as error:
        application_update(application=application, by=by, not_alone=not_alone)
    assert Application.objects.get(pk=application.pk).not_alone is before
    return error.value.message_dict


def test_the_student_turns_not_alone_on_and_off_after_applying(
    program: Program, make_student: MakeApp
) -> None:
    mine = make_student(program)
    assert mine.not_alone is False
    changed = application_update(application=mine, by=mine.user, not_alone=True)
    assert changed.not_alone is True
    assert Application.objects.get(pk=mine.pk).not_alone is True
    # The same value again changes nothing and is no error.
    application_update(application=mine, by=mine.user, not_alone=True)
    application_update(application=mine, by=mine.user, not_alone=False)
    assert Application.objects.get(pk=mine.pk).not_alone is False


def test_only_the_applicant_changes_the_wish(
    program: Program, make_student: MakeApp, coordinator: User
) -> None:
    mine, other = make_student(program), make_student(program)
    for stranger in (other.user, coordinator):
        with pytest.raises(PermissionDenied):
            application_update(application=mine, by=stranger, not_alone=True)
    assert Application.objects.get(pk=mine.pk).not_alone is False


def test_a_family_or_a_language_exchange_has_no_not_alone_to_change(
    program: Program, make_host: MakeApp
) -> None:
    family = make_host(program, seats=2)
    for value in (True, False):
        assert list(_refused(family, family.user, value)) == ["not_alone"]
    exchange = factories.ProgramFactory(kind=Program.Kind.LANGUAGE_EXCHANGE)
    pupil = factories.ApplicationFactory(program=exchange)
    errors = _refused(pupil, pupil.user, True)
    assert errors == {"not_alone": ["Only a student of a home visit asks not to visit alone."]}


def test_a_live_visit_stops_the_change_as_it_stops_withdrawing(
    program: Program, make_student: MakeApp, make_host: MakeApp
) -> None:
    mine = make_student(program)
    proposal = factories.ProposalFactory(
        program=program,
        round__program=program,
        student_application=mine,
        host_application=make_host(program),
        status=Proposal.Status.PROPOSED,
    )
    errors = _refused(mine, mine.user, True)
    assert list(errors) == ["application"]
    assert "already proposed to you" in errors["application"][0]
    with pytest.raises(ValidationError) as withdrawing:
        application_withdraw(application=mine, by=mine.user)
    assert list(withdrawing.value.message_dict) == ["application"]
    # Once the visit is declined the student waits for the next round, and may change again.
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.DECLINED)
    assert application_update(application=mine, by=mine.user, not_alone=True).not_alone is True


def test_a_withdrawn_application_or_a_closed_programme_takes_no_change(
    program: Program, make_student: MakeApp, coordinator: User
) -> None:
    gone, staying = make_student(program), make_student(program)
    application_withdraw(application=gone, by=gone.user)
    assert _refused(gone, gone.user, True) == {"application": ["This application is withdrawn."]}
    program_close(program=program, by=coordinator)
    assert _refused(staying, staying.user, True) == {"program": ["This programme is closed."]}


def test_after_the_last_visit_day_nothing_changes_and_nothing_is_withdrawn(
    make_student: MakeApp,
) -> None:
    """The programme's page offers neither once the days are over; the API refuses both the
    same way, naming the programme, and nothing is written."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    past = factories.ProgramFactory(
        dates=[(today - dt.timedelta(days=d)).isoformat() for d in (9, 2)],
        apply_until=timezone.now() - dt.timedelta(days=20),
    )
    mine = make_student(past)
    over = {"program": ["The days of this programme are over."]}
    assert _refused(mine, mine.user, True) == over
    with pytest.raises(ValidationError) as withdrawing:
        application_withdraw(application=mine, by=mine.user)
    assert withdrawing.value.message_dict == over
    mine.refresh_from_db()
    assert mine.status == Application.Status.ACTIVE and mine.not_alone is False
    # On its last day the programme is not over yet.
    Program.objects.filter(pk=past.pk).update(dates=[today.isoformat()])
    mine.refresh_from_db()
    assert application_update(application=mine, by=mine.user, not_alone=True).not_alone is True
    assert application_withdraw(application=mine, by=mine.user).status == "withdrawn"


def test_the_next_round_reads_the_changed_wish(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: Callable[..., Round],
) -> None:
    shy = make_student(program)
    make_host(program, seats=1)
    rnd = run_rounds(program, coordinator)
    assert Proposal.objects.filter(round=rnd, student_application=shy).exists()
    application_update(application=shy, by=shy.user, not_alone=True)
    rnd = run_rounds(program, coordinator)
    assert not Proposal.objects.filter(round=rnd).exists()
    reasons = Unplaced.objects.get(round=rnd, application=shy).reasons
    assert "not_alone" in [reason["code"] for reason in reasons]
