"""The registry import's service: the dry run names what each row does, and a commit imports
all rows or none."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.imports.services import registry_import
from accounts.models import HostProfile, Role, StudentProfile, User
from tests.accounts.registry_files import HOST_HEADER, csv_bytes, host_row, twenty_families, xlsx
from tests.factories import HostProfileFactory, StudentProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages these tests read are the English ones (the site's default is Japanese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def coord() -> User:
    return UserFactory(role=Role.COORDINATOR)


def run(
    data: bytes, coord: User, *, kind: str = "hosts", commit: bool = False, name: str = "f.xlsx"
):  # type: ignore[no-untyped-def]
    return registry_import(
        kind=kind, upload=io.BytesIO(data), filename=name, commit=commit, by=coord
    )


def existing_families() -> tuple[User, User]:
    by_email = HostProfileFactory(user__email="existing@example.jp", user__name="既存 太郎").user
    by_phone = HostProfileFactory(phone="0422 55 0000", user__name="電話 花子").user
    return by_email, by_phone


def test_dry_run_names_every_row_and_writes_nothing(coord: User) -> None:
    by_email, by_phone = existing_families()
    users_before = User.objects.count()
    result = run(xlsx(twenty_families()), coord)
    actions = {row.row: row.action for row in result.rows}
    assert len(result.rows) == 20 and not result.committed
    assert [n for n, a in actions.items() if a == "refuse"] == [5, 10, 16]
    assert actions[20] == "update" and actions[21] == "merge"
    assert sum(a == "create" for a in actions.values()) == 15
    assert result.rows[18].existing == by_email.pk and result.rows[18].matched_on == "email"
    assert result.rows[19].existing == by_phone.pk and result.rows[19].matched_on == "phone"
    assert User.objects.count() == users_before and not mail.outbox


def test_each_bad_cell_is_named_by_its_column(coord: User) -> None:
    result = run(xlsx(twenty_families()), coord)
    bad = {row.row: row.errors for row in result.rows if row.action == "refuse"}
    assert list(bad[5]) == ["最寄り駅"] and "ホグワーツ" in bad[5]["最寄り駅"][0]
    assert list(bad[10]) == ["ペット"] and "ドラゴン" in bad[10]["ペット"][0]
    assert list(bad[16]) == ["メール"] and "not-an-address" in bad[16]["メール"][0]


def test_commit_with_a_refused_row_imports_nothing(coord: User) -> None:
    existing_families()
    users_before = User.objects.count()
    result = run(xlsx(twenty_families()), coord, commit=True)
    assert not result.committed
    assert User.objects.count() == users_before and not mail.outbox


def test_commit_creates_updates_merges_and_invites_the_new_people(
    coord: User, django_capture_on_commit_callbacks: Any
) -> None:
    by_email, by_phone = existing_families()
    with django_capture_on_commit_callbacks(execute=True):
        result = run(xlsx(twenty_families(bad=False)), coord, commit=True)
    assert result.committed and result.count("create") == 18
    created = User.objects.filter(email__startswith="family", role=Role.HOST)
    assert created.count() == 18
    assert all(not user.has_usable_password() for user in created)
    family = HostProfile.objects.get(user__email="family1@example.jp")
    assert family.home_station_id == "mitaka" and family.pets == [] and family.smoking is False
    assert family.languages == [
        {"code": "ja", "level": "native"},
        {"code": "en", "level": "beginner"},
    ]
    assert family.household_name == "山田 1"
    by_email.refresh_from_db()
    assert by_email.name == "山田 19" and by_email.host_profile.address.endswith("19-1-1")
    # A merge keeps the person's own name and e-mail; the profile takes the row's cells.
    by_phone.refresh_from_db()
    assert by_phone.name == "電話 花子" and by_phone.host_profile.address.endswith("20-1-1")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in created)
    assert all("/password-reset/" in m.body for m in mail.outbox)


def test_invitation_is_in_the_persons_language(
    coord: User, django_capture_on_commit_callbacks: Any
) -> None:
    header = [*HOST_HEADER, "連絡言語"]
    rows = [header, [*host_row(1), "English"], [*host_row(2), "日本語"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert run(xlsx(rows), coord, commit=True).committed
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "choose your password" in by_address["family1@example.jp"].body
    assert "パスワード" in by_address["family2@example.jp"].body
    assert User.objects.get(email="family1@example.jp").preferred_language == "en"


def test_same_name_and_address_is_a_merge(coord: User) -> None:
    person = HostProfileFactory(
        user__name="山田 1", address="東京都三鷹市下連雀1-1-1", phone="03-9999-9999"
    ).user
    result = run(xlsx([HOST_HEADER, host_row(1)]), coord)
    assert result.rows[0].action == "merge"
    assert (result.rows[0].existing, result.rows[0].matched_on) == (person.pk, "name_address")


def test_a_second_row_with_the_same_email_is_refused(coord: User) -> None:
    rows = [HOST_HEADER, host_row(1), host_row(2, メール="family1@example.jp")]
    result = run(xlsx(rows), coord)
    assert result.rows[0].action == "create"
    assert result.rows[1].action == "refuse" and "Row 2" in result.rows[1].errors["メール"][0]


def test_an_email_of_another_kind_of_account_is_refused(coord: User) -> None:
    StudentProfileFactory(user__email="family1@example.jp")
    result = run(xlsx([HOST_HEADER, host_row(1)]), coord)
    assert result.rows[0].action == "refuse" and "メール" in result.rows[0].errors


def test_the_profile_rules_apply_to_cells(coord: User) -> None:
    result = run(xlsx([HOST_HEADER, host_row(1, 電話="12")]), coord)
    assert result.rows[0].action == "refuse" and list(result.rows[0].errors) == ["電話"]


def test_students_with_english_headers_from_a_shift_jis_csv(coord: User) -> None:
    header = [
        "Name",
        "E-mail",
        "Nationality",
        "Gender",
        "Year of birth",
        "School",
        "Nearest station",
        "Languages",
        "Diet",
        "Allergies",
        "Needs a smoke-free home",
    ]
    row = [
        "Lan Nguyen",
        "lan@example.vn",
        "ベトナム",
        "女性",
        "2002",
        "東京国際大学",
        "吉祥寺",
        "ベトナム語(ネイティブ)、日本語(中級)",
        "ハラール",
        "えび",
        "はい",
    ]
    result = run(
        csv_bytes([header, row], "cp932"), coord, kind="students", commit=True, name="students.csv"
    )
    assert result.committed, result.rows[0].errors
    profile = StudentProfile.objects.get(user__email="lan@example.vn")
    assert profile.nationality.code == "VN" and profile.diet == ["halal"]
    assert profile.allergies == ["shrimp"] and profile.needs_non_smoking is True
    assert profile.user.preferred_language == "en"


def test_an_empty_cell_keeps_what_the_person_has(coord: User) -> None:
    person = HostProfileFactory(user__email="family1@example.jp", pets=["cat"]).user
    assert run(xlsx([HOST_HEADER, host_row(1, ペット="")]), coord, commit=True).committed
    assert HostProfile.objects.get(user=person).pets == ["cat"]


def test_unknown_columns_are_ignored_and_listed(coord: User) -> None:
    result = run(xlsx([HOST_HEADER, host_row(1)]), coord)
    assert result.ignored_columns == ["備考"]


def _zip_bomb() -> bytes:
    """A small zip whose one entry unpacks to 60 MB."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"a" * (60 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "x.csv", "empty"),
        (b"\x00\x01\x02binary", "x.csv", "not a spreadsheet"),
        (b"PK\x03\x04broken", "x.xlsx", "not a readable XLSX"),
        (b"\xd0\xcf\x11\xe0old", "x.xls", ".xls"),
        (b"x" * (2 * 1024 * 1024 + 1), "x.csv", "larger than 2 MB"),
        ("氏名,メール\n".encode(), "x.csv", "no rows"),
        ("名字,住所\n山田,三鷹\n".encode(), "x.csv", "no column"),
        ("氏名,名前,メール\na,b,c@example.jp\n".encode(), "x.csv", "mean the same thing"),
        (_zip_bomb(), "bomb.xlsx", "unpacks to more than 50 MB"),
    ],
)
def test_a_bad_file_is_named_and_changes_nothing(
    coord: User, data: bytes, name: str, words: str
) -> None:
    users_before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        run(data, coord, commit=True, name=name)
    assert words in caught.value.message_dict["file"][0]
    assert User.objects.count() == users_before


def test_invited_person_asking_for_a_reset_gets_the_invitation_again(coord: User) -> None:
    from accounts.emails import password_reset_email_send

    assert run(xlsx([HOST_HEADER, host_row(1)]), coord, commit=True).committed
    mail.outbox.clear()
    assert password_reset_email_send(email="family1@example.jp") == 1
    assert "choose your password" in mail.outbox[0].body or "パスワード" in mail.outbox[0].body


def test_a_partner_school_goes_into_the_registry_and_its_domain_confirms(coord: User) -> None:
    from accounts.registry.models import PartnerSchool, RegistryRecord

    school = PartnerSchool.objects.create(
        name_ja="東京国際大学", name_en="Tokyo International University", domains=["tiu.ac.jp"]
    )
    header = ["Name", "E-mail", "School"]
    rows = [header, ["Lan", "lan@tiu.ac.jp", "東京国際大学"], ["Minh", "minh@example.vn", "TIU"]]
    assert run(xlsx(rows), coord, kind="students", commit=True).committed
    record = RegistryRecord.objects.get(user__email="lan@tiu.ac.jp")
    assert record.school == school and record.confirmed_via == "domain"
    # A school that is no partner stays the profile's own words.
    assert not RegistryRecord.objects.filter(user__email="minh@example.vn").exists()
    assert StudentProfile.objects.get(user__email="minh@example.vn").school == "TIU"


def test_a_family_with_every_check_dated_comes_in_approved(coord: User) -> None:
    from accounts.registry.selectors import person_of, vetting_checks

    checks = list(vetting_checks().filter(required=True))
    header = [*HOST_HEADER, *(check.name_ja for check in checks)]
    rows = [
        header,
        [*host_row(1), *["2026/4/12"] * len(checks)],
        [*host_row(2), "2026年4月12日"],
    ]
    assert run(xlsx(rows), coord, commit=True).committed
    approved = person_of(user_id=User.objects.get(email="family1@example.jp").pk)
    pending = person_of(user_id=User.objects.get(email="family2@example.jp").pk)
    assert approved is not None and approved.status == "approved"
    assert pending is not None and pending.status == "pending"
    # Importing the same file again records nothing twice.
    assert run(xlsx(rows), coord, commit=True).committed
    assert approved.user.vetting_checks.count() == len(checks)


@pytest.mark.parametrize(("cell", "words"), [("2099/1/1", "future"), ("先月", "not a date")])
def test_a_bad_check_date_is_refused(coord: User, cell: str, words: str) -> None:
    result = run(xlsx([[*HOST_HEADER, "Briefing attended"], [*host_row(1), cell]]), coord)
    assert result.rows[0].action == "refuse"
    assert words in result.rows[0].errors["Briefing attended"][0]


def test_the_dry_runs_queries_do_not_grow_with_the_rows(coord: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    # The first import fills the process's cache of reference codes (the API's too).
    for size in (1, 1, 30):
        rows = [HOST_HEADER, *(host_row(n) for n in range(1, size + 1))]
        with CaptureQueriesContext(connection) as queries:
            run(xlsx(rows), coord)
        counts.append(len(queries.captured_queries))
    assert counts[1] == counts[2]


def test_a_failure_halfway_through_the_commit_leaves_nothing(
    coord: User, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from accounts.imports import services

    saved: list[int] = []
    real = services.profile_save

    def third_fails(**kwargs: Any) -> Any:
        saved.append(1)
        if len(saved) == 3:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "profile_save", third_fails)
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        run(xlsx([HOST_HEADER, *(host_row(n) for n in range(1, 6))]), coord, commit=True)
    assert User.objects.count() == users_before and not mail.outbox


def test_a_student_with_the_same_name_and_school_is_a_merge(coord: User) -> None:
    known = StudentProfileFactory(user__name="Lan Nguyen", school="Asia University").user
    rows = [["Name", "E-mail", "School"], ["Lan  Nguyen", "lan.new@example.vn", "asia university"]]
    row = run(xlsx(rows), coord, kind="students").rows[0]
    assert (row.action, row.existing, row.matched_on) == ("merge", known.pk, "name_school")


def test_an_email_taken_meanwhile_is_named_and_nothing_is_imported(
    coord: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    from accounts.imports import services

    real = services.profile_save

    def taken(**kwargs: Any) -> Any:
        if kwargs["user"].email == "family2@example.jp":
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(services, "profile_save", taken)
    with pytest.raises(ValidationError) as caught:
        run(xlsx([HOST_HEADER, host_row(1), host_row(2)]), coord, commit=True)
    assert "taken meanwhile" in caught.value.message_dict["file"][0]
    assert not User.objects.filter(email__startswith="family").exists()
