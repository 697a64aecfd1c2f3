"""The demo's visit-day part (``manage.py seed_demo``, registered after matching's own seeder):
a small sample home-visit programme whose round is published and answered, so that a declined
proposal's seat has been offered again, and incidents in each state (open, in progress, closed)
are on the coordinator's pages.

Its e-mails are dropped before the commit: the demo writes to nobody."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.demo import DemoPeople, DemoSeeder
from matching.models import Delivery, Incident, Program, Proposal, Reoffer
from matching.services import incidents as incident_services
from matching.services import proposals as proposal_services
from matching.services.programs import application_submit, program_create
from matching.services.reoffers import seat_reoffer
from matching.services.rounds import round_run, round_start

SAMPLE_NAME = "ホームビジット・三鷹・見本"
SAMPLE_TRANSLATIONS = {
    "en": {
        "name": "Mitaka home visits (sample)",
        "description": "A sample: a freed seat offered again, and incidents in each state.",
    },
    "ja-easy": {"name": "ホームビジット・三鷹(見本)"},
    "zh-hans": {"name": "三鹰家庭访问(示例)"},
    "vi": {"name": "Thăm gia đình ở Mitaka (mẫu)"},
    "ne": {"name": "मिताका गृह भेट (नमुना)"},
    "ko": {"name": "미타카 가정 방문 (예시)"},
}


def _sample_program(people: DemoPeople) -> Program:
    today = timezone.localdate()
    day = today + dt.timedelta(days=14)
    program = program_create(
        by=people.coordinator,
        name=SAMPLE_NAME,
        kind=Program.Kind.HOME_VISIT,
        dates=[day],
        apply_until=day - dt.timedelta(days=7),
        response_hours=72,
        description="再提案とトラブル報告の見本です。",
        translations=SAMPLE_TRANSLATIONS,
    )
    # More students than seats, so that a freed seat has someone waiting for it.
    for user in people.students[:10]:
        application_submit(program=program, user=user, dates=[day])
    for user in people.families[:3]:
        application_submit(program=program, user=user, dates=[day], capacity=1)
    return program


def _answer_and_reoffer(program: Program, people: DemoPeople) -> tuple[Proposal, Reoffer]:
    """Run and publish a round; the first family's student declines (its seat is offered
    again), the second proposal is confirmed. Returns the confirmed visit and the re-offer."""
    coordinator = people.coordinator
    rnd = round_start(program=program, by=coordinator)
    round_run(round_id=rnd.pk)
    proposal_services.round_publish(round_id=rnd.pk, by=coordinator)
    declined, confirmed = list(
        Proposal.objects.filter(round=rnd, status=Proposal.Status.PROPOSED)
        .select_related("student_application__user", "host_application__user")
        .order_by("id")
    )[:2]
    proposal_services.proposal_decline(
        proposal_id=declined.pk,
        by=declined.student_application.user,
        reason="予定が入ってしまいました / Something came up",
    )
    reoffer = seat_reoffer(freed_proposal_id=declined.pk)
    assert reoffer is not None  # the sample day is weeks away: the seat is always considered
    for user in (confirmed.student_application.user, confirmed.host_application.user):
        proposal_services.proposal_accept(proposal_id=confirmed.pk, by=user)
    return confirmed, reoffer


def _incidents(visit: Proposal, people: DemoPeople) -> None:
    student, family = visit.student_application.user, visit.host_application.user
    coordinator = people.coordinator
    incident_services.incident_report(
        by=student,
        proposal_id=visit.pk,
        category=Incident.Category.SAFETY,
        severity=Incident.Severity.HIGH,
        description="駅からの道で車にひかれそうになりました。/ A car nearly hit me on the way.",
    )
    working = incident_services.incident_report(
        by=family,
        proposal_id=visit.pk,
        category=Incident.Category.HEALTH,
        severity=Incident.Severity.MEDIUM,
        description="昼食の後、気分が悪くなったようです。/ The student felt unwell after lunch.",
    )
    incident_services.incident_note_add(
        incident_id=working.pk, by=coordinator, body="Phoned the student: better now."
    )
    incident_services.incident_update(
        incident_id=working.pk,
        by=coordinator,
        status=Incident.Status.IN_PROGRESS,
        follow_up_on=visit.date + dt.timedelta(days=2),
    )
    closed = incident_services.incident_report(
        by=coordinator,
        proposal_id=visit.pk,
        category=Incident.Category.CONDUCT,
        severity=Incident.Severity.LOW,
        description="Arrived an hour late without a message.",
        about="student",
    )
    incident_services.incident_update(
        incident_id=closed.pk,
        by=coordinator,
        status=Incident.Status.CLOSED,
        outcome=Incident.Outcome.WARNING,
    )


def demo_visit_day_seed(people: DemoPeople, say: Callable[[str], None]) -> None:
    """The sample programme with its re-offer and incidents; once (a second run finds it)."""
    if Program.objects.filter(name=SAMPLE_NAME, created_by=people.coordinator).exists():
        say("re-offers: the sample programme with a re-offer and incidents (0 new)")
        return
    with transaction.atomic():
        program = _sample_program(people)
        visit, reoffer = _answer_and_reoffer(program, people)
        _incidents(visit, people)
        # The demo writes to nobody: the sending task finds no row and sends nothing.
        Delivery.objects.filter(proposal__program=program).delete()
    say(
        f"re-offers: the sample programme with a re-offer ({reoffer.outcome}) and "
        f"{Incident.objects.filter(proposal__program=program).count()} incidents (1 new)"
    )


DEMO_SEEDER = DemoSeeder(name="visit_day", seed=demo_visit_day_seed)
