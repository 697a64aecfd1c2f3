"""Frames an attacker writes: each gets an ``error`` frame, the socket stays open and takes the
next good message, and nothing is stored (issue 19 item 7). A property test sends generated
frames and counts the consumer's crashes: there must be none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import User
from chat.models import Conversation, Message
from tests.chat.conftest import socket_for
from tests.chat.socket_helpers import chat_socket, expect_close

pytestmark = pytest.mark.django_db(transaction=True)

BIG_ID = 10**25


def message(**fields: Any) -> str:
    return json.dumps({"type": "message", **fields})


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (message(body="a\x00b"), "bad_body"),
        (message(body="hello", client_id="c\x00"), "bad_client_id"),
        (message(body="\ud800"), "bad_body"),  # as JSON writes it: "\\ud800"
        ('{"type": "message", "body": "x\ud800"}', "bad_body"),  # the raw character
        ("[" * 5000 + "]" * 5000, "malformed_json"),
        ('{"type": "message", "body": ' + "[" * 5000 + "]" * 5000 + "}", "malformed_json"),
        (json.dumps({"type": ["message"], "body": "hi"}), "unknown_type"),
        (json.dumps({"type": {"a": 1}}), "unknown_type"),
        (json.dumps({"type": "read", "message_id": BIG_ID}), "bad_message_id"),
        (json.dumps({"type": "resume", "after": BIG_ID}), "bad_after"),
    ],
)
async def test_a_hostile_frame_gets_an_error_stores_nothing_and_the_socket_stays_open(
    conversation: Conversation, student: User, frame: str, code: str
) -> None:
    async with chat_socket(conversation, student) as a:
        await a.send_to(text_data=frame)
        error = await a.receive_json_from()
        assert (error["type"], error["code"]) == ("error", code)
        assert error["detail"]
        assert not await database_sync_to_async(Message.objects.exists)()
        await a.send_json_to({"type": "message", "body": "still here"})
        assert (await a.receive_json_from())["message"]["body"] == "still here"


async def test_a_conversation_id_past_any_database_id_is_refused_not_crashed(
    student: User,
) -> None:
    communicator = await socket_for(f"/ws/chat/{BIG_ID}/", student)
    connected, _ = await communicator.connect()
    assert connected
    await expect_close(communicator, 4403)
    await communicator.disconnect()


# --- generated frames ---------------------------------------------------------------------------

# Any text, lone surrogates included (Hypothesis leaves them out by default).
TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
FRAMES = st.one_of(
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=40),
    st.integers(min_value=1, max_value=8000).map(lambda n: "[" * n + "]" * n),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["message", "typing", "read", "resume"]) | JSON_VALUES},
        optional={
            "body": JSON_VALUES,
            "client_id": JSON_VALUES,
            "message_id": JSON_VALUES,
            "after": JSON_VALUES,
        },
    ).map(json.dumps),
)


async def _good_message_goes_through(socket: WebsocketCommunicator, body: str) -> None:
    """Sends ``body`` and reads up to its acknowledgement: every frame on the way is one the
    protocol knows, and none is a close (1011 is a crashed consumer)."""
    await socket.send_json_to({"type": "message", "body": body})
    while True:
        output = await socket.receive_output(timeout=10)
        assert output["type"] == "websocket.send", output
        frame = json.loads(output["text"])
        assert frame["type"] in {"error", "message", "read"}, frame
        if frame["type"] == "message" and frame["message"]["body"] == body:
            return


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=st.lists(FRAMES, min_size=1, max_size=8))
def test_generated_frames_never_crash_the_socket(
    conversation: Conversation, student: User, settings: Any, frames: list[str]
) -> None:
    settings.CHAT_RATE_PER_SECOND = 10**6  # the generated messages are not what is tested

    async def run() -> None:
        socket = await socket_for(f"/ws/chat/{conversation.pk}/", student)
        # Generous timeouts: a slow machine must not pass for a crash.
        connected, _ = await socket.connect(timeout=10)
        assert connected
        try:
            for number, frame in enumerate(frames):
                await socket.send_to(text_data=frame)
                await _good_message_goes_through(socket, f"good {number}")
        finally:
            await socket.disconnect()

    async_to_sync(run)()
