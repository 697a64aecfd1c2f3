"""Fixtures of the proposal flow: draft rounds made with the shared factories, published
through the service, and helpers that run on-commit work the way a real commit would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from accounts.models import Role, User
from matching.models import Application, HostDay, Proposal, Round
from matching.services import proposals as services
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 is right for accounts and slow for the hundreds of users these tests create.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_student(*, language: str = "en", **profile: Any) -> User:
    user = factories.UserFactory(role=Role.STUDENT, preferred_language=language)
    factories.StudentProfileFactory(user=user, **profile)
    return user


def make_host(*, language: str = "en", **profile: Any) -> User:
    user = factories.UserFactory(role=Role.HOST, preferred_language=language)
    factories.HostProfileFactory(user=user, **profile)
    return user


def draft_proposal(
    *,
    rnd: Round,
    student: User | None = None,
    host: User | None = None,
    host_app: Application | None = None,
    seats: int = 1,
    score: float = 10.0,
) -> Proposal:
    """A draft proposal in ``rnd`` between (new or given) applicants of its programme."""
    program = rnd.program
    student = student or make_student()
    student_app = Application.objects.filter(
        program=program, user=student
    ).first() or factories.ApplicationFactory(program=program, user=student)
    if host_app is None:
        host = host or make_host()
        host_app = Application.objects.filter(
            program=program, user=host
        ).first() or factories.HostApplicationFactory(program=program, user=host, seats=seats)
    return factories.ProposalFactory(
        round=rnd,
        program=program,
        student_application=student_app,
        host_application=host_app,
        score=score,
    )


def seats_taken(proposal: Proposal) -> int:
    return HostDay.objects.get(
        application_id=proposal.host_application_id, date=proposal.date
    ).seats_taken


@pytest.fixture
def rnd(db: None) -> Round:
    return factories.RoundFactory()


@pytest.fixture
def publish(
    coordinator: User, django_capture_on_commit_callbacks: Any
) -> Callable[[Round], services.PublishResult]:
    """Publish a round as a coordinator, running its on-commit work (e-mails) like a commit."""

    def run(round_: Round) -> services.PublishResult:
        with django_capture_on_commit_callbacks(execute=True):
            return services.round_publish(round_id=round_.pk, by=coordinator)

    return run


@pytest.fixture
def proposal(rnd: Round, publish: Callable[[Round], Any]) -> Proposal:
    """One published proposal: an English-speaking student and a Japanese-speaking family."""
    draft = draft_proposal(
        rnd=rnd, student=make_student(language="en"), host=make_host(language="ja")
    )
    publish(rnd)
    mail.outbox.clear()
    return Proposal.objects.get(pk=draft.pk)


@pytest.fixture
def committing(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Call ``fn(**kwargs)`` and run what it registered on commit, as a commit would."""

    def run(fn: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def student_of(proposal: Proposal) -> User:
    return proposal.student_application.user


def host_of(proposal: Proposal) -> User:
    return proposal.host_application.user


class SmtpSink:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        from email import policy

        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Any:
    """A real SMTP server on 127.0.0.1 (aiosmtpd); yields (host, port, sink)."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, sink
    finally:
        controller.stop()


@pytest.fixture
def visit(proposal: Proposal, committing: Callable[..., Any]) -> Proposal:
    """``proposal`` confirmed by both sides (its e-mails already sent and cleared)."""
    for party in (student_of(proposal), host_of(proposal)):
        committing(services.proposal_accept, proposal_id=proposal.pk, by=party)
    mail.outbox.clear()
    return Proposal.objects.get(pk=proposal.pk)


def move_visit(visit: Proposal, day: Any) -> Proposal:
    """Move a visit (and its programme's days) to ``day``: a visit today, past or tomorrow."""
    program = visit.program
    program.dates = sorted({*program.dates, day.isoformat()})
    program.save(update_fields=["dates"])
    Proposal.objects.filter(pk=visit.pk).update(date=day)
    return Proposal.objects.get(pk=visit.pk)
