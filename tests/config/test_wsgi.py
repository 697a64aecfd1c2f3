"""The WSGI entry point of production's HTTP server."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest


@pytest.mark.django_db
def test_the_client_address_is_the_one_the_proxy_appended() -> None:
    """Per-address limits (the log-in lockout, the forms') must count the client, not the
    proxy; the last X-Forwarded-For entry is the proxy's own, a client cannot forge it."""
    from django.core.signals import request_started

    from config.wsgi import application

    seen: list[str] = []

    def remember(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        seen.append(environ["REMOTE_ADDR"])

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/no-such-route/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "198.51.100.9, 203.0.113.7",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
    }
    statuses: list[str] = []
    request_started.connect(remember)
    try:
        b"".join(application(environ, lambda status, headers: statuses.append(status)))
    finally:
        request_started.disconnect(remember)
    assert statuses == ["404 Not Found"]
    assert seen == ["203.0.113.7"]
