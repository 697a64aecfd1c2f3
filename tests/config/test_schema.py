"""The OpenAPI schema and its browsable page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_the_schema_validates_as_openapi_3(client: Client) -> None:
    answer = client.get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    for path in (
        "/api/auth/register/",
        "/api/auth/token/",
        "/api/auth/ws-ticket/",
        "/api/auth/logout/",
        "/api/auth/verify-email/",
        "/api/me/",
        "/api/me/password/",
        "/api/me/verify-email/",
        "/api/me/profile/",
        "/api/reference/",
    ):
        assert path in schema["paths"], path


@pytest.mark.parametrize(
    ("method", "student_shape", "host_shape"),
    [
        ("put", "StudentProfileInputRequest", "HostProfileInputRequest"),
        ("patch", "PatchedStudentProfileInputRequest", "PatchedHostProfileInputRequest"),
    ],
)
def test_the_profile_endpoint_documents_both_profiles(
    client: Client, method: str, student_shape: str, host_shape: str
) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/me/profile/"][method]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    either = schema["components"]["schemas"][body.rsplit("/", 1)[-1]]
    # anyOf: {"bio": "..."} is a valid body for either role, which oneOf would deny.
    assert "oneOf" not in either
    names = {v["$ref"].rsplit("/", 1)[-1] for v in either["anyOf"]}
    assert names == {student_shape, host_shape}
    student = schema["components"]["schemas"]["StudentProfileInputRequest"]["properties"]
    assert {"nationality", "birth_year", "max_travel_minutes", "allergies"} <= set(student)


def test_the_docs_page_renders_with_local_assets(client: Client) -> None:
    answer = client.get("/api/docs/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "swagger" in page.lower()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert assets, "Swagger UI should come from our own static files, not a CDN"
    assert not re.search(r'(?:src|href)="https?://', page)
    script = next(a for a in assets if a.endswith(".js"))
    asset = client.get(script)
    assert asset.status_code == 200, script
    body = b"".join(asset.streaming_content) if asset.streaming else asset.content
    assert len(body) > 1000


def test_token_clients_are_documented_with_the_token_scheme(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert {"tokenAuth": []} in schema["paths"]["/api/me/password/"]["post"]["security"]


def test_every_operation_is_described_for_a_client_not_by_a_views_docstring(
    client: Client,
) -> None:
    """The schema's summaries and descriptions are written for a client (extend_schema on
    each view); a class's docstring, such as ApiViewMixin's note on translation, is plumbing."""
    import inspect

    from drf_spectacular.generators import EndpointEnumerator

    docstrings = {
        " ".join(doc.split())
        for _path, _regex, _method, view in EndpointEnumerator().get_api_endpoints()
        for klass in inspect.getmro(view.cls)
        if (doc := inspect.getdoc(klass))
    }
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            description = " ".join(operation.get("description", "").split())
            assert description, where
            assert description not in docstrings, where


def test_writes_document_the_413_of_an_oversized_body(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "413" in schema["paths"]["/api/auth/register/"]["post"]["responses"]
    assert "413" not in schema["paths"]["/api/me/"]["get"]["responses"]
