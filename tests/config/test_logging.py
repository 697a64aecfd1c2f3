"""Logs: one JSON object a line, each event once, its time in ISO 8601 with the offset."""

from __future__ import annotations

import datetime as dt
import json

from tests.config.test_settings import python

LOG = """
import logging
import django
django.setup()
logging.getLogger("django.channels.server").info("HTTP GET /nope/ 404")
logging.getLogger("django.request").warning("Not Found: /nope/")
logging.getLogger("django.request").error("Internal Server Error: /boom/")
"""


def test_each_request_is_logged_once_as_json_with_an_offset() -> None:
    """runserver's access line went out twice: through Django's own console handler on the
    "django" logger, and again through the root's JSON handler; a 404 a third time."""
    done = python(LOG, LOG_LEVEL="INFO", DEBUG="true")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "/nope/" in line or "/boom/" in line]
    records = [json.loads(line) for line in lines]
    assert [r["message"] for r in records] == [
        "HTTP GET /nope/ 404",
        "Internal Server Error: /boom/",
    ]
    for record in records:
        assert dt.datetime.fromisoformat(record["time"]).utcoffset() is not None
