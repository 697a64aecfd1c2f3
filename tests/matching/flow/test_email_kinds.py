"""Every kind of e-mail, rendered from its one template in each language: subject, text and
HTML are in the recipient's language and carry the facts of the event; the confirmation's
.ics too. The family's address and phone reach only the student of a confirmed home visit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from matching.models import Program, Proposal, Round
from matching.notifications import proposal_notify
from matching.services import proposals as services
from matching.services.announcements import announcement_send
from tests import factories
from tests.matching.flow.conftest import (
    draft_proposal,
    host_of,
    make_host,
    make_student,
    student_of,
)

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
WEEKDAYS_JA = "月火水木金土日"

# Words of each kind's subject, and a phrase of its text, in each language.
SUBJECTS = {
    "proposal_received": ("New proposal", "新しいご提案"),
    "reminder": ("Reminder: please answer", "【リマインダー】"),
    "confirmed": ("Confirmed: your visit on", "【確定】"),
    "declined": ("Proposal declined", "ご提案が辞退されました"),
    "expired": ("Proposal expired", "ご提案の期限が切れました"),
    "cancelled": ("Visit cancelled", "訪問が取り消されました"),
}
PHRASES = {
    "proposal_received": ("Please answer by", "までにお返事ください"),
    "reminder": ("is still waiting for your answer", "お返事をまだいただいていません"),
    "confirmed": ("is confirmed", "確定しました"),
    "declined": ("was declined", "辞退されました"),
    "expired": ("expired before both sides answered", "期限切れとなりました"),
    "cancelled": ("The association cancelled the visit", "協会により"),
}


# The site's one date format (accounts/formatting.py), written out independently here.
def _day(day: dt.date, language: str) -> str:
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def _deadline(moment: dt.datetime, language: str) -> str:
    local = timezone.localtime(moment)
    if language == "ja":
        return f"{_day(local.date(), language)} {local:%H:%M}"
    return f"{_day(local.date(), language)}, {local:%H:%M}"


def _in_language(text: str, language: str) -> None:
    text = re.sub(r"https?://[^\s\"<]+", "", text)
    if language == "ja":
        assert JAPANESE.search(text), text
        for english in ("Dear", "proposal", "Your proposals", "Engawa, for"):
            assert english not in text, (english, text)
    else:
        assert not JAPANESE.search(text), text


def _run(kind: str, proposal: Proposal, coordinator: User, committing: Callable[..., Any]) -> None:
    """Bring a published proposal to the event of ``kind`` (its e-mails then go out)."""
    if kind == "reminder":
        committing(
            proposal_notify,
            proposal=proposal,
            kind="reminder",
            recipients=[student_of(proposal), host_of(proposal)],
        )
    elif kind == "confirmed":
        services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
        committing(services.proposal_accept, proposal_id=proposal.pk, by=host_of(proposal))
    elif kind == "declined":
        committing(services.proposal_decline, proposal_id=proposal.pk, by=host_of(proposal))
    elif kind == "cancelled":
        committing(
            services.proposal_cancel, proposal_id=proposal.pk, by=coordinator, reason="Typhoon."
        )
    elif kind == "expired":
        Proposal.objects.filter(pk=proposal.pk).update(
            deadline=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        )
        committing(services.proposals_expire)


def event_mails(
    kind: str,
    language: str,
    *,
    rnd: Round,
    publish: Any,
    coordinator: User,
    committing: Callable[..., Any],
) -> tuple[Proposal, dt.datetime]:
    """A published proposal between a student and a family reading ``language``, brought to
    the event of ``kind``: its e-mails are the outbox. The proposal, and its first deadline."""
    draft = draft_proposal(
        rnd=rnd, student=make_student(language=language), host=make_host(language=language)
    )
    publish(rnd)
    proposal = Proposal.objects.get(pk=draft.pk)
    deadline = proposal.deadline
    if kind != "proposal_received":
        mail.outbox.clear()
        _run(kind, proposal, coordinator, committing)
    return proposal, deadline


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("kind", list(SUBJECTS))
def test_each_proposal_e_mail_is_in_the_language_with_its_facts(
    kind: str,
    language: str,
    rnd: Round,
    publish: Any,
    coordinator: User,
    committing: Callable[..., Any],
) -> None:
    proposal, deadline = event_mails(
        kind, language, rnd=rnd, publish=publish, coordinator=coordinator, committing=committing
    )
    proposal.refresh_from_db()
    student, host = student_of(proposal), host_of(proposal)
    profile = host.host_profile
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {student.email, host.email}
    index = 1 if language == "ja" else 0
    for recipient, other_name in ((student, profile.household_name), (host, student.name)):
        message = by_recipient[recipient.email]
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert f'lang="{language}"' in html
        assert message.extra_headers["Content-Language"] == language
        assert message.subject.startswith(SUBJECTS[kind][index])
        assert "\n" not in message.subject
        for text in (message.subject, message.body, html):
            _in_language(text.replace(recipient.name, "").replace(other_name, ""), language)
        for text in (message.body, html):
            assert PHRASES[kind][index] in text
            assert recipient.name in text and other_name in text
            assert _day(proposal.date, language) in text
        assert _day(proposal.date, language) in message.subject
        if kind in ("proposal_received", "reminder"):
            assert _deadline(deadline, language) in message.body
        if kind == "proposal_received":
            assert proposal.program.name in message.subject and proposal.program.name in html
        if kind in ("declined", "expired"):
            assert proposal.program.name in message.body
        if kind == "cancelled":
            assert "Typhoon." in message.body and "Typhoon." in html
        if language == "ja" and recipient == host:
            assert f"{student.name}さん" in message.body  # a person's name takes the honorific
        contact = kind == "confirmed" and recipient == student
        for text in (message.body, html):
            assert (profile.address in text) is contact
            assert (profile.phone in text) is contact
        if kind == "confirmed":
            ((name, content, ics_type),) = message.attachments
            assert name.endswith(".ics") and ics_type == "text/calendar"
            (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
            assert event.decoded("dtstart") == proposal.date
            summary, location = str(event.get("summary")), str(event.get("location"))
            assert other_name in summary and proposal.program.name in summary
            assert summary.startswith("Visit with") is (language == "en")
            assert ("との訪問" in summary) is (language == "ja")
            assert ("三鷹" if language == "ja" else "Mitaka") in location
            assert (profile.address in location) is contact
        else:
            assert message.attachments == []


def test_a_confirmed_language_exchange_e_mails_no_address(
    coordinator: User, committing: Callable[..., Any]
) -> None:
    rnd = factories.RoundFactory(
        program=factories.ProgramFactory(kind=Program.Kind.LANGUAGE_EXCHANGE)
    )
    host = make_host(language="en", address="9-9-9 Hidden-chō", phone="090-9999-0000")
    draft = draft_proposal(rnd=rnd, student=make_student(language="en"), host=host)
    committing(services.round_publish, round_id=rnd.pk, by=coordinator)
    mail.outbox.clear()
    services.proposal_accept(proposal_id=draft.pk, by=student_of(draft))
    committing(services.proposal_accept, proposal_id=draft.pk, by=host)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        everything = message.body + message.alternatives[0][0] + message.attachments[0][1]
        assert "Hidden" not in everything and "9999" not in everything
        assert "address" not in message.body


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_announcement_e_mail_is_in_the_recipients_language(
    language: str, coordinator: User, committing: Callable[..., Any]
) -> None:
    program = factories.ProgramFactory(created_by=coordinator)
    recipient = factories.ApplicationFactory(
        program=program, user=factories.UserFactory(preferred_language=language)
    ).user
    texts = {
        "subject_ja": "大雨のお知らせ",
        "subject_en": "Heavy rain notice",
        "body_ja": "明日の訪問は予定どおりです。\n傘をお持ちください。",
        "body_en": "Tomorrow's visits go ahead.\nPlease bring an umbrella.",
    }
    committing(
        announcement_send,
        program=program,
        by=coordinator,
        texts={
            language: (texts[f"subject_{language}"], texts[f"body_{language}"])
            for language in ("ja", "en")
        },
    )
    (message,) = mail.outbox
    assert message.to == [recipient.email]
    html = message.alternatives[0][0]
    assert f'lang="{language}"' in html
    assert message.subject == (
        "[縁側] 大雨のお知らせ" if language == "ja" else "[Engawa] Heavy rain notice"
    )
    assert texts[f"body_{language}"] in message.body
    assert (
        "傘をお持ちください。" in html if language == "ja" else "Please bring an umbrella." in html
    )
    footer = "に応募したため" if language == "ja" else "because you applied to"
    assert footer in message.body and footer in html
    assert program.name in message.body
    for text in (message.subject, message.body, html):
        _in_language(text.replace(program.name, ""), language)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_chat_digest_e_mail_is_in_the_recipients_language(
    language: str, committing: Callable[..., Any], settings: Any
) -> None:
    from chat import digests
    from chat import services as chat_services
    from chat.models import Message
    from tests.chat.conftest import make_conversation

    settings.CHAT_RATE_PER_SECOND = 10_000
    reader = factories.StudentProfileFactory(user__preferred_language=language).user
    writer = factories.HostProfileFactory().user
    conversation = make_conversation(reader, writer)
    for body in ("first <b>", "second"):
        chat_services.message_post(conversation_id=conversation.pk, sender=writer, body=body)
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=20))
    assert committing(digests.digests_send) == 1
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    program = conversation.proposal.program.name
    assert message.subject == (
        f"縁側: {program} の未読メッセージが 2 件あります"
        if language == "ja"
        else f"Engawa: 2 unread messages about {program}"
    )
    assert f'lang="{language}"' in html
    assert "first <b>" in message.body and "first &lt;b&gt;" in html
    assert writer.name in message.body and writer.name in html
    assert f"/messages/{conversation.pk}/" in message.body
    strip = (program, writer.name, reader.name, "first <b>", "first &lt;b&gt;", "second")
    for text in (message.subject, message.body, html):
        for known in strip:
            text = text.replace(known, "")
        _in_language(text, language)
