"""A person's sockets die with their credentials: a password changed through the API or the
page, a reset, a deletion (``accounts.credentials`` -> ``accounts.signals.credentials_changed``
-> chat). Through the real ASGI stack; on Redis when REDIS_URL is set."""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client

from accounts.deletion import user_delete
from accounts.models import User
from accounts.services import token_for
from chat.models import Conversation
from tests.chat.conftest import open_socket
from tests.chat.socket_helpers import expect_close
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "another-long-passphrase-42"


async def test_a_password_changed_through_the_api_closes_the_users_sockets(
    conversation: Conversation, student: User, host: User
) -> None:
    from rest_framework.test import APIClient

    mine = await open_socket(f"/ws/chat/{conversation.pk}/", student)
    theirs = await open_socket(f"/ws/chat/{conversation.pk}/", host)
    key = await database_sync_to_async(token_for)(user=student)

    def change() -> int:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        return api.post("/api/me/password/", body, format="json").status_code

    assert await database_sync_to_async(change)() == 200
    await expect_close(mine, 4401, timeout=2)
    assert await theirs.receive_nothing(0.3)
    await theirs.disconnect()


async def test_a_password_reset_closes_the_users_sockets(
    conversation: Conversation, student: User, settings
) -> None:
    settings.SITE_URL = "http://testserver"
    socket = await open_socket(f"/ws/chat/{conversation.pk}/", student)

    def reset() -> int:
        client = Client()
        client.post("/password-reset/", {"email": student.email})
        link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[-1].body)
        form = client.get(link.group(1), follow=True).redirect_chain[-1][0]
        body = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        return client.post(form, body).status_code

    assert await database_sync_to_async(reset)() == 302
    await expect_close(socket, 4401, timeout=2)


async def test_deleting_the_account_closes_its_sockets(
    conversation: Conversation, student: User
) -> None:
    socket = await open_socket("/ws/notifications/", student)
    await database_sync_to_async(user_delete)(user=student)
    await expect_close(socket, 4401, timeout=2)
