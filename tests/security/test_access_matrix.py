"""Every HTTP and WebSocket route, checked against every role.

The routes come from the URL conf itself, so a new route without a line in ``MATRIX`` fails
``test_every_route_is_in_the_matrix``. Each line says, for the seven roles, what the route must
answer when it is given the world's objects (a confirmed proposal of ``student_party`` and
``host_party``, its conversation, message and report, their programme and round):

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

pytestmark = pytest.mark.django_db

# Routes left out, each with its reason.
EXCLUDED_PREFIXES = {
    "admin/": "Django's admin: staff-only by Django's own checks; coordinators' tool",
    "static/": "static files (whitenoise), no data",
    "i18n/": "Django's set_language: stores a language choice, no data",
    "api/schema/": "the public OpenAPI document (fuzzed in test_fuzz_api.py), no data",
    "api/docs/": "the Swagger page of that document, no data",
}

OK, DENY, NF = "ok", "deny", "404"
ANYONE = dict.fromkeys(ROLES, OK)
USERS = {**ANYONE, "anonymous": DENY, "deactivated": DENY}
MEMBERS = {**USERS, "coordinator": DENY}  # students and families
COORD = {**dict.fromkeys(ROLES, DENY), "coordinator": OK}
PARTIES = {**MEMBERS, "student_other": NF, "host_other": NF}
# Students only; of a request to visit together, the student who is not one of its two gets 404.
STUDENTS = {**dict.fromkeys(ROLES, DENY), "student_party": OK, "student_other": OK}
GROUP_PARTY = {**STUDENTS, "student_other": NF}
# The API refuses a deactivated account's token (401) even where anyone may come.
API_ANYONE = {**ANYONE, "deactivated": DENY}


def _roles(base: dict[str, str], **changes: str) -> dict[str, str]:
    return {**base, **changes}


# (route pattern) -> {method: {role: expectation}}; methods are those the view answers.
MATRIX: dict[str, dict[str, dict[str, str]]] = {
    # --- API: accounts
    # Open to anyone: a deactivated account's stale token is ignored there (no authentication).
    "api/auth/register/": {"POST": ANYONE},
    "api/auth/token/": {"POST": ANYONE},
    "api/auth/ws-ticket/": {"POST": USERS},
    # Logging out revokes the caller's token; a dead or a deactivated account's token is a 401.
    "api/auth/logout/": {"POST": USERS},
    # The e-mail's link may be opened on any device, logged in or not.
    "api/auth/verify-email/": {"POST": ANYONE},
    "api/me/password/": {"POST": USERS},
    "api/me/verify-email/": {"POST": USERS},
    # A coordinator's account is closed by another coordinator (the admin), not by itself.
    "api/me/": {"GET": USERS, "PATCH": USERS, "DELETE": _roles(USERS, coordinator=DENY)},
    "api/me/profile/": {"GET": MEMBERS, "PUT": MEMBERS, "PATCH": MEMBERS},
    "api/reference/": {"GET": API_ANYONE},
    "api/imports/": {"POST": COORD},
    # --- API: the registry (a coordinator reads and vets people; each person renews)
    "api/people/<int:user_id>/": {"GET": COORD},
    "api/people/<int:user_id>/checks/": {"POST": COORD},
    "api/people/<int:user_id>/suspend/": {"POST": COORD},
    "api/people/<int:user_id>/confirm/": {"POST": COORD},
    "api/me/renewal/": {"POST": MEMBERS},
    "api/me/school/": {"POST": MEMBERS},
    # --- API: programmes, rounds, proposals
    "api/programs/": {"GET": USERS, "POST": COORD},
    "api/programs/<int:program_id>/": {"GET": USERS},
    "api/programs/<int:program_id>/close/": {"POST": COORD},
    # PATCH changes the caller's application (a family's answer is a 400 naming not_alone).
    "api/programs/<int:program_id>/apply/": {"POST": MEMBERS, "PATCH": MEMBERS},
    "api/programs/<int:program_id>/withdraw/": {"POST": MEMBERS},
    "api/programs/<int:program_id>/applications/": {"GET": COORD},
    "api/programs/<int:program_id>/rounds/": {"GET": COORD, "POST": COORD},
    "api/programs/<int:program_id>/proposals/": {"GET": COORD},
    "api/rounds/<int:round_id>/": {"GET": COORD},
    "api/rounds/<int:round_id>/publish/": {"POST": COORD},
    "api/proposals/": {"GET": MEMBERS},
    "api/proposals/<int:proposal_id>/": {"GET": _roles(PARTIES, coordinator=OK)},
    "api/proposals/<int:proposal_id>/accept/": {"POST": PARTIES},
    "api/proposals/<int:proposal_id>/decline/": {"POST": PARTIES},
    "api/proposals/<int:proposal_id>/cancel/": {"POST": COORD},
    "api/proposals/<int:proposal_id>/answer-on-behalf/": {"POST": COORD},
    "api/proposals/<int:proposal_id>/remind/": {"POST": COORD},
    "api/proposals/<int:proposal_id>/events/": {"GET": COORD},
    # Parties write their feedback; only coordinators read it.
    "api/proposals/<int:proposal_id>/feedback/": {"GET": COORD, "POST": PARTIES},
    "api/programs/<int:program_id>/reoffers/": {"GET": COORD},
    # --- API: visiting together (student_party invited a friend; both invitations are 400s)
    "api/group-requests/": {"GET": STUDENTS},
    "api/programs/<int:program_id>/group-requests/": {"POST": STUDENTS},
    "api/group-requests/<int:request_id>/": {"GET": GROUP_PARTY},
    # (the inviter's confirmation answers 409: only the invited student confirms)
    "api/group-requests/<int:request_id>/confirm/": {"POST": GROUP_PARTY},
    "api/group-requests/<int:request_id>/decline/": {"POST": GROUP_PARTY},
    # --- API: incidents. Anyone lists their own; a party or a coordinator reports about the
    # visit. A case is read by coordinators and its reporter (the family): the other party
    # is never told it exists. Following a case up is the coordinators'.
    "api/incidents/": {"GET": USERS, "POST": _roles(PARTIES, coordinator=OK)},
    "api/incidents/<int:incident_id>/": {
        "GET": _roles(PARTIES, student_party=NF, coordinator=OK),
        "PATCH": COORD,
    },
    "api/incidents/<int:incident_id>/notes/": {"POST": COORD},
    # The family (or a coordinator) sets the visit's meeting; a student never does.
    "api/proposals/<int:proposal_id>/meeting/": {
        "PATCH": _roles(PARTIES, student_party=DENY, student_other=DENY, coordinator=OK)
    },
    # (the world's visit is still to come: the parties' and coordinator's answer is a 400)
    "api/proposals/<int:proposal_id>/attendance/": {"POST": _roles(PARTIES, coordinator=OK)},
    # --- API: chat (the open report lets coordinators read the reported conversation)
    "api/conversations/": {"GET": USERS},
    # (posting answers the coordinator 409: reading is not taking part)
    "api/conversations/<int:conversation_id>/messages/": {
        "GET": _roles(PARTIES, coordinator=OK),
        "POST": _roles(PARTIES, coordinator=OK),
    },
    "api/conversations/<int:conversation_id>/read/": {"POST": _roles(PARTIES, coordinator=OK)},
    # The coordinator may read the reported conversation, so it is no secret to them; blocking
    # answers 409 (only the pair can block).
    "api/conversations/<int:conversation_id>/block/": {"POST": _roles(PARTIES, coordinator=OK)},
    "api/conversations/<int:conversation_id>/close/": {"POST": COORD},
    "api/messages/<int:message_id>/report/": {"POST": _roles(PARTIES, coordinator=NF)},
    "api/reports/": {"GET": COORD},
    "api/reports/<int:report_id>/resolve/": {"POST": COORD},
    # --- API: the report to the city
    "api/reports/summary/": {"GET": COORD},
    "api/reports/summary.xlsx": {"GET": COORD},
    # --- pages: public
    "": {"GET": ANYONE},
    "signup/": {"GET": ANYONE, "POST": ANYONE},
    "login/": {"GET": ANYONE, "POST": ANYONE},
    "logout/": {"POST": ANYONE},
    "language/": {"POST": ANYONE},
    # The reading aid is remembered on the account: a visitor is sent to log in.
    "reading-aid/": {"POST": USERS},
    "password-reset/": {"GET": ANYONE, "POST": ANYONE},
    "password-reset/sent/": {"GET": ANYONE},
    "password-reset/<uidb64>/<token>/": {"GET": ANYONE, "POST": ANYONE},
    "password-reset/done/": {"GET": ANYONE},
    "verify-email/<str:token>/": {"GET": ANYONE},
    "verify-email-again/": {"POST": USERS},
    "profile/password/": {"GET": USERS, "POST": USERS},
    # --- pages: students and families
    "dashboard/": {"GET": USERS},
    "profile/": {"GET": MEMBERS},
    "profile/<slug:step>/": {"GET": MEMBERS, "POST": MEMBERS},
    "registration/": {"GET": MEMBERS, "POST": MEMBERS},
    "programmes/": {"GET": MEMBERS},
    "programmes/<int:program_id>/": {"GET": MEMBERS, "POST": MEMBERS},
    "programmes/<int:program_id>/withdraw/": {"POST": MEMBERS},
    "programmes/<int:program_id>/not-alone/": {"POST": STUDENTS},
    "programmes/<int:program_id>/together/": {"POST": STUDENTS},
    "together/<int:request_id>/confirm/": {"POST": GROUP_PARTY},
    "together/<int:request_id>/decline/": {"POST": GROUP_PARTY},
    "proposals/": {"GET": MEMBERS},
    "proposals/<int:proposal_id>/accept/": {"POST": PARTIES},
    "proposals/<int:proposal_id>/decline/": {"POST": PARTIES},
    "visits/": {"GET": MEMBERS},
    "visits/<int:proposal_id>/": {"GET": PARTIES},
    "visits/<int:proposal_id>/calendar.ics": {"GET": PARTIES},
    "visits/<int:proposal_id>/report-a-problem/": {"GET": PARTIES, "POST": PARTIES},
    "visits/<int:proposal_id>/meeting/": {
        "POST": _roles(PARTIES, student_party=DENY, student_other=DENY)
    },
    "visits/<int:proposal_id>/attendance/": {"POST": PARTIES},
    "messages/": {"GET": MEMBERS},
    "messages/<int:conversation_id>/": {"GET": PARTIES},
    "messages/<int:conversation_id>/report/<int:message_id>/": {"POST": PARTIES},
    "messages/<int:conversation_id>/block/": {"GET": PARTIES, "POST": PARTIES},
    # --- pages: coordinators
    "coordinator/": {"GET": COORD},
    "coordinator/programs/new/": {"GET": COORD, "POST": COORD},
    "coordinator/programs/<int:program_id>/": {"GET": COORD},
    "coordinator/programs/<int:program_id>/close/": {"POST": COORD},
    "coordinator/programs/<int:program_id>/reoffer/": {"POST": COORD},
    "coordinator/programs/<int:program_id>/applications/": {"GET": COORD},
    "coordinator/applications/<int:application_id>/": {"GET": COORD},
    "coordinator/programs/<int:program_id>/rounds/new/": {"GET": COORD, "POST": COORD},
    "coordinator/programs/<int:program_id>/compare/": {"GET": COORD},
    "coordinator/rounds/<int:round_id>/": {"GET": COORD},
    "coordinator/rounds/<int:round_id>/publish/": {"POST": COORD},
    "coordinator/programs/<int:program_id>/answers/": {"GET": COORD},
    "coordinator/proposals/<int:proposal_id>/": {"GET": COORD},
    "coordinator/proposals/<int:proposal_id>/remind/": {"POST": COORD},
    "coordinator/proposals/<int:proposal_id>/answer/": {"POST": COORD},
    "coordinator/proposals/<int:proposal_id>/cancel/": {"POST": COORD},
    "coordinator/incidents/": {"GET": COORD},
    "coordinator/incidents/<int:incident_id>/": {"GET": COORD},
    "coordinator/incidents/<int:incident_id>/follow-up/": {"POST": COORD},
    "coordinator/incidents/<int:incident_id>/notes/": {"POST": COORD},
    "coordinator/proposals/<int:proposal_id>/incident/": {"GET": COORD, "POST": COORD},
    "coordinator/reports/": {"GET": COORD},
    "coordinator/reports/<int:report_id>/resolve/": {"POST": COORD},
    "coordinator/conversations/<int:conversation_id>/close/": {"POST": COORD},
    "coordinator/programs/<int:program_id>/announce/": {"GET": COORD, "POST": COORD},
    "coordinator/programs/<int:program_id>/visits.csv": {"GET": COORD},
    "coordinator/report-to-the-city/": {"GET": COORD},
    "coordinator/registry/import/": {"GET": COORD, "POST": COORD},
    "coordinator/registry/import/commit/": {"POST": COORD},
    "coordinator/registry/template/<slug:kind>-<slug:language>.xlsx": {"GET": COORD},
    "coordinator/people/": {"GET": COORD},
    "coordinator/people/<int:user_id>/": {"GET": COORD},
    "coordinator/people/<int:user_id>/checks/": {"POST": COORD},
    "coordinator/people/<int:user_id>/suspend/": {"POST": COORD},
    "coordinator/people/<int:user_id>/reinstate/": {"POST": COORD},
    "coordinator/people/<int:user_id>/confirm/": {"POST": COORD},
    "coordinator/programs/<int:program_id>/visit-day/": {"GET": COORD, "POST": COORD},
    "coordinator/proposals/<int:proposal_id>/attendance/": {"POST": COORD},
}

# WebSocket routes: what connecting answers (an accepted socket, or the close code).
WS_MATRIX: dict[str, dict[str, str | int]] = {
    "ws/chat/<int:conversation_id>/": {
        "anonymous": 4401,
        "deactivated": 4401,
        "student_party": OK,
        "student_other": 4403,
        "host_party": OK,
        "host_other": 4403,
        # An open report lets a coordinator join the reported conversation.
        "coordinator": OK,
    },
    "ws/notifications/": {**dict.fromkeys(ROLES, OK), "anonymous": 4401, "deactivated": 4401},
}

# Who may read each secret: the family's address/phone, the student's allergies.
MAY_READ_CONTACT = {"host_party", "student_party", "coordinator"}
MAY_READ_ALLERGIES = {"student_party", "host_party", "coordinator"}
MISSING = 987654


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
