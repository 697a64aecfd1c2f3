"""POST /api/imports/: the contract's shape, coordinators only, bad files named."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from tests.accounts.registry_files import HOST_HEADER, host_row, twenty_families, xlsx
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/imports/"


def upload(data: bytes, name: str = "registry.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_dry_run_answers_every_row(client_for: Any, coordinator: User) -> None:
    response = client_for(coordinator).post(
        URL, {"file": upload(xlsx(twenty_families())), "kind": "hosts"}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["committed"] is False and len(body["rows"]) == 20
    first = body["rows"][0]
    assert first["row"] == 2 and first["action"] == "create" and first["errors"] == {}
    refused = [r for r in body["rows"] if r["action"] == "refuse"]
    assert [r["row"] for r in refused] == [5, 10, 16]
    assert list(refused[0]["errors"]) == ["最寄り駅"]
    assert body["ignored_columns"] == ["備考"]


def test_commit_creates_the_accounts(client_for: Any, coordinator: User) -> None:
    rows = [HOST_HEADER, host_row(1), host_row(2)]
    response = client_for(coordinator).post(
        URL, {"file": upload(xlsx(rows)), "kind": "hosts", "commit": "true"}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["committed"] is True
    assert User.objects.filter(role=Role.HOST, email__startswith="family").count() == 2


@pytest.mark.parametrize("role", [Role.STUDENT, Role.HOST])
def test_only_coordinators_may_import(client_for: Any, role: str) -> None:
    user = UserFactory(role=role)
    rows = [HOST_HEADER, host_row(1)]
    response = client_for(user).post(
        URL, {"file": upload(xlsx(rows)), "kind": "hosts", "commit": "true"}, format="multipart"
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="family1@example.jp").exists()


def test_anonymous_is_refused(client_for: Any) -> None:
    response = client_for(None).post(URL, {"kind": "hosts"}, format="multipart")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "hosts"}, "file"),
        ({"file": "x", "kind": "cats"}, "kind"),
        ({"kind": "hosts", "commit": "maybe"}, "commit"),
    ],
)
def test_bad_fields_are_named(
    client_for: Any, coordinator: User, body: dict[str, Any], field: str
) -> None:
    if body.get("file") == "x":
        body = {**body, "file": upload(xlsx([HOST_HEADER, host_row(1)]))}
    response = client_for(coordinator).post(URL, body, format="multipart")
    assert response.status_code == 400 and field in response.json()


def test_a_bad_file_is_a_400_naming_the_problem(client_for: Any, coordinator: User) -> None:
    response = client_for(coordinator).post(
        URL,
        {"file": upload(b"%PDF-1.4 not a sheet\x00", "a.pdf"), "kind": "hosts"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "not a spreadsheet" in response.json()["file"][0]


def test_json_body_is_refused(client_for: Any, coordinator: User) -> None:
    response = client_for(coordinator).post(URL, {"kind": "hosts"}, format="json")
    assert response.status_code == 415
