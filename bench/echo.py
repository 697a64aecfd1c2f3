"""The floors that the chat benchmark compares itself with (bench only, never mounted in
production).

- ``EchoConsumer`` (``/ws/echo/``) does what every WebSocket on the server pays for (the ASGI
  server, Channels' consumer machinery, JSON text frames) and nothing else: no database, no
  channel layer.
- ``RelayConsumer`` (``/ws/relay/<room>/``) passes each frame to the other sockets of its room
  through the channel layer, as the chat does, but stores nothing and checks nothing: with the
  two members on different servers it is the chat's path minus PostgreSQL and the rules."""

from __future__ import annotations

import json
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from chat.channel_layer import ClosesChannelMixin


class WithoutConnectionSweep:
    """As the chat's sockets (chat/sockets.py): no database sweep before every frame."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        await getattr(self, get_handler_name(message))(message)


class EchoConsumer(WithoutConnectionSweep, AsyncWebsocketConsumer):
    # No channel layer: a bare echo neither subscribes to Redis nor waits on it.
    channel_layer_alias = "bench-echo-without-layer"

    async def connect(self) -> None:
        await self.accept()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        await self.send(text_data=text_data, bytes_data=bytes_data)


class RelayConsumer(WithoutConnectionSweep, ClosesChannelMixin, AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.room = f"bench-relay-{self.scope['path'].strip('/').rsplit('/', 1)[-1]}"
        await self.channel_layer.group_add(self.room, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.room, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        # Parsed and re-encoded like a chat frame, so JSON costs the same on both paths.
        frame = json.loads(text_data or "{}")
        await self.channel_layer.group_send(
            self.room, {"type": "relay.frame", "frame": frame, "sender": self.channel_name}
        )

    async def relay_frame(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.channel_name:
            await self.send(text_data=json.dumps(event["frame"], separators=(",", ":")))
