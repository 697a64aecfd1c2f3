"""Freed seats offered again: when a proposal is declined, expires or a confirmed visit is
cancelled, and its visit day is far enough away, the seat goes to the best free student who
fits it, with a shorter deadline.

"Best" and "fits" are the round's: the same hard rules, weights and forbidden pairs, solved by
the solver on the residual problem (every free student of the programme, the one family, the
one day). Never proposed: a pair one side declined or a coordinator forbade (``pair_history``,
the round's forbids), a student who already had a proposal in that round, a student of a group
or one who asked not to visit alone (a freed seat is one seat).

Locks, in the order publishing takes them (``matching.services.transitions``): the programme
first, so that two seats freed at once, or a re-offer and a coordinator's publish, run one after
the other and each sees who the other placed; then the host day; then the chosen student's
application. ``proposal_one_live_per_student`` backs "one live proposal per student".
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import (
    Application,
    Delivery,
    HostDay,
    Program,
    Proposal,
    Reoffer,
)
from matching.notifications import proposal_notify
from matching.selectors.rounds import RoundPool, applications_for_round, pair_history
from matching.services.solver_input import round_problem
from matching.services.transitions import NOTIFY_RELATED, parties, record_transition
from matching.solver import solve

FREEING = (Proposal.Status.DECLINED, Proposal.Status.EXPIRED, Proposal.Status.CANCELLED)


def reoffer_due(*, program: Program, day: dt.date, today: dt.date | None = None) -> bool:
    """Whether a seat freed on ``day`` is offered again: the programme offers freed seats
    again (home visits only) and the day is more than ``reoffer_lead_days`` away."""
    today = today or timezone.localdate()
    return (
        program.reoffer
        and program.kind == Program.Kind.HOME_VISIT
        and program.status == Program.Status.OPEN
        and (day - today).days > program.reoffer_lead_days
    )


def reoffer_schedule(*, proposal: Proposal) -> None:
    """Inside the transaction that freed ``proposal``'s seat: on commit, have the
    ``matching.seat_reoffer`` task offer it again, when ``reoffer_due``. The task runs in a
    transaction of its own, so the freeing transaction never waits on the programme lock."""
    if not reoffer_due(program=proposal.program, day=proposal.date):
        return
    from matching.tasks.reoffers import seat_reoffer as task

    proposal_id = proposal.pk

    def enqueue() -> None:
        task.delay(proposal_id)

    # Robust: a broker that is down must not turn the committed answer into an error.
    transaction.on_commit(enqueue, robust=True)


def _residual_pool(freed: Proposal, day: HostDay) -> RoundPool:
    """The free students who named the day and had no proposal in the freed proposal's round,
    and the one family with its one free seat that day."""
    pool = applications_for_round(program=freed.program)
    label = freed.date.isoformat()
    had_one = set(
        Proposal.objects.filter(round_id=freed.round_id).values_list(
            "student_application_id", flat=True
        )
    )
    # One seat takes one student: never a member of a group (placed with their partner or
    # not at all) nor one who asked not to visit alone.
    grouped = {app_id for pair in pool.groups for app_id in pair}
    students = [
        app
        for app in pool.students
        if app.pk not in had_one
        and label in app.dates
        and app.pk not in grouped
        and not app.not_alone
    ]
    hosts = [app for app in pool.hosts if app.pk == freed.host_application_id]
    return RoundPool(
        students=students,
        hosts=hosts,
        free_seats={freed.host_application_id: {label: day.seats - day.seats_taken}},
        times_hosted=pool.times_hosted,
    )


def _record(freed: Proposal, outcome: str, proposal: Proposal | None = None) -> Reoffer:
    return Reoffer.objects.create(
        program_id=freed.program_id, freed=freed, proposal=proposal, outcome=outcome
    )


def seat_reoffer(*, freed_proposal_id: int, now: dt.datetime | None = None) -> Reoffer | None:
    """Offer the seat that ``freed_proposal_id`` freed to the best free student who fits it.

    Locks the programme, the host day, then the chosen student's application. Records a
    ``Reoffer`` (offered, nobody fits, or the seat is gone) once per freed proposal: a second
    call returns the first. The new proposal goes out at once (``proposed``, deadline
    ``reoffer_hours`` from now), its audit record says it is a re-offer. On commit: the
    proposal_received e-mails and live events. Returns None when nothing is to be done (the
    proposal holds its seat again, or the setting or the lead time rule it out now)."""
    now = now or timezone.now()
    with transaction.atomic():
        program_id = (
            Proposal.objects.filter(pk=freed_proposal_id).values_list("program_id", flat=True)
        ).first()
        if program_id is None:
            return None
        program = Program.objects.select_for_update().get(pk=program_id)
        freed = Proposal.objects.select_related("round", *NOTIFY_RELATED).get(pk=freed_proposal_id)
        freed.program = program
        existing = Reoffer.objects.filter(freed=freed).first()
        if existing is not None:
            return existing
        if freed.status not in FREEING or not reoffer_due(
            program=program, day=freed.date, today=timezone.localdate(now)
        ):
            return None
        day = (
            HostDay.objects.select_for_update()
            .filter(application_id=freed.host_application_id, date=freed.date)
            .first()
        )
        host_app = freed.host_application
        if (
            day is None
            or day.seats_taken >= day.seats
            or host_app.status != Application.Status.ACTIVE
            or not host_app.user.is_active
        ):
            return _record(freed, Reoffer.Outcome.SEAT_GONE)
        pool = _residual_pool(freed, day)
        if not pool.students or not pool.hosts:
            return _record(freed, Reoffer.Outcome.NOBODY_FITS)
        problem, _skipped = round_problem(
            rnd=freed.round, pool=pool, history=pair_history(pool=pool)
        )
        # The round's pins placed its own students; the residual problem places one seat by
        # score, whatever mode the round used.
        result = solve(dataclasses.replace(problem, pins=(), mode="optimal"))
        if not result.assignments:
            return _record(freed, Reoffer.Outcome.NOBODY_FITS)
        best = result.assignments[0]
        student_app = _free_student(best.student_key)
        if student_app is None:
            return _record(freed, Reoffer.Outcome.NOBODY_FITS)
        offer = Proposal.objects.create(
            round=freed.round,
            program=program,
            student_application=student_app,
            host_application=host_app,
            date=freed.date,
            score=float(best.score),
            breakdown={k: float(v) for k, v in best.breakdown.items()},
            status=Proposal.Status.DRAFT,
        )
        offer = Proposal.objects.select_related(*NOTIFY_RELATED).get(pk=offer.pk)
        offer.deadline = now + dt.timedelta(hours=program.reoffer_hours)
        record_transition(
            offer,
            Proposal.Status.PROPOSED,
            actor=None,
            reason=_("Re-offer of the seat freed by proposal %(id)s.") % {"id": freed.pk},
            extra_fields=("deadline",),
        )
        HostDay.objects.filter(pk=day.pk).update(seats_taken=F("seats_taken") + 1)
        proposal_notify(
            proposal=offer, kind=Delivery.Kind.PROPOSAL_RECEIVED, recipients=parties(offer)
        )
        return _record(freed, Reoffer.Outcome.OFFERED, offer)


def _free_student(application_id: int) -> Application | None:
    """The student's application, locked, if it is still active and holds no live proposal
    (read under the lock: a publish that placed them has committed by now)."""
    app = Application.objects.select_for_update().select_related("user").get(pk=application_id)
    if app.status != Application.Status.ACTIVE or not app.user.is_active:
        return None
    if Proposal.objects.filter(student_application=app, status__in=Proposal.LIVE).exists():
        return None
    return app
