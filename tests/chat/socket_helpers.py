"""Helpers of the socket tests: a chat socket for a member, and reading what it was sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import User
from chat import services
from chat.models import Conversation, Message
from tests.chat.conftest import open_socket


@asynccontextmanager
async def chat_socket(
    conversation: Conversation, user: User
) -> AsyncIterator[WebsocketCommunicator]:
    communicator = await open_socket(f"/ws/chat/{conversation.pk}/", user)
    try:
        yield communicator
    finally:
        await communicator.disconnect()


async def post(conversation: Conversation, user: User, body: str, **kwargs: Any) -> Message:
    message, _created = await database_sync_to_async(services.message_post)(
        conversation_id=conversation.pk, sender=user, body=body, **kwargs
    )
    return message


async def expect_close(communicator: WebsocketCommunicator, code: int, timeout: float = 2) -> None:
    """The consumer accepted, then closed with ``code`` (codes only reach clients that way)."""
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            assert output["code"] == code
            return
        assert output["type"] == "websocket.send"  # frames sent before closing are fine


async def next_of_type(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    while True:
        frame = await communicator.receive_json_from(timeout=2)
        if frame["type"] == kind:
            return frame
