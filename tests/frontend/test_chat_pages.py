"""The conversation pages: list, history, the no-JavaScript send, reporting a message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import frontend
from chat.models import Block, Conversation, Message, Report
from chat.services import message_post
from matching.models import Proposal
from matching.services.proposals import proposal_accept, round_publish
from tests.chat.conftest import make_conversation
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(coordinator) -> Conversation:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    proposal_accept(proposal_id=draft.pk, by=draft.student_application.user)
    proposal_accept(proposal_id=draft.pk, by=draft.host_application.user)
    proposal = Proposal.objects.get(pk=draft.pk)
    assert proposal.status == Proposal.Status.CONFIRMED
    return Conversation.objects.get(proposal=proposal)


def _members(conversation: Conversation):
    proposal = conversation.proposal
    return proposal.student_application.user, proposal.host_application.user


@pytest.mark.parametrize("language", ["ja", "en"])
def test_chat_page_shows_the_history_and_hands_its_settings_to_the_script(
    page_client, conversation, language
) -> None:
    student, host = _members(conversation)
    message_post(conversation_id=conversation.pk, sender=host, body="Welcome! 駅で会いましょう")
    response = page_client(student, language=language).get(
        reverse("frontend:chat", kwargs={"conversation_id": conversation.pk})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "駅で会いましょう" in html
    config = json.loads(
        re.search(
            r'<script id="chat-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert config["socket"] == f"/ws/chat/{conversation.pk}/"
    assert config["me"] == student.pk
    assert 'src="/static/frontend/js/chat.js"' in html


def _script_texts(html: str, name: str) -> dict[str, str]:
    """The texts a page hands its script as markup (partials/script_texts.html), by key."""
    block = re.search(rf'<template data-texts="{name}">(.*?)</template>', html, re.S).group(1)
    return dict(re.findall(r'<span data-text="(\w+)">(.*?)</span>', block, re.S))


def test_the_words_chat_js_shows_get_furigana_in_easy_japanese(page_client, conversation) -> None:
    """chat.js takes its words from the page's markup, so the easy_japanese filter gives them
    their <ruby> as it does the rest of the page; a string in chat_config could have none."""
    student, _host = _members(conversation)
    url = reverse("frontend:chat", kwargs={"conversation_id": conversation.pk})
    html = page_client(student, language="ja-easy").get(url).content.decode()
    texts = _script_texts(html, "chat")
    assert texts["sending"] == "<ruby>送<rt>おく</rt></ruby>っています…"
    assert texts["report"] == "<ruby>報告<rt>ほうこく</rt></ruby>"
    assert texts["typing"] == "%(name)s さんが書いています…"  # 書: a first-year kanji
    config = re.search(r'<script id="chat-config" type="application/json">(.*?)</script>', html)
    assert "text" not in json.loads(config.group(1))
    english = _script_texts(page_client(student, language="en").get(url).content.decode(), "chat")
    assert english["sending"] == "Sending…" and english["try_again"] == "Try again"
    script = (Path(frontend.__file__).parent / "static/frontend/js/chat.js").read_text()
    assert 'textsOf("chat")' in script and "config.text" not in script


def test_the_page_hands_chat_js_the_servers_pace(page_client, conversation, settings) -> None:
    # chat.js paces its resends by the setting, never by a number of its own.
    settings.CHAT_RATE_PER_SECOND = 3
    student, _host = _members(conversation)
    html = (
        page_client(student)
        .get(reverse("frontend:chat", kwargs={"conversation_id": conversation.pk}))
        .content.decode()
    )
    config = json.loads(
        re.search(
            r'<script id="chat-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert config["rate_per_second"] == 3
    assert f'maxlength="{settings.CHAT_MAX_BODY}"' in html
    script = (Path(frontend.__file__).parent / "static/frontend/js/chat.js").read_text()
    assert "config.rate_per_second" in script


def test_opening_the_page_marks_the_history_read(page_client, conversation) -> None:
    student, host = _members(conversation)
    message_post(conversation_id=conversation.pk, sender=host, body="Hello")
    listing = page_client(student, language="en").get(reverse("frontend:conversations"))
    assert "1 unread" in listing.content.decode()
    page_client(student).get(reverse("frontend:chat", kwargs={"conversation_id": conversation.pk}))
    listing = page_client(student, language="en").get(reverse("frontend:conversations"))
    assert "unread" not in listing.content.decode()


def test_sending_without_javascript_uses_the_same_service(page_client, conversation) -> None:
    student, _host = _members(conversation)
    url = reverse("frontend:chat", kwargs={"conversation_id": conversation.pk})
    client = page_client(student, language="en")
    assert client.post(url, {"body": "See you on Saturday"}).status_code == 302
    assert Message.objects.get().body == "See you on Saturday"
    empty = client.post(url, {"body": "   "})
    assert 'id="id_body_error"' in empty.content.decode()
    assert Message.objects.count() == 1


def test_a_stranger_gets_404(page_client, conversation, student) -> None:
    url = reverse("frontend:chat", kwargs={"conversation_id": conversation.pk})
    assert page_client(student).get(url).status_code == 404
    assert page_client().get(url).status_code == 302


def test_reporting_a_message(page_client, conversation) -> None:
    student, host = _members(conversation)
    message, _created = message_post(conversation_id=conversation.pk, sender=host, body="Rude")
    url = reverse(
        "frontend:chat_report",
        kwargs={"conversation_id": conversation.pk, "message_id": message.pk},
    )
    client = page_client(student, language="en")
    assert 'for="id_reason"' in client.get(url).content.decode()
    missing = client.post(url, {"reason": ""})
    assert 'id="id_reason_error"' in missing.content.decode()
    assert client.post(url, {"reason": "This made me uncomfortable."}).status_code == 302
    report = Report.objects.get()
    assert (report.message, report.reporter) == (message, student)


def test_the_conversation_list_takes_the_same_queries_for_one_row_or_six(
    page_client, conversation, settings
) -> None:
    settings.CHAT_RATE_PER_SECOND = 1000
    student, host = _members(conversation)
    message_post(conversation_id=conversation.pk, sender=host, body="first")
    client = page_client(student, language="en")
    client.get(reverse("frontend:conversations"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("frontend:conversations")).status_code == 200
    for _ in range(5):
        other = make_conversation(student=student)
        message_post(
            conversation_id=other.pk,
            sender=other.memberships.exclude(user=student).get().user,
            body="hello",
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("frontend:conversations")).content.decode()
    assert html.count("hello") == 5
    assert len(many) == len(few)


def test_a_long_conversation_offers_its_earlier_messages(page_client, conversation, settings):
    settings.CHAT_RATE_PER_SECOND = 1000
    student, host = _members(conversation)
    for n in range(101):
        message_post(conversation_id=conversation.pk, sender=host, body=f"message {n}")
    html = (
        page_client(student, language="en")
        .get(reverse("frontend:chat", kwargs={"conversation_id": conversation.pk}))
        .content.decode()
    )
    config = json.loads(
        re.search(
            r'<script id="chat-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert config["has_more"] is True
    assert config["history_url"] == f"/api/conversations/{conversation.pk}/messages/"
    assert "message 0<" not in html and "message 100<" in html
    assert 'id="chat-earlier"' in html


def test_blocking_asks_first_then_blocks_and_switches_the_composer_off(
    page_client, conversation
) -> None:
    student, host = _members(conversation)
    chat_url = reverse("frontend:chat", kwargs={"conversation_id": conversation.pk})
    block_url = reverse("frontend:chat_block", kwargs={"conversation_id": conversation.pk})
    client = page_client(student, language="en")
    page = client.get(chat_url).content.decode()
    assert f'href="{block_url}"' in page and 'id="chat-form"' in page

    # The confirmation page explains the consequence and posts a CSRF-protected form.
    confirm = client.get(block_url).content.decode()
    assert "Neither you nor" in confirm and "You cannot undo this yourself." in confirm
    assert re.search(
        r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', confirm
    )
    assert "<script>" not in confirm  # the CSP allows no inline script
    assert not Block.objects.exists()  # looking at the question blocks nothing

    response = client.post(block_url)
    assert response.status_code == 302 and response.url == chat_url
    assert Block.objects.get().blocker == student
    page = client.get(chat_url).content.decode()
    assert "You blocked this conversation" in page
    assert 'id="chat-form"' not in page and f'href="{block_url}"' not in page
    assert re.search(r"<fieldset[^>]*disabled", page)
    config = re.search(r'<script id="chat-config" type="application/json">(.*?)</script>', page)
    assert json.loads(config.group(1))["blocked"] is True  # chat.js opens no socket
    # The other member's page says so too, and nobody can post any more.
    other = page_client(host, language="ja").get(chat_url).content.decode()
    assert "この会話はブロックされました" in other and 'id="chat-form"' not in other
    refused = page_client(host, language="en").post(chat_url, {"body": "Hello?"})
    assert "This conversation was blocked." in refused.content.decode()
    assert not Message.objects.exists()


def test_blocking_needs_a_post_with_a_csrf_token(page_client, conversation) -> None:
    from django.test import Client

    student, _host = _members(conversation)
    url = reverse("frontend:chat_block", kwargs={"conversation_id": conversation.pk})
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(student)
    assert checked.post(url).status_code == 403
    assert not Block.objects.exists()


def test_blocking_twice_or_as_a_stranger(page_client, conversation, student) -> None:
    member, _host = _members(conversation)
    url = reverse("frontend:chat_block", kwargs={"conversation_id": conversation.pk})
    assert page_client(student).post(url).status_code == 404
    assert page_client(student).get(url).status_code == 404
    client = page_client(member, language="en")
    client.post(url)
    again = client.get(url, follow=True)
    assert "This conversation is already blocked." in again.content.decode()
    assert Block.objects.count() == 1


@pytest.mark.parametrize(
    ("aid", "expected"),
    [
        ("off", '<span data-reading-aid="off">明日の訪問です。</span>'),
        ("furigana", "<ruby>訪問<rt>ほうもん</rt></ruby>"),
        ("romaji", '<span class="reading-aid__romaji" lang="ja-Latn">ashita no houmon desu.'),
    ],
)
def test_the_reading_aid_over_a_japanese_message(page_client, conversation, aid, expected):
    student, host = _members(conversation)
    message_post(conversation_id=conversation.pk, sender=host, body="明日の訪問です。")
    message_post(conversation_id=conversation.pk, sender=host, body="See you tomorrow")
    client = page_client(student, language="vi")
    answer = client.post(reverse("frontend:reading_aid"), {"aid": aid, "next": "/messages/"})
    assert answer.status_code == 302
    student.refresh_from_db()
    assert student.reading_aid == aid
    content = client.get(reverse("frontend:chat", args=[conversation.pk])).content.decode()
    assert expected in content
    assert f'<span data-reading-aid="{aid}">See you tomorrow</span>' in content
    assert Message.objects.filter(body="明日の訪問です。").exists()  # stored as written


def test_an_unknown_reading_aid_changes_nothing(page_client, student) -> None:
    client = page_client(student)
    client.post(
        reverse("frontend:reading_aid"), {"aid": "braille", "next": "https://evil.example/"}
    )
    student.refresh_from_db()
    assert student.reading_aid == "off"
