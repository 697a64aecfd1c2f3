"""What the chat's two sockets share: the authenticated user, its groups, a forced close, and
the close codes a browser sees (API.md "Chat")."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.utils import translation
from redis.exceptions import TimeoutError as RedisTimeoutError

from accounts.languages import DEFAULT_LANGUAGE
from chat.channel_layer import ClosesChannelMixin
from chat.models import CLIENT_ID_MAX

T = TypeVar("T")

# Redis forgets group members after ``group_expiry``; long-lived sockets re-join well before.
GROUP_REFRESH_SECONDS = 3600.0
# How often a closing socket cancels the layer's pending receive again until it has ended.
RECEIVE_RECANCEL_SECONDS = 0.1

CLOSE_NO_USER = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_CONVERSATION_CLOSED = 4410


async def db(func: Callable[..., T], language: str | None = None, **kwargs: Any) -> T:
    """``func(**kwargs)`` in the user's ``language``, on the event loop's thread pool: on the one
    thread of the default, every socket of the process would wait for each query in turn."""

    def call() -> T:
        try:
            with translation.override(language):
                return func(**kwargs)
        finally:
            # Where the call's connection lives: asgiref runs ``call`` in a copy of the caller's
            # context, and Channels' own clean-up, outside it, may not see that connection.
            close_old_connections()

    # channels ships no types: what comes back is call's own T.
    return cast(T, await database_sync_to_async(call, thread_sensitive=False)())


def validation_code(exc: ValidationError) -> tuple[str, str]:
    """The first (code, message) of a service's ValidationError, for a field or not."""
    first = next(iter(exc.update_error_dict({}).values()))[0]
    return first.code or "invalid", " ".join(first.messages)


class UserSocket(ClosesChannelMixin, AsyncJsonWebsocketConsumer):  # type: ignore[misc]  # channels ships no types
    """What both consumers share: the authenticated user, joined groups, forced close."""

    user: Any
    language: str
    stopping: bool
    joined: list[str]
    refresher: asyncio.Task[None] | None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.stopping = False
        try:
            await super().__call__(scope, receive, send)
        except RedisTimeoutError:
            # channels_redis's pending read, cancelled as the consumer stops (or as the server
            # gives up on it), surfaces as redis' TimeoutError, not CancelledError.
            task = asyncio.current_task()
            if not (self.stopping or (task is not None and task.cancelling())):
                raise
        finally:
            # A consumer that ended without disconnect() (a handler raised) must still stop its
            # refresher, which would keep it alive, and leave its groups. Best effort.
            with contextlib.suppress(Exception):
                await self._leave()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its connection sweep before every frame and event: that
        sweep runs on one thread for all sockets of the process, which then queue behind each
        other (README, "Performance notes"); ``db`` closes each call's connection itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.stopping = True
        await super().websocket_disconnect(message)

    # Channels sets ``channel_receive`` to the layer's receive for this socket's channel and
    # awaits it in its dispatch loop; the loop awaits ``_channel_receive`` around it instead.
    @property
    def channel_receive(self) -> Callable[[], Awaitable[dict[str, Any]]]:
        return self._channel_receive

    @channel_receive.setter
    def channel_receive(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._layer_receive = receive

    async def _channel_receive(self) -> dict[str, Any]:
        """The layer's receive, cancelled again until it has ended: redis-py can lose the
        cancellation of a blocking pop (redis-py#2028), and Channels' dispatch loop would then
        wait for it, keeping the closed socket's consumer forever."""
        pending = asyncio.ensure_future(self._layer_receive())
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            while not pending.done():
                pending.cancel()
                await asyncio.wait({pending}, timeout=RECEIVE_RECANCEL_SECONDS)
            if not pending.cancelled():
                pending.exception()  # retrieved: a late error of a dead receive is not logged
            raise

    async def _start(self) -> bool:
        """Close with 4401 when there is no valid user. True when it may go on; the caller
        accepts once it has joined its groups, so an accepted socket misses no event."""
        self.joined = []
        self.refresher = None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self._refuse(CLOSE_NO_USER)
            return False
        self.user = user
        self.language = user.preferred_language or DEFAULT_LANGUAGE
        return True

    async def _refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def _join(self, *groups: str) -> None:
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        if self.refresher is None:
            self.refresher = asyncio.ensure_future(self._refresh_groups())

    async def _refresh_groups(self) -> None:
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            for group in list(self.joined):
                await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        refresher = getattr(self, "refresher", None)
        self.refresher = None
        if refresher is not None:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
        joined, self.joined = getattr(self, "joined", []), []
        for group in joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def user_sockets_close(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_NO_USER)

    async def send_error(self, code: str, detail: str, *, client_id: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
        # A refused message names the client's own id, so the page knows which one to give back.
        if isinstance(client_id, str) and 0 < len(client_id) <= CLIENT_ID_MAX:
            frame["client_id"] = client_id
        await self.send_json(frame)

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"))
