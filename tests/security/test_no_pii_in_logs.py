"""No personal data and no credential in any log line.

The main flows run with known personal strings (a family's address and phone, a student's
allergy, a chat message body) and every record of every logger is captured at DEBUG, together
with everything written to stdout and stderr; none of the strings, and no token or ticket value,
may appear in any of it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

import config.asgi  # noqa: F401 -- its django.setup() reconfigures logging: done before caplog
from accounts.models import User
from tests.security.conftest import SECRET_ADDRESS, SECRET_BODY, SECRET_PHONE

pytestmark = pytest.mark.django_db(transaction=True)

STUDENT_EMAIL = "pii-student@example.org"
ALLERGY = "buckwheat"
PASSWORD = "a-long-enough-pass-phrase"


def _register(api: APIClient, email: str, role: str) -> str:
    answer = api.post(
        "/api/auth/register/",
        {"email": email, "password": PASSWORD, "role": role, "name": "Secret Name"},
    )
    assert answer.status_code == 201, answer.content
    # The address is confirmed with the link it was sent, as a person would (applying needs it).
    [link] = [m.body for m in mail.outbox if m.to == [email]]
    verify_token = re.search(r"/verify-email/([^/\s]+)/", link).group(1)
    assert api.post("/api/auth/verify-email/", {"token": verify_token}).status_code == 200
    token = api.post("/api/auth/token/", {"email": email, "password": PASSWORD}).json()["token"]
    return token


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


STUDENT_PROFILE = {
    "nationality": "VN",
    "gender": "female",
    "birth_year": 2001,
    "school": "Asia University",
    "languages": [{"code": "vi", "level": "native"}, {"code": "ja", "level": "advanced"}],
    "diet": [],
    "allergies": [ALLERGY],
    "needs_non_smoking": False,
    "interests": ["cooking"],
    "home_station": "kichijoji",
    "max_travel_minutes": 90,
    "bio": "Hi",
}
HOST_PROFILE = {
    "household_name": "The Secret household",
    "household_size": 3,
    "has_children": False,
    "languages": [{"code": "ja", "level": "native"}],
    "pets": [],
    "smoking": False,
    "diets_supported": [],
    "allergens_avoidable": [ALLERGY],
    "interests": ["cooking"],
    "home_station": "mitaka",
    "guest_gender_preference": "any",
    "address": SECRET_ADDRESS,
    "phone": SECRET_PHONE,
    "bio": "Welcome",
}


async def _chat(conversation_id: int, ticket: str) -> None:
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation_id}/?ticket={ticket}",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to(
        {"type": "message", "body": SECRET_BODY + "-ws", "client_id": "c1"}
    )
    answer = await communicator.receive_json_from(timeout=5)
    assert answer["type"] == "message"
    await communicator.disconnect()


def test_flows_log_no_personal_data(caplog, capfd, settings, coordinator):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = [SECRET_ADDRESS, SECRET_PHONE, SECRET_BODY, PASSWORD]

    api = APIClient()
    student_token = _register(api, STUDENT_EMAIL, "student")
    host_token = _register(api, "pii-host@example.org", "host")
    other_token = _register(api, "pii-other@example.org", "student")
    secrets += [student_token, host_token, other_token]
    student, host, other = _client(student_token), _client(host_token), _client(other_token)
    assert student.put("/api/me/profile/", STUDENT_PROFILE, format="json").status_code == 200
    assert other.put("/api/me/profile/", STUDENT_PROFILE, format="json").status_code == 200
    assert host.put("/api/me/profile/", HOST_PROFILE, format="json").status_code == 200
    # A failed log-in, a refused access, a bad profile (its error echoes nothing stored).
    api.post("/api/auth/token/", {"email": STUDENT_EMAIL, "password": "wrong-password"})
    student.get(f"/api/rounds/{9999}/")
    host.patch("/api/me/profile/", {"phone": "x" * 500}, format="json")

    from accounts.services import token_for

    coord = _client(token_for(user=coordinator))
    secrets.append(token_for(user=coordinator))
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    program = coord.post(
        "/api/programs/",
        {
            "name": "Visits",
            "kind": "home_visit",
            "dates": [day],
            "apply_until": (timezone.now() + dt.timedelta(days=3)).isoformat(),
            "response_hours": 48,
        },
        format="json",
    )
    assert program.status_code == 201, program.content
    pid = program.json()["id"]
    # New accounts are pending: the coordinator vets the family and confirms the students
    # through the registry's API (its notes are personal data too).
    secrets.append("met the whole family at home")
    host_id = host.get("/api/me/").json()["id"]
    for code in ("briefing", "home-visit", "household-consent", "pledge"):
        body = {"check": code, "done_on": timezone.localdate().isoformat()}
        body["note"] = "met the whole family at home"
        answer = coord.post(f"/api/people/{host_id}/checks/", body, format="json")
        assert answer.status_code == 201, answer.content
    for client in (student, other):
        user_id = client.get("/api/me/").json()["id"]
        assert coord.post(f"/api/people/{user_id}/confirm/").status_code == 200
    for client, body in (
        (student, {"dates": [day]}),
        (other, {"dates": [day]}),
        (host, {"dates": [day], "capacity": 2}),
    ):
        assert client.post(f"/api/programs/{pid}/apply/", body, format="json").status_code == 201
    started = coord.post(f"/api/programs/{pid}/rounds/", {}, format="json")
    assert started.status_code == 202, started.content
    round_id = started.json()["id"]
    assert coord.get(f"/api/rounds/{round_id}/").json()["status"] == "draft"
    assert coord.post(f"/api/rounds/{round_id}/publish/").status_code == 200

    mine = student.get("/api/proposals/").json()
    mine = mine["results"] if isinstance(mine, dict) else mine
    theirs = other.get("/api/proposals/").json()
    theirs = theirs["results"] if isinstance(theirs, dict) else theirs
    assert student.post(f"/api/proposals/{mine[0]['id']}/accept/").status_code == 200
    assert host.post(f"/api/proposals/{mine[0]['id']}/accept/").status_code == 200
    assert (
        other.post(
            f"/api/proposals/{theirs[0]['id']}/decline/", {"reason": "busy"}, format="json"
        ).status_code
        == 200
    )
    confirmed = student.get("/api/proposals/").json()
    confirmed = confirmed["results"] if isinstance(confirmed, dict) else confirmed
    conversation_id = confirmed[0]["conversation"]
    assert conversation_id
    posted = student.post(
        f"/api/conversations/{conversation_id}/messages/",
        {"body": SECRET_BODY, "client_id": "a1"},
        format="json",
    )
    assert posted.status_code == 201
    ticket = host.post("/api/auth/ws-ticket/").json()["ticket"]
    secrets.append(ticket)
    import asyncio

    asyncio.run(_chat(conversation_id, ticket))
    # Log in on the web, with a failure first.
    web = __import__("django.test", fromlist=["Client"]).Client()
    web.post("/login/", {"username": STUDENT_EMAIL, "password": "wrong-password"})
    web.post("/login/", {"username": STUDENT_EMAIL, "password": PASSWORD})
    web.get("/messages/")

    assert User.objects.count() >= 4
    records = caplog.records
    # Still attached at DEBUG: nothing reconfigured logging under the capture.
    assert caplog.handler in logging.getLogger().handlers
    assert logging.getLogger().level == logging.DEBUG
    assert len(records) > 10  # the flows did log: security events, requests, tasks
    out, err = capfd.readouterr()
    lines = [caplog.text, out, err]
    for record in records:
        lines.append(record.getMessage())
        lines.append(str({k: v for k, v in record.__dict__.items() if k != "msg"}))
        lines.append(str(record.msg))
    everything = "\n".join(lines)
    found = [s for s in secrets if s in everything]
    assert found == [], f"personal data or credentials in the logs: {found}"
    # The allergy code is also a reference word; it must not be logged with a profile.
    assert f"'{ALLERGY}'" not in everything and f'"{ALLERGY}"' not in everything
