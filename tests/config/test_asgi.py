"""The ASGI entry point: static files stream asynchronously, the pages come from Django."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator

STYLESHEET = "/static/frontend/css/engawa.css"


async def get(path: str) -> tuple[int, bytes]:
    """One GET through config.asgi's application: the status and the whole body."""
    from config.asgi import application

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    body = b""
    while True:
        chunk = await communicator.receive_output(5)
        body += chunk.get("body", b"")
        if not chunk.get("more_body"):
            return int(start["status"]), body


async def test_a_static_file_under_asgi_is_not_a_synchronous_stream() -> None:
    """WhiteNoise answers with a sync iterator, which Django's ASGI handler warns of and
    consumes in a thread; the ASGI app serves static files through Django's own handler."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        status, body = await get(STYLESHEET)
    assert status == 200
    assert b"{" in body


@pytest.mark.django_db
async def test_a_page_under_asgi_comes_from_django() -> None:
    status, body = await get("/api/no-such-route/")
    assert status == 404
    assert body.startswith(b"{")
