"""Security fixtures: a small world where every role has a meaning (party or not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Role, User
from chat.models import Conversation, Message, Report
from chat.services import conversation_open, message_post, report_create
from matching.models import Application, GroupRequest, Incident, Program, Proposal, Round
from tests import factories

SECRET_ADDRESS = "7-7-7 Secret-chō, Musashino-shi"
SECRET_PHONE = "090-1111-2222"
SECRET_ALLERGY = "buckwheat"
SECRET_BODY = "my-secret-message-body"

ROLES = (
    "anonymous",
    "deactivated",
    "student_party",
    "student_other",
    "host_party",
    "host_other",
    "coordinator",
)


@dataclass
class World:
    users: dict[str, User | None]
    program: Program
    round: Round
    proposal: Proposal
    conversation: Conversation
    message: Message
    report: Report
    application: Application
    # The incident the family's chat report opened: its reporter is host_party.
    incident: Incident
    # student_party's pending invitation to visit together, to a friend outside ROLES (so
    # that student_other is a student of the programme who is not one of the two).
    group_request: GroupRequest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Factories hash a password per user; Argon2 would slow these tests for nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_world() -> World:
    """A confirmed proposal (its conversation, a message and an open report, which opened an
    incident) between a
    student and a family, two applicants of the same programme who are not on it, a
    coordinator and a deactivated account."""
    coordinator = factories.UserFactory(role=Role.COORDINATOR, is_staff=True)
    program = factories.ProgramFactory(created_by=coordinator)
    student = factories.StudentProfileFactory(allergies=[SECRET_ALLERGY]).user
    host = factories.HostProfileFactory(address=SECRET_ADDRESS, phone=SECRET_PHONE).user
    student_other = factories.StudentProfileFactory().user
    host_other = factories.HostProfileFactory().user
    deactivated = factories.StudentProfileFactory(user__is_active=False).user
    round_ = factories.RoundFactory(program=program, created_by=coordinator)
    student_app = factories.ApplicationFactory(program=program, user=student)
    proposal = factories.ProposalFactory(
        round=round_,
        student_application=student_app,
        host_application=factories.HostApplicationFactory(program=program, user=host),
        status=Proposal.Status.CONFIRMED,
    )
    factories.ApplicationFactory(program=program, user=student_other)
    friend = factories.ApplicationFactory(program=program)
    group_request = GroupRequest.objects.create(
        program=program, inviter=student_app, invitee=friend
    )
    factories.HostApplicationFactory(program=program, user=host_other)
    conversation = conversation_open(proposal=proposal)
    message, _ = message_post(conversation_id=conversation.pk, sender=student, body=SECRET_BODY)
    report, _ = report_create(message_id=message.pk, reporter=host, reason="spam")
    return World(
        users={
            "anonymous": None,
            "deactivated": deactivated,
            "student_party": student,
            "student_other": student_other,
            "host_party": host,
            "host_other": host_other,
            "coordinator": coordinator,
        },
        program=program,
        round=round_,
        proposal=proposal,
        conversation=conversation,
        message=message,
        report=report,
        application=student_app,
        incident=Incident.objects.get(proposal=proposal, reporter=host),
        group_request=group_request,
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()
