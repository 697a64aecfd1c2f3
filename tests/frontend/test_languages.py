"""The seven interface languages on the pages: the language on arrival, the switch in the
header of every page, and every language's pages rendering."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.languages import CODES
from accounts.models import User

pytestmark = pytest.mark.django_db


def html_lang(client: Client, path: str = "/", **headers: str) -> str:
    content = client.get(path, headers=headers).content.decode()
    return content.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("vi-VN,vi;q=0.9", "vi"),
        ("ne-NP", "ne"),
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,de;q=0.8", "en"),  # no language of ours: English, not Japanese
        ("th", "en"),
        ("*", "ja"),  # any language: the site's own
    ],
)
def test_a_first_visit_follows_the_browser(accept: str, expected: str) -> None:
    assert html_lang(Client(), accept_language=accept) == expected


def test_without_accept_language_the_site_speaks_japanese() -> None:
    """Japanese, the association's language, though Django's LANGUAGE_CODE is English (the
    language of a message a catalogue lacks)."""
    assert html_lang(Client()) == "ja"


def test_a_language_cookie_we_do_not_speak_counts_for_nothing() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert html_lang(client) == "ja"
    assert html_lang(client, accept_language="vi") == "vi"


def test_a_chosen_language_beats_the_browser() -> None:
    client = Client()
    client.post(reverse("frontend:set_language"), {"language": "ja-easy", "next": "/"})
    assert html_lang(client, accept_language="fr") == "ja-easy"
    assert html_lang(client, accept_language="vi") == "ja-easy"


def test_the_account_language_beats_the_browser(page_client, student: User) -> None:
    client = page_client(student, language="ne")
    assert html_lang(client, reverse("frontend:dashboard"), accept_language="fr") == "ne"


@pytest.mark.parametrize("name", ["frontend:home", "frontend:login", "frontend:signup"])
def test_the_switch_is_in_the_header_with_every_language(name: str) -> None:
    content = Client().get(reverse(name)).content.decode()
    header = content.split("<header", 1)[1].split("</header>", 1)[0]
    assert 'class="language-switch"' in header
    for code in CODES:
        assert f'name="language" value="{code}" lang="{code}"' in header
    footer = content.split("<footer", 1)[1]
    assert "language-switch" not in footer


def test_the_switch_is_in_the_header_when_logged_in(page_client, student: User) -> None:
    content = page_client(student, language="ko").get(reverse("frontend:dashboard")).content
    header = content.decode().split("<header", 1)[1].split("</header>", 1)[0]
    assert '<span lang="ko">한국어</span>' in header


@pytest.mark.parametrize("language", CODES)
def test_switching_to_each_language_is_remembered(page_client, student: User, language) -> None:
    client = page_client(student, language="en")
    response = client.post(reverse("frontend:set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.preferred_language == language
    assert html_lang(client, reverse("frontend:dashboard")) == language


def test_an_unknown_language_changes_nothing(page_client, student: User) -> None:
    client = page_client(student, language="vi")
    client.post(reverse("frontend:set_language"), {"language": "xx", "next": "/"})
    student.refresh_from_db()
    assert student.preferred_language == "vi"
