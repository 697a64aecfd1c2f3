"""Every e-mail template renders in each of the seven languages: the recipient's language
(``Content-Language``, ``<html lang>``), every placeholder filled, Japanese for the two
Japanese languages, furigana in the HTML of easy Japanese, and, for a finished catalogue,
not the English source."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.emails import password_reset_email_send, verification_email_send
from accounts.languages import CODES, EASY_JAPANESE, reads_japanese
from accounts.models import User
from matching.models import Round
from matching.services.announcements import announcement_send
from tests import factories
from tests.frontend.test_translations import PENDING_TRANSLATION
from tests.matching.flow.test_email_kinds import SUBJECTS, event_mails

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _check(message: Any, language: str, *, furigana: bool = False) -> None:
    texts = [message.subject, message.body]
    if getattr(message, "alternatives", None):
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert f'<html lang="{language}">' in html
        texts.append(html)
        if language == EASY_JAPANESE or furigana:
            assert "<ruby>" in html and "<rt>" in html
        else:
            assert "<ruby>" not in html
    assert message.extra_headers["Content-Language"] == language
    assert message.subject.strip() and "\n" not in message.subject
    for text in texts:
        assert "%(" not in text and "{{" not in text and "{%" not in text, text
        if reads_japanese(language):
            assert JAPANESE.search(text), text


def _english_subject(kind: str) -> str:
    return SUBJECTS[kind][0]


@pytest.mark.parametrize("language", CODES)
@pytest.mark.parametrize("kind", list(SUBJECTS))
def test_each_proposal_e_mail_renders_in_each_language(
    kind: str,
    language: str,
    rnd: Round,
    publish: Any,
    coordinator: User,
    committing: Callable[..., Any],
) -> None:
    event_mails(
        kind, language, rnd=rnd, publish=publish, coordinator=coordinator, committing=committing
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        _check(message, language)
        if language != "en":
            assert not message.subject.startswith(_english_subject(kind)) or (
                translation.to_locale(language) in PENDING_TRANSLATION
            )


@pytest.mark.parametrize("language", CODES)
def test_the_account_e_mails_render_in_each_language(language: str) -> None:
    user = factories.UserFactory(preferred_language=language, email_verified_at=None)
    assert verification_email_send(user_id=user.pk)
    assert password_reset_email_send(email=user.email) == 1
    verify, reset = mail.outbox
    for message in (verify, reset):
        _check(message, language)


@pytest.mark.parametrize("language", CODES)
def test_an_announcement_and_a_digest_render_in_each_language(
    language: str, coordinator: User, committing: Callable[..., Any], settings: Any
) -> None:
    from chat import digests
    from chat import services as chat_services
    from chat.models import Message
    from tests.chat.conftest import make_conversation

    program = factories.ProgramFactory(created_by=coordinator)
    factories.ApplicationFactory(
        program=program, user=factories.UserFactory(preferred_language=language)
    )
    committing(
        announcement_send,
        program=program,
        by=coordinator,
        texts={"ja": ("大雨のお知らせ", "明日の訪問は予定どおりです。")},
    )
    (announcement,) = mail.outbox
    # Written in Japanese only: a reader of any other language gets it with furigana.
    _check(announcement, language, furigana=language != "ja")
    assert ("<ruby>訪問<rt>ほうもん</rt></ruby>" in announcement.alternatives[0][0]) is (
        language != "ja"
    )
    mail.outbox.clear()

    settings.CHAT_RATE_PER_SECOND = 10_000
    reader = factories.StudentProfileFactory(user__preferred_language=language).user
    writer = factories.HostProfileFactory().user
    conversation = make_conversation(reader, writer)
    chat_services.message_post(conversation_id=conversation.pk, sender=writer, body="台風です")
    Message.objects.update(created_at=timezone.now() - dt.timedelta(minutes=20))
    assert committing(digests.digests_send) == 1
    (digest,) = mail.outbox
    _check(digest, language)
    html = digest.alternatives[0][0]
    assert '<span data-reading-aid="off">台風です</span>' in html  # the writer's words as written
