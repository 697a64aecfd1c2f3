"""The programmes and applications API through DRF's client: paths, codes, who sees what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Application, Program
from matching.services.groups import group_request_confirm, group_request_create
from tests import factories
from tests.matching.conftest import future_days

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], APIClient]


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Spring home visits",
        "kind": "home_visit",
        "dates": future_days(20, 27),
        "apply_until": (timezone.now() + dt.timedelta(days=7)).isoformat(),
        "response_hours": 72,
    }
    body.update(overrides)
    return body


class TestCreate:
    def test_coordinator_creates(self, coordinator_client: APIClient) -> None:
        response = coordinator_client.post("/api/programs/", _body(), format="json")
        assert response.status_code == 201, response.data
        assert response.data["id"] == Program.objects.get().pk
        assert response.data["dates"] == future_days(20, 27)
        assert response.data["my_application"] is None

    def test_missing_field_is_named(self, coordinator_client: APIClient) -> None:
        body = _body()
        del body["apply_until"]
        response = coordinator_client.post("/api/programs/", body, format="json")
        assert response.status_code == 400
        assert "apply_until" in response.data

    def test_service_error_is_a_400_naming_the_field(self, coordinator_client: APIClient) -> None:
        response = coordinator_client.post(
            "/api/programs/", _body(response_hours=1000), format="json"
        )
        assert response.status_code == 400
        assert list(response.data) == ["response_hours"]
        assert not Program.objects.exists()

    def test_students_may_not_create(self, student: User, client_for: ClientFor) -> None:
        response = client_for(student).post("/api/programs/", _body(), format="json")
        assert response.status_code == 403

    def test_anonymous_gets_401(self, api: APIClient) -> None:
        assert api.get("/api/programs/").status_code == 401
        assert api.post("/api/programs/", _body(), format="json").status_code == 401


class TestList:
    def test_student_sees_open_and_own(
        self, program: Program, student: User, client_for: ClientFor, coordinator: User
    ) -> None:
        past = factories.ProgramFactory(
            created_by=coordinator,
            apply_until=timezone.now() - dt.timedelta(days=1),
            name="Closed for applications",
        )
        applied = factories.ProgramFactory(
            created_by=coordinator,
            apply_until=timezone.now() - dt.timedelta(days=1),
            name="Applied earlier",
        )
        mine = factories.ApplicationFactory(program=applied, user=student)
        response = client_for(student).get("/api/programs/")
        assert response.status_code == 200
        by_id = {row["id"]: row for row in response.data}
        assert set(by_id) == {program.pk, applied.pk}
        assert past.pk not in by_id
        assert by_id[applied.pk]["my_application"]["id"] == mine.pk
        assert by_id[applied.pk]["accepting_applications"] is False
        assert by_id[program.pk]["my_application"] is None
        assert by_id[program.pk]["accepting_applications"] is True

    def test_coordinator_sees_all_with_counts(
        self,
        program: Program,
        coordinator: User,
        coordinator_client: APIClient,
        make_student: Callable[..., Application],
        make_host: Callable[..., Application],
    ) -> None:
        factories.ProgramFactory(
            created_by=coordinator, apply_until=timezone.now() - dt.timedelta(days=1)
        )
        make_student(program)
        make_student(program)
        make_host(program)
        response = coordinator_client.get("/api/programs/")
        assert len(response.data) == 2
        row = next(r for r in response.data if r["id"] == program.pk)
        assert (row["student_count"], row["host_count"]) == (2, 1)

    def test_list_query_count_is_constant(
        self,
        coordinator: User,
        student: User,
        client_for: ClientFor,
        django_assert_num_queries: Any,
    ) -> None:
        client = client_for(student)
        for _ in range(2):
            p = factories.ProgramFactory(created_by=coordinator)
            factories.ApplicationFactory(program=p, user=student)
        # token auth, programmes, my applications, their days
        with django_assert_num_queries(4):
            assert len(client.get("/api/programs/").data) == 2
        for _ in range(5):
            p = factories.ProgramFactory(created_by=coordinator)
        with django_assert_num_queries(4):
            assert len(client.get("/api/programs/").data) == 7

    def test_detail_hides_what_the_caller_may_not_see(
        self, coordinator: User, student: User, client_for: ClientFor
    ) -> None:
        hidden = factories.ProgramFactory(
            created_by=coordinator, apply_until=timezone.now() - dt.timedelta(days=1)
        )
        assert client_for(student).get(f"/api/programs/{hidden.pk}/").status_code == 404
        assert client_for(student).get("/api/programs/999999/").status_code == 404
        assert client_for(coordinator).get(f"/api/programs/{hidden.pk}/").status_code == 200


class TestApply:
    def test_student_applies(self, program: Program, student: User, client_for: ClientFor) -> None:
        response = client_for(student).post(
            f"/api/programs/{program.pk}/apply/", {"dates": program.dates}, format="json"
        )
        assert response.status_code == 201, response.data
        application = Application.objects.get()
        assert response.data["id"] == application.pk
        assert response.data["status"] == "active"
        detail = client_for(student).get(f"/api/programs/{program.pk}/")
        assert detail.data["my_application"]["id"] == application.pk

    def test_host_applies_with_capacity(
        self, program: Program, host: User, client_for: ClientFor
    ) -> None:
        response = client_for(host).post(
            f"/api/programs/{program.pk}/apply/",
            {"dates": program.dates[:1], "capacity": 3},
            format="json",
        )
        assert response.status_code == 201, response.data
        assert response.data["capacity"] == 3
        assert [d["seats"] for d in response.data["days"]] == [3]

    @pytest.mark.parametrize(
        ("case", "field"),
        [
            ("incomplete_profile", "profile"),
            ("after_deadline", "apply_until"),
            ("date_outside", "dates"),
            ("twice", "program"),
            ("closed", "program"),
        ],
    )
    def test_each_refusal_says_which(
        self, program: Program, client_for: ClientFor, case: str, field: str
    ) -> None:
        user = factories.StudentProfileFactory(
            max_travel_minutes=None if case == "incomplete_profile" else 60
        ).user
        dates = program.dates
        if case == "after_deadline":
            Program.objects.filter(pk=program.pk).update(
                apply_until=timezone.now() - dt.timedelta(seconds=1)
            )
        elif case == "date_outside":
            dates = future_days(29)
        elif case == "twice":
            factories.ApplicationFactory(program=program, user=user)
        elif case == "closed":
            Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
        before = Application.objects.count()
        response = client_for(user).post(
            f"/api/programs/{program.pk}/apply/", {"dates": dates}, format="json"
        )
        assert response.status_code == 400
        assert field in response.data, response.data
        assert Application.objects.count() == before

    def test_coordinator_gets_403(self, program: Program, coordinator_client: APIClient) -> None:
        response = coordinator_client.post(
            f"/api/programs/{program.pk}/apply/", {"dates": program.dates}, format="json"
        )
        assert response.status_code == 403

    def test_missing_programme_is_404(self, student: User, client_for: ClientFor) -> None:
        response = client_for(student).post(
            "/api/programs/424242/apply/", {"dates": []}, format="json"
        )
        assert response.status_code == 404

    def test_language_exchange_body(
        self, coordinator: User, student: User, client_for: ClientFor
    ) -> None:
        exchange = factories.ProgramFactory(
            created_by=coordinator, kind="language_exchange", dates=future_days(30)
        )
        response = client_for(student).post(
            f"/api/programs/{exchange.pk}/apply/",
            {"teaches": ["vi"], "learns": ["ja"], "format": "either"},
            format="json",
        )
        assert response.status_code == 201, response.data
        assert (response.data["teaches"], response.data["format"]) == (["vi"], "either")

    def test_language_exchange_weekly_slots(
        self, coordinator: User, student: User, client_for: ClientFor
    ) -> None:
        exchange = factories.ProgramFactory(
            created_by=coordinator, kind="language_exchange", dates=future_days(30)
        )
        url = f"/api/programs/{exchange.pk}/apply/"
        body = {"teaches": ["vi"], "learns": ["ja"], "format": "online"}
        client = client_for(student)
        refused = client.post(
            url, {**body, "time_slots": ["tue-eve", "weekday_evening"]}, format="json"
        )
        assert refused.status_code == 400
        assert list(refused.json()) == ["time_slots"]
        assert '"weekday_evening"' in refused.json()["time_slots"][0]
        assert not Application.objects.exists()
        stored = client.post(url, {**body, "time_slots": ["tue-eve", "sat-am"]}, format="json")
        assert stored.status_code == 201, stored.data
        assert stored.data["time_slots"] == ["tue-eve", "sat-am"]

    def test_withdraw(self, program: Program, student: User, client_for: ClientFor) -> None:
        client = client_for(student)
        assert client.post(f"/api/programs/{program.pk}/withdraw/").status_code == 404
        client.post(f"/api/programs/{program.pk}/apply/", {"dates": program.dates}, format="json")
        response = client.post(f"/api/programs/{program.pk}/withdraw/")
        assert response.status_code == 200
        assert response.data["status"] == "withdrawn"

    def test_withdrawing_after_the_last_visit_day_is_refused_naming_the_programme(
        self, student: User, client_for: ClientFor
    ) -> None:
        past = factories.ProgramFactory(
            dates=[(timezone.localdate() - dt.timedelta(days=3)).isoformat()],
            apply_until=timezone.now() - dt.timedelta(days=10),
        )
        factories.ApplicationFactory(program=past, user=student, role=student.role)
        response = client_for(student).post(f"/api/programs/{past.pk}/withdraw/")
        assert response.status_code == 400
        assert list(response.json()) == ["program"]
        assert Application.objects.get(program=past).status == Application.Status.ACTIVE


class TestApplications:
    def test_coordinator_sees_full_profiles_in_constant_queries(
        self,
        program: Program,
        coordinator_client: APIClient,
        make_student: Callable[..., Application],
        make_host: Callable[..., Application],
        django_assert_num_queries: Any,
    ) -> None:
        def friends() -> None:
            a, b = make_student(program), make_student(program)
            Application.objects.filter(pk=a.pk).update(not_alone=True)
            invite = group_request_create(program=program, by=a.user, email=b.user.email)
            group_request_confirm(request_id=invite.pk, by=b.user)
            c, d = make_student(program), make_student(program)
            group_request_create(program=program, by=c.user, email=d.user.email)

        make_student(program)
        make_host(program, seats=2)
        friends()
        # token auth, programme, applications with users and profiles, host days, the
        # students' live requests to visit together sent and received (with the partners)
        with django_assert_num_queries(6):
            response = coordinator_client.get(f"/api/programs/{program.pk}/applications/")
        assert response.status_code == 200
        assert sum(r["group"] is not None for r in response.data) == 4
        host_row = next(r for r in response.data if r["role"] == "host")
        assert host_row["profile"]["address"] == "1-2-3 Naka-chō, Musashino-shi"
        assert host_row["profile"]["phone"] == "0422-00-1234"
        assert host_row["capacity"] == 2
        student_row = next(r for r in response.data if r["role"] == "student")
        assert student_row["profile"]["nationality"] == "VN"
        assert student_row["applicant"]["email"]
        for _ in range(6):
            make_student(program)
            make_host(program)
            friends()
        with django_assert_num_queries(6):
            response = coordinator_client.get(f"/api/programs/{program.pk}/applications/")
        assert len(response.data) == 6 + 6 * 6
        assert sum(r["group"] is not None for r in response.data) == 4 * 7
        assert sum(r["not_alone"] for r in response.data) == 7

    def test_students_and_hosts_get_403(
        self, program: Program, student: User, host: User, client_for: ClientFor
    ) -> None:
        for user in (student, host):
            response = client_for(user).get(f"/api/programs/{program.pk}/applications/")
            assert response.status_code == 403

    def test_close(self, program: Program, coordinator_client: APIClient) -> None:
        response = coordinator_client.post(f"/api/programs/{program.pk}/close/")
        assert response.status_code == 200
        assert response.data["status"] == "closed"


def _create_in_a_month(coordinator, **fields):
    from matching.services.programs import program_create

    today = timezone.localdate()
    return program_create(
        by=coordinator,
        kind="home_visit",
        dates=[today + dt.timedelta(days=30)],
        apply_until=today + dt.timedelta(days=20),
        response_hours=72,
        **fields,
    )


def test_a_programme_reads_in_each_language_with_fallbacks(coordinator) -> None:
    """Japanese is the programme's own name; the others come from ``translations``: the
    reader's, else English (easy Japanese: else Japanese), else the Japanese."""
    from django.utils import translation

    program = _create_in_a_month(
        coordinator,
        name="ホームビジット",
        description="一日を過ごします。",
        translations={"en": {"name": "Home visits", "description": ""}, "vi": {"name": "Thăm nhà"}},
    )
    assert program.translations == {"en": {"name": "Home visits"}, "vi": {"name": "Thăm nhà"}}
    expected = {
        "ja": ("ホームビジット", "一日を過ごします。"),
        "ja-easy": ("ホームビジット", "一日を過ごします。"),
        "en": ("Home visits", "一日を過ごします。"),
        "vi": ("Thăm nhà", "一日を過ごします。"),
        "ne": ("Home visits", "一日を過ごします。"),
    }
    for language, (name, description) in expected.items():
        with translation.override(language):
            assert (program.display_name, program.display_description) == (name, description)


def test_an_unknown_translation_language_is_refused(coordinator) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _create_in_a_month(coordinator, name="x", translations={"fr": {"name": "Visites"}})
    assert "translations" in refused.value.message_dict
