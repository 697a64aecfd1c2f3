"""matching.services.announcements: who receives an announcement, in which language, and when."""

from __future__ import annotations

import re
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from accounts.models import User
from chat.groups import notification_group
from matching.models import Application, Delivery, Program
from matching.services.announcements import (
    announcement_language,
    announcement_recipients,
    announcement_send,
)
from tests import factories

pytestmark = pytest.mark.django_db

TEXTS = {
    "subject_ja": "大雨のお知らせ",
    "subject_en": "Heavy rain notice",
    "body_ja": "明日の訪問は予定どおりです。",
    "body_en": "Tomorrow's visits go ahead as planned.",
}
WRITTEN = {
    language: (TEXTS[f"subject_{language}"], TEXTS[f"body_{language}"]) for language in ("ja", "en")
}


@pytest.fixture
def program(coordinator: User) -> Program:
    return factories.ProgramFactory(created_by=coordinator)


def test_recipients_are_active_applicants_once(program: Program) -> None:
    student = factories.ApplicationFactory(program=program)
    family = factories.HostApplicationFactory(program=program)
    factories.ApplicationFactory(program=program, status=Application.Status.WITHDRAWN)
    gone = factories.ApplicationFactory(program=program)
    User.objects.filter(pk=gone.user_id).update(is_active=False)
    factories.ApplicationFactory()  # another programme
    assert {u.pk for u in announcement_recipients(program=program)} == {
        student.user_id,
        family.user_id,
    }


def test_nothing_is_sent_before_commit(
    program: Program,
    coordinator: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    factories.ApplicationFactory(program=program)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert announcement_send(program=program, by=coordinator, texts=WRITTEN) == 1
    assert mailoutbox == [] and callbacks


def test_only_coordinators_announce(program: Program, student: User) -> None:
    with pytest.raises(PermissionDenied):
        announcement_send(program=program, by=student, texts=WRITTEN)


def test_each_recipient_gets_one_email_and_one_live_event_in_their_language(
    program: Program,
    coordinator: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ja = factories.ApplicationFactory(
        program=program, user=factories.StudentProfileFactory(user__preferred_language="ja").user
    ).user
    en = factories.HostApplicationFactory(program=program).user
    layer = get_channel_layer()
    channels = {}
    for user in (ja, en):
        channels[user.pk] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(notification_group(user.pk), channels[user.pk])
    with django_capture_on_commit_callbacks(execute=True):
        announcement_send(program=program, by=coordinator, texts=WRITTEN)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ja.email, en.email])
    mail = {m.to[0]: m for m in mailoutbox}
    assert TEXTS["subject_ja"] in mail[ja.email].subject
    assert TEXTS["body_en"] in mail[en.email].body
    received = {
        uid: async_to_sync(layer.receive)(channel)["event"] for uid, channel in channels.items()
    }
    assert received[ja.pk]["kind"] == "announcement"
    assert received[ja.pk]["title"] == TEXTS["subject_ja"]
    assert received[en.pk]["body"] == TEXTS["body_en"]


def test_an_smtp_failure_retries_only_that_recipient(
    program: Program,
    coordinator: User,
    mailoutbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    unlucky = factories.ApplicationFactory(program=program).user
    lucky = factories.HostApplicationFactory(program=program).user
    real_send = EmailMultiAlternatives.send
    tries: list[str] = []

    def flaky(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        tries.append(self.to[0])
        if tries.count(unlucky.email) == 1 and self.to == [unlucky.email]:
            raise SMTPServerDisconnected("connection lost")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        assert announcement_send(program=program, by=coordinator, texts=WRITTEN) == 2
    assert sorted(tries) == sorted([unlucky.email, unlucky.email, lucky.email])
    assert sorted(m.to[0] for m in mailoutbox) == sorted([unlucky.email, lucky.email])
    sent = Delivery.objects.filter(kind="announcement", sent_at__isnull=False)
    assert sent.count() == 2
    assert sent.get(user=unlucky).attempts == 2


@pytest.mark.parametrize(
    ("reader", "written", "expected"),
    [
        ("vi", ("ja", "vi"), ("vi", False)),
        ("vi", ("ja", "ja-easy"), ("ja-easy", False)),
        ("vi", ("ja", "en"), ("ja", True)),  # not English: easy Japanese, else Japanese
        ("ja-easy", ("ja",), ("ja", True)),
        ("ja", ("ja", "ja-easy"), ("ja", False)),
        ("en", ("ja", "en"), ("en", False)),
    ],
)
def test_each_reader_gets_their_text_else_easy_japanese_else_japanese_with_furigana(
    reader: str, written: tuple[str, ...], expected: tuple[str, bool]
) -> None:
    assert announcement_language(reader, written) == expected


def test_each_recipient_gets_their_own_language_by_e_mail(
    program: Program,
    coordinator: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    readers = {
        code: factories.ApplicationFactory(
            program=program, user=factories.UserFactory(preferred_language=code)
        ).user
        for code in ("ja", "vi", "ne", "ja-easy")
    }
    texts = {"ja": ("台風のお知らせ", "明日の訪問は中止です。"), "vi": ("Bão", "Ngày mai nghỉ.")}
    with django_capture_on_commit_callbacks(execute=True):
        assert announcement_send(program=program, by=coordinator, texts=texts) == 4
    mail = {message.to[0]: message for message in mailoutbox}
    assert "Ngày mai nghỉ." in mail[readers["vi"].email].body
    nepali = mail[readers["ne"].email].alternatives[0][0]
    assert "<ruby>中止<rt>ちゅうし</rt></ruby>" in nepali
    assert "<ruby>" not in mail[readers["ja"].email].alternatives[0][0]
    assert mail[readers["ja"].email].body.startswith("明日の訪問は中止です。")


def test_a_language_written_half_is_refused_and_nothing_is_sent(
    program: Program, coordinator: User
) -> None:
    factories.ApplicationFactory(program=program)
    with pytest.raises(ValidationError) as refused:
        announcement_send(
            program=program, by=coordinator, texts={"ja": ("件名", "本文"), "ko": ("제목", "")}
        )
    assert set(refused.value.message_dict) == {"body_ko"}
    with pytest.raises(ValidationError) as refused:
        announcement_send(program=program, by=coordinator, texts={"en": ("Subject", "Body")})
    assert set(refused.value.message_dict) == {"subject_ja"}
    assert not Delivery.objects.exists()


def test_the_page_counts_the_readers_of_each_text_before_sending(
    page_client: Any, program: Program, coordinator: User
) -> None:
    for code in ("ja", "vi", "vi", "ne"):
        factories.ApplicationFactory(
            program=program, user=factories.UserFactory(preferred_language=code)
        )
    client = page_client(coordinator, language="en")
    url = reverse("frontend:coordinator:announcement", args=[program.pk])
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td></tr>", client.get(url).content.decode())
    assert rows == [("Japanese (with furigana)", "3"), ("Japanese", "1")]
    answer = client.post(
        url,
        {
            "action": "preview",
            "subject_ja": "台風",
            "body_ja": "中止です。",
            "subject_vi": "Bão",
            "body_vi": "Nghỉ.",
        },
    )
    assert answer.status_code == 200
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td></tr>", answer.content.decode())
    assert rows == [("Vietnamese", "2"), ("Japanese", "1"), ("Japanese (with furigana)", "1")]
    assert not Delivery.objects.exists()  # counted, not sent
