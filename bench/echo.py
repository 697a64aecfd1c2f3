"""A bare echo consumer: the latency floor that the chat benchmark compares itself with.

It does what every WebSocket on the server pays for (the ASGI server, Channels' consumer
machinery, JSON text frames) and nothing else: no database, no channel layer."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer


class EchoConsumer(AsyncWebsocketConsumer):
    # No channel layer: a bare echo neither subscribes to Redis nor waits on it.
    channel_layer_alias = "bench-echo-without-layer"

    async def connect(self) -> None:
        await self.accept()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        await self.send(text_data=text_data, bytes_data=bytes_data)
