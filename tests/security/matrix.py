"""The access matrix's table: for every route, what each role is answered (the tests are in
``test_access_matrix.py``)."""

from __future__ import annotations

from tests.security.conftest import ROLES

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
