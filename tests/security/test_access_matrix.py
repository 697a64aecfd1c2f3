"""Every HTTP and WebSocket route, checked against every role.

The routes come from the URL conf itself, so a new route without a line in ``MATRIX`` (in
``matrix.py``) fails ``test_every_route_is_in_the_matrix``. Each line says, for the seven
roles, what the route must answer when it is given the world's objects (a confirmed proposal
of ``student_party`` and ``host_party``, its conversation, message and report, their programme
and round):

- ``ok``: let in (any answer but 401/403/404, a 5xx, or a redirect to the log-in page);
- ``deny``: refused for who the caller is (401/403, or the log-in page for a browser);
- ``404``: refused as "not yours", which must look exactly like a missing object.

For every route with an object in its path, each refused role also gets the same status for
another's object as for an id that does not exist, so no answer tells that an object exists.
A leak is a 2xx where the matrix refuses, or a family's address or phone, or a student's
allergies, in an answer to someone who may not read them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.services import token_for, ws_ticket_issue
from config.routing import websocket_urlpatterns
from tests.security.conftest import (
    ROLES,
    SECRET_ADDRESS,
    SECRET_ALLERGY,
    SECRET_PHONE,
    World,
    build_world,
)
from tests.security.matrix import (
    DENY,
    EXCLUDED_PREFIXES,
    MATRIX,
    MAY_READ_ALLERGIES,
    MAY_READ_CONTACT,
    MISSING,
    NF,
    OK,
    WS_MATRIX,
)

pytestmark = pytest.mark.django_db


def http_routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    routes = dict.fromkeys(walk(get_resolver().url_patterns, ""))
    return [r for r in routes if not r.startswith(tuple(EXCLUDED_PREFIXES))]


def ws_routes() -> list[str]:
    return [str(entry.pattern) for entry in websocket_urlpatterns]


def _fill(route: str, world: World, *, missing: bool) -> str:
    ids = {
        "<int:program_id>": world.program.pk,
        "<int:round_id>": world.round.pk,
        "<int:proposal_id>": world.proposal.pk,
        "<int:conversation_id>": world.conversation.pk,
        "<int:message_id>": world.message.pk,
        "<int:report_id>": world.report.pk,
        "<int:application_id>": world.application.pk,
        "<int:user_id>": world.users["host_party"].pk,
        "<int:incident_id>": world.incident.pk,
        "<int:request_id>": world.group_request.pk,
    }
    path = "/" + route
    for placeholder, pk in ids.items():
        path = path.replace(placeholder, str(MISSING if missing else pk))
    path = path.replace("<slug:step>", "languages").replace("<uidb64>/<token>", "MQ/set-password")
    path = path.replace("<str:token>", "not-a-link")
    path = path.replace("<slug:kind>-<slug:language>", "hosts-ja")
    if path.endswith("/compare/"):
        path += f"?a={world.round.pk}&b={world.round.pk}"
    return path


def _body(route: str, world: World) -> dict[str, Any]:
    """A well-formed body, so that a write reaches its object lookup instead of a 400."""
    bodies: dict[str, dict[str, Any]] = {
        "api/proposals/<int:proposal_id>/cancel/": {"reason": "moved away"},
        "api/programs/<int:program_id>/group-requests/": {
            "email": world.group_request.invitee.user.email
        },
        "programmes/<int:program_id>/together/": {
            "friend": world.group_request.invitee.user.email,
            "relation": "friend",
        },
        "api/proposals/<int:proposal_id>/answer-on-behalf/": {
            "side": "student",
            "answer": "decline",
            "reason": "asked by phone",
        },
        "api/proposals/<int:proposal_id>/feedback/": {"rating": 5, "would_meet_again": True},
        "api/incidents/": {
            "proposal": world.proposal.pk,
            "category": "other",
            "severity": "low",
            "description": "late",
            "about": "student",
        },
        "api/incidents/<int:incident_id>/": {"status": "in_progress"},
        "api/incidents/<int:incident_id>/notes/": {"body": "called"},
        "api/proposals/<int:proposal_id>/meeting/": {"time": "10:00", "place": "North exit"},
        "api/proposals/<int:proposal_id>/attendance/": {"outcome": "held", "note": ""},
        "coordinator/programs/<int:program_id>/visit-day/": {
            "day": world.program.dates[0],
            f"{world.program.dates[0]}-time": "10:00",
        },
        "api/conversations/<int:conversation_id>/messages/": {"body": "hello"},
        "api/conversations/<int:conversation_id>/read/": {"message_id": world.message.pk},
        "api/messages/<int:message_id>/report/": {"reason": "spam"},
        "api/conversations/<int:conversation_id>/close/": {"reason": "done"},
        "api/people/<int:user_id>/checks/": {"check": "pledge", "done_on": "2026-01-05"},
        "api/people/<int:user_id>/suspend/": {"reason": "complaint under review"},
        "api/me/renewal/": {"unchanged": True},
        "coordinator/conversations/<int:conversation_id>/close/": {
            "report": world.report.pk,
            f"c{world.report.pk}-reason": "done",
        },
    }
    return bodies.get(route, {})


def _client(route: str, role: str, world: World) -> Client:
    user = world.users[role]
    if route.startswith("api/"):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user=user)}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _call(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(path)
    if isinstance(client, APIClient):
        return getattr(client, method.lower())(path, body, format="json")
    return getattr(client, method.lower())(path, body)


def _refused(answer: Any, api: bool) -> bool:
    if answer.status_code in (401, 403):
        return True
    return not api and answer.status_code == 302 and answer["Location"].startswith("/login/")


def _secrets_in(answer: Any, role: str) -> list[str]:
    text = answer.content.decode(errors="replace")
    found = []
    if role not in MAY_READ_CONTACT:
        found += [s for s in (SECRET_ADDRESS, SECRET_PHONE) if s in text]
    if role not in MAY_READ_ALLERGIES and answer.get("Content-Type", "").startswith(
        "application/json"
    ):

        def allergies(node: Any) -> Iterator[Any]:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "allergies":
                        yield value
                    yield from allergies(value)
            elif isinstance(node, list):
                for item in node:
                    yield from allergies(item)

        if any(SECRET_ALLERGY in (v or []) for v in allergies(json.loads(text or "null"))):
            found.append("allergies")
    return found


def check_route(route: str, world: World) -> list[str]:
    """Every method x role of one route; returns the problems found."""
    problems: list[str] = []
    api = route.startswith("api/")
    has_id = "<int:" in route
    # Refused roles first, then those let in (their writes must not decide the others' answer).
    for method, expected_by_role in MATRIX[route].items():
        order = sorted(ROLES, key=lambda r: (expected_by_role[r] == OK, ROLES.index(r)))
        for role in order:
            expected = expected_by_role[role]
            client = _client(route, role, world)
            body = _body(route, world)
            answer = _call(client, method, _fill(route, world, missing=False), body)
            status = answer.status_code
            where = f"{method} /{route} as {role}: {status}"
            if status >= 500:
                problems.append(f"{where} (server error)")
            problems.extend(f"{where} shows {secret}" for secret in _secrets_in(answer, role))
            if expected == OK:
                if status in (401, 403, 404) or _refused(answer, api):
                    problems.append(f"{where}, expected to be let in")
            elif 200 <= status < 300:
                problems.append(f"{where} LEAK, expected {expected}")
            elif expected == NF and status != 404:
                problems.append(f"{where}, expected 404")
            elif expected == DENY and not _refused(answer, api):
                problems.append(f"{where}, expected refusal")
            if has_id:
                gone = _call(client, method, _fill(route, world, missing=True), body).status_code
                if expected != OK and gone != status:
                    problems.append(f"{where} but {gone} for a missing id (existence oracle)")
                if expected == OK and gone != 404:
                    problems.append(f"{where}; a missing id answers {gone}, expected 404")
    return problems


def test_every_route_is_in_the_matrix():
    routes = set(http_routes())
    assert routes - MATRIX.keys() == set(), "routes without a line in MATRIX"
    assert MATRIX.keys() - routes == set(), "MATRIX lines for routes that no longer exist"
    assert set(ws_routes()) == WS_MATRIX.keys()
    for route, methods in MATRIX.items():
        for method, by_role in methods.items():
            assert set(by_role) == set(ROLES), (route, method)


def test_every_route_answers_each_role_as_the_matrix_says(db, record_property):
    """Each route on a fresh world (a write by one route never decides the next one's answer);
    reports N routes x 7 roles, 0 leaks at the end of the run."""
    problems = [p for route in MATRIX for p in check_route(route, build_world())]
    checks = sum(len(methods) for methods in MATRIX.values()) * len(ROLES)
    record_property(
        "summary",
        f"access matrix: {len(MATRIX)} HTTP routes + {len(WS_MATRIX)} WebSocket routes "
        f"x {len(ROLES)} roles ({checks} HTTP methodxrole checks), "
        f"{sum('LEAK' in p or 'shows' in p for p in problems)} leaks",
    )
    assert problems == []


async def _connect(path: str, user: Any) -> tuple[bool, int | None]:
    from config.asgi import application

    if user is not None:
        ticket = await database_sync_to_async(ws_ticket_issue)(user=user)
        path = f"{path}?ticket={ticket}"
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    if connected:
        # A refused socket is accepted and then closed with its code.
        await asyncio.sleep(0.2)
        if not communicator.output_queue.empty():
            output = await communicator.receive_output(timeout=1)
            if output.get("type") == "websocket.close":
                return False, output.get("code")
        await communicator.disconnect()
        return True, None
    return False, code


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", sorted(WS_MATRIX))
async def test_websocket_route_answers_each_role(route):
    world = await database_sync_to_async(build_world)()
    problems = []
    for role in ROLES:
        expected = WS_MATRIX[route][role]
        path = _fill(route, world, missing=False)
        connected, code = await _connect(path, world.users[role])
        got: str | int | None = OK if connected else code
        if got != expected:
            problems.append(f"{path} as {role}: {got}, expected {expected}")
        if "<int:" in route and expected != OK:
            missing = _fill(route, world, missing=True)
            connected, code = await _connect(missing, world.users[role])
            if (OK if connected else code) != got:
                problems.append(f"{missing} as {role}: {code} for a missing id, {got} for ours")
    assert problems == []
