"""A confirmed language-exchange pair never learns the other's address, phone or health data,
even when the partner is a host family whose profile holds them."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import User
from matching.models import Program, Proposal
from tests import factories
from tests.matching.conftest import future_days
from tests.matching.test_exchange_service import english, japanese, new_round, run

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "9-9-9 Hidden-chō, Musashino"
SECRET_PHONE = "090-9999-0000"


def _everything(message: mail.EmailMessage) -> str:
    """An e-mail's text, HTML and attachments (an .ics unfolded: it wraps long lines)."""
    parts = [message.body]
    parts += [str(content) for content, _mimetype in getattr(message, "alternatives", [])]
    for attachment in message.attachments:
        content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
        if isinstance(content, bytes):
            content = content.decode()
        parts.append(str(content).replace("\r\n ", "").replace("\n ", ""))
    return "\n".join(parts)


def test_confirmed_exchange_partners_see_no_contact_or_health_data(
    coordinator: User, client_for, django_capture_on_commit_callbacks
) -> None:
    from matching.services.proposals import proposal_accept, round_publish

    program = factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(20, 50)
    )
    family = japanese(program, address=SECRET_ADDRESS, phone=SECRET_PHONE)
    student = english(program, allergies=["peanut"])
    run(rnd := new_round(program))
    # The e-mails go out on commit: run those callbacks, so that every e-mail is checked.
    with django_capture_on_commit_callbacks(execute=True):
        round_publish(round_id=rnd.pk, by=coordinator)
    proposal = Proposal.objects.get(round=rnd)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_accept(proposal_id=proposal.pk, by=family.user)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_accept(proposal_id=proposal.pk, by=student.user)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CONFIRMED
    # Each side: the proposal, then the confirmation (with its .ics).
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([family.user.email, student.user.email] * 2)
    assert any(message.attachments for message in mail.outbox)

    for party in (family.user, student.user):
        answer = client_for(party).get("/api/proposals/")
        assert answer.status_code == 200
        body = answer.content.decode()
        assert SECRET_ADDRESS not in body
        assert SECRET_PHONE not in body
        assert "peanut" not in body
        (row,) = answer.json() if isinstance(answer.json(), list) else answer.json()["results"]
        assert "address" not in row["counterpart"]
        assert row["counterpart"]["languages"]
        # The list's own SQL answers what the detail (through the ORM) answers.
        assert row == client_for(party).get(f"/api/proposals/{row['id']}/").json()
    for message in mail.outbox:
        everything = _everything(message)
        assert SECRET_ADDRESS not in everything
        assert SECRET_PHONE not in everything
        assert "Hidden-ch" not in everything and "9999" not in everything


def test_a_confirmed_exchange_pair_chats(coordinator: User, client_for) -> None:
    from matching.services.proposals import proposal_accept, round_publish

    program = factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(20, 50)
    )
    family, student = japanese(program), english(program)
    run(rnd := new_round(program))
    round_publish(round_id=rnd.pk, by=coordinator)
    proposal = Proposal.objects.get(round=rnd)
    for party in (family.user, student.user):
        proposal_accept(proposal_id=proposal.pk, by=party)
    conversation = client_for(student.user).get("/api/proposals/").json()
    rows = conversation if isinstance(conversation, list) else conversation["results"]
    conversation_id = rows[0]["conversation"]
    assert conversation_id
    sent = client_for(student.user).post(
        f"/api/conversations/{conversation_id}/messages/",
        {"body": "Shall we meet at Kichijōji on Saturday?", "client_id": "c-1"},
        format="json",
    )
    assert sent.status_code == 201, sent.content
    history = client_for(family.user).get(f"/api/conversations/{conversation_id}/messages/")
    assert history.status_code == 200
    body = history.content.decode()
    assert "Shall we meet at Kichij" in body
