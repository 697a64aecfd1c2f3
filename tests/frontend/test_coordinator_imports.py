"""The registry import's page: upload, dry run, fix, confirm merges, import; the templates."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role, User
from tests.accounts.registry_files import HOST_HEADER, host_row, twenty_families, xlsx
from tests.factories import HostProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("frontend:coordinator:imports")
COMMIT = reverse("frontend:coordinator:import_commit")


def check(client: Client, data: bytes, kind: str = "hosts", name: str = "registry.xlsx") -> Any:
    return client.post(PAGE, {"kind": kind, "file": SimpleUploadedFile(name, data)})


def pending_of(response: Any) -> str:
    return str(response.context["commit_form"].initial["pending"])


def test_dry_run_shows_every_row_and_each_bad_cell(coord: Client) -> None:
    HostProfileFactory(user__email="existing@example.jp")
    HostProfileFactory(phone="0422-55-0000")
    page = check(coord, xlsx(twenty_families())).content.decode()
    assert page.count('class="import-row ') == 20
    assert "Row 5, column “最寄り駅”" in page and "ホグワーツ" in page
    assert "Merge: please confirm" in page and "Same phone as an existing family" in page
    # A refused row: no import button, the page says to fix the file.
    assert "Fix the refused rows" in page and COMMIT not in page


def test_fixed_file_is_imported_after_the_merges_are_confirmed(
    coord: Client, django_capture_on_commit_callbacks: Any
) -> None:
    HostProfileFactory(user__email="existing@example.jp")
    HostProfileFactory(phone="0422-55-0000")
    response = check(coord, xlsx(twenty_families(bad=False)))
    pending = pending_of(response)
    unconfirmed = coord.post(COMMIT, {"pending": pending})
    assert "Tick the box to confirm the merges" in unconfirmed.content.decode()
    assert not User.objects.filter(email="family1@example.jp").exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = coord.post(COMMIT, {"pending": pending, "confirm_merges": "on"}, follow=True)
    assert "Imported 20 rows: 18 new people invited, 1 updated, 1 merged." in done.content.decode()
    assert User.objects.filter(role=Role.HOST, email__startswith="family").count() == 18
    assert len(mail.outbox) == 18
    # The check is used up: a second press imports nothing more.
    again = coord.post(COMMIT, {"pending": pending, "confirm_merges": "on"}, follow=True)
    assert "That check has expired" in again.content.decode()


def test_another_coordinators_check_is_not_found(
    coord: Client, page_client: Callable[..., Client]
) -> None:
    pending = pending_of(check(coord, xlsx([HOST_HEADER, host_row(1)])))
    other = page_client(UserFactory(role=Role.COORDINATOR))
    response = other.post(COMMIT, {"pending": pending}, follow=True)
    assert "That check has expired" in response.content.decode()
    assert not User.objects.filter(email="family1@example.jp").exists()


def test_a_bad_file_is_named_beside_the_form(coord: Client) -> None:
    page = check(coord, b"just some words, not a sheet\x00", name="notes.txt").content.decode()
    assert "not a spreadsheet" in page


def test_wrong_headers_are_named(coord: Client) -> None:
    page = check(coord, xlsx([["名字", "住所"], ["山田", "三鷹"]])).content.decode()
    assert "no column" in page and "「メール」" in page


@pytest.mark.parametrize(
    ("kind", "language", "first"), [("hosts", "ja", "氏名"), ("students", "en", "Name")]
)
def test_templates_in_both_languages(coord: Client, kind: str, language: str, first: str) -> None:
    url = reverse("frontend:coordinator:import_template", args=[kind, language])
    response = coord.get(url)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert next(sheet.iter_rows(values_only=True))[0] == first


def test_the_template_imports_as_it_is(coord: Client) -> None:
    url = reverse("frontend:coordinator:import_template", args=["students", "ja"])
    response = check(coord, coord.get(url).content, kind="students")
    result = response.context["result"]
    assert [row.action for row in result.rows] == ["create"], result.rows[0].errors


def test_japanese_page(page_client: Callable[..., Client], coordinator: User) -> None:
    page = page_client(coordinator, "ja").get(PAGE).content.decode()
    assert "名簿の取り込み" in page


@pytest.mark.parametrize("role", [Role.STUDENT, Role.HOST])
def test_others_may_not_import(page_client: Callable[..., Client], role: str) -> None:
    client = page_client(UserFactory(role=role))
    assert client.get(PAGE).status_code == 403
    assert check(client, xlsx([HOST_HEADER, host_row(1)])).status_code == 403
