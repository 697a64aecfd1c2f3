"""The account's pages: changing the password under the profile, and the e-mail
verification's notice, resend and link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from accounts.models import ApiToken, User
from accounts.services import token_for
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


@pytest.fixture
def unverified() -> User:
    return factories.StudentProfileFactory(user__email_verified_at=None).user


def _token_in(body: str) -> str:
    return re.search(r"/verify-email/([^/\s]+)/", body).group(1)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_password_page_is_linked_from_the_profile(page_client, student, language) -> None:
    page = page_client(student, language=language).get("/profile/").content.decode()
    assert 'href="/profile/password/"' in page
    assert page_client(student, language=language).get("/profile/password/").status_code == 200


def test_changing_the_password_on_the_page_keeps_this_session_and_ends_the_rest(
    page_client, student
) -> None:
    key = token_for(user=student)
    other = page_client(student, language="en")
    client = page_client(student, language="en")
    answer = client.post(
        "/profile/password/",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert answer.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert other.get("/dashboard/").status_code == 302  # the other session is logged out
    assert not ApiToken.objects.filter(user=student).exists()
    assert key
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"current_password": "wrong"}, "current_password", "This is not your current password."),
        ({"new_password": "short", "new_password_again": "short"}, "new_password", "too short"),
        ({"new_password_again": "something-else-42"}, "new_password_again", "differ"),
    ],
    ids=["wrong-current", "weak-new", "mismatch"],
)
def test_the_password_page_names_what_is_wrong(page_client, student, body, field, message) -> None:
    data = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
        **body,
    }
    answer = page_client(student, language="en").post("/profile/password/", data)
    assert answer.status_code == 200
    assert message in " ".join(answer.context["form"].errors[field])
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_the_pages_say_what_to_do_and_offer_to_send_the_link_again(
    unverified: User, page_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    program = factories.ProgramFactory()
    client = page_client(language="en")
    client.force_login(unverified, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/programmes/{program.pk}/").content.decode()
    assert "Please confirm your e-mail address" in page
    assert "You can apply once your e-mail address is confirmed" in page
    assert 'name="dates"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/verify-email-again/", {"next": f"/programmes/{program.pk}/"}, follow=True
        )
    assert answer.redirect_chain[-1][0] == f"/programmes/{program.pk}/"
    assert "We sent a new link" in answer.content.decode()
    [message] = mail.outbox
    confirmed = client.get(f"/verify-email/{_token_in(message.body)}/", follow=True)
    assert "your e-mail address is confirmed" in confirmed.content.decode()
    page = client.get(f"/programmes/{program.pk}/").content.decode()
    assert "Please confirm your e-mail address" not in page


def test_a_bad_link_page_says_so(page_client: Any) -> None:
    answer = page_client(language="en").get("/verify-email/nonsense/")
    assert answer.status_code == 400
    assert "This link is not valid." in answer.content.decode()
