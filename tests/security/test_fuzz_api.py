"""schemathesis fuzzing of every API operation, as each role, through the WSGI handler.

Per operation and role, ``ENGAWA_FUZZ_EXAMPLES`` examples (100 in CI, 10 by default on a
laptop): no 5xx, every status code documented, every body on its documented schema, the
documented content type. The schema's paths must equal the URL conf's /api/ routes.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as openapi_checks

from accounts.services import token_for
from tests.conftest import IN_CI
from tests.security.conftest import build_world
from tests.security.test_access_matrix import MATRIX, http_routes

EXAMPLES = int(os.environ.get("ENGAWA_FUZZ_EXAMPLES") or (100 if IN_CI else 10))
# Every role gets the full count on reads and answers, and on every write the access matrix
# lets it in; a write refused at the door (401/403 whatever the body) gets a tenth, since
# generating bodies (the profile's above all) is what costs the time.
ROLES = ("anonymous", "student_party", "host_party", "coordinator")
CHECKS = [
    st_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# Closing one's own account would leave the role without a user for the rest of the run; it
# is fuzzed last, on its own world, by the access matrix's DELETE probe instead.
SKIP = {("DELETE", "/api/me/")}

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
OPERATIONS = [
    op.ok()
    for op in SCHEMA.get_all_operations()
    if (op.ok().method.upper(), op.ok().path) not in SKIP
]


def test_schema_paths_equal_the_url_conf():
    def as_template(route: str) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)

    routes = {as_template(r) for r in http_routes() if r.startswith("api/")}
    assert set(SCHEMA.raw_schema["paths"]) == routes


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The WSGI handler would close the test's database connection after each request (as
    Django's test client avoids doing), ending the test transaction on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """The limits have their own tests; here a 429 would only hide what the fuzzer looks for."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"auth": "100000/min", "writes": "100000/min"}
    )
    settings.AXES_ENABLED = False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS]
)
def test_operation_holds_its_schema(
    db, keep_test_connection, unthrottled, role, operation, record_property
):
    world = build_world()
    user = world.users[role]
    headers = {"Authorization": f"Token {token_for(user=user)}"} if user is not None else {}
    started = time.monotonic()
    answer = operation.path.endswith(("/accept/", "/decline/"))
    route = re.sub(r"\{(\w+)\}", r"<int:\1>", operation.path.lstrip("/"))
    let_in = MATRIX[route][operation.method.upper()][role] != "deny"
    full = operation.method.upper() == "GET" or answer or let_in
    examples = EXAMPLES if full else max(10, EXAMPLES // 10)

    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
    record_property("seconds", round(time.monotonic() - started, 2))
