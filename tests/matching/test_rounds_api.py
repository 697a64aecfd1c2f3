"""The rounds API through DRF's client: coordinators only, API.md's shapes, query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from accounts.models import User
from matching.api.rounds import RoundDetailOutput, RoundProposalOutput, RoundUnplacedOutput
from matching.models import Application, Program, Round, Unplaced
from matching.selectors import rounds as selectors
from tests import factories

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], APIClient]
MakeApp = Callable[..., Application]


def _start(client: APIClient, program: Program, body: dict[str, Any] | None, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(f"/api/programs/{program.pk}/rounds/", body or {}, format="json")


class TestStart:
    def test_202_then_the_detail_has_api_md_shape(
        self,
        program: Program,
        coordinator_client: APIClient,
        make_student: MakeApp,
        make_host: MakeApp,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        students = [make_student(program) for _ in range(3)]
        host = make_host(program, seats=2, dates=program.dates[:1])
        response = _start(
            coordinator_client,
            program,
            {"weights": {"language": 40, "travel": 10}},
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 202, response.data
        assert set(response.data) >= {"id", "status"}
        rnd = Round.objects.get()
        assert response.data["id"] == rnd.pk
        # The test's transaction holds the on-commit task until the answer is written.
        assert response.data["status"] == "queued"

        detail = coordinator_client.get(f"/api/rounds/{rnd.pk}/")
        assert detail.status_code == 200
        data = detail.json()  # the answer as clients read it
        assert data["id"] == rnd.pk
        assert data["status"] == "draft"
        assert data["weights"] == {"language": 40.0, "travel": 10.0}
        assert {
            "students",
            "hosts",
            "slots",
            "matched",
            "unmatched",
            "total_score",
            "mean_score",
            "min_score",
            "solve_ms",
        } <= set(data["stats"])
        assert len(data["proposals"]) == 2
        for proposal in data["proposals"]:
            assert {
                "id",
                "student_application",
                "host_application",
                "date",
                "score",
                "breakdown",
            } <= set(proposal)
            assert proposal["host_application"] == host.pk
            assert proposal["date"] == program.dates[0]
            assert isinstance(proposal["breakdown"], dict)
            assert proposal["host"]["name"]
        assert len(data["unmatched"]) == 1
        unmatched = data["unmatched"][0]
        assert unmatched["application"] in {s.pk for s in students}
        assert unmatched["role"] == "student"
        assert unmatched["reasons"]

    def test_bad_lever_is_a_400_naming_the_field(
        self,
        program: Program,
        coordinator_client: APIClient,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        for body, field in (
            ({"weights": {"charisma": 1}}, "weights"),
            ({"weights": {"language": "lots"}}, "weights"),
            ({"pins": [[1]]}, "pins"),
            ({"forbids": [[1, 2]]}, "forbids"),
        ):
            response = _start(coordinator_client, program, body, django_capture_on_commit_callbacks)
            assert response.status_code == 400, body
            assert field in response.data, response.data
        assert not Round.objects.exists()

    def test_missing_programme_is_404(self, coordinator_client: APIClient) -> None:
        assert coordinator_client.post("/api/programs/98765/rounds/", {}).status_code == 404
        assert coordinator_client.get("/api/programs/98765/rounds/").status_code == 404
        assert coordinator_client.get("/api/rounds/98765/").status_code == 404

    def test_list(
        self,
        program: Program,
        coordinator_client: APIClient,
        make_student: MakeApp,
        make_host: MakeApp,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        make_student(program)
        make_host(program)
        _start(coordinator_client, program, None, django_capture_on_commit_callbacks)
        _start(coordinator_client, program, {"mode": "stable"}, django_capture_on_commit_callbacks)
        response = coordinator_client.get(f"/api/programs/{program.pk}/rounds/")
        assert response.status_code == 200
        assert [(r["number"], r["mode"], r["status"]) for r in response.data] == [
            (2, "stable", "draft"),
            (1, "optimal", "draft"),
        ]
        assert [r["proposal_count"] for r in response.data] == [1, 1]


class TestPermissions:
    def test_only_coordinators(
        self, program: Program, student: User, host: User, client_for: ClientFor, api: APIClient
    ) -> None:
        rnd = factories.RoundFactory(program=program)
        for user in (student, host):
            client = client_for(user)
            assert client.post(f"/api/programs/{program.pk}/rounds/", {}).status_code == 403
            assert client.get(f"/api/programs/{program.pk}/rounds/").status_code == 403
            assert client.get(f"/api/rounds/{rnd.pk}/").status_code == 403
        assert api.post(f"/api/programs/{program.pk}/rounds/", {}).status_code == 401
        assert api.get(f"/api/programs/{program.pk}/rounds/").status_code == 401
        assert api.get(f"/api/rounds/{rnd.pk}/").status_code == 401
        assert Round.objects.count() == 1


class TestQueryCounts:
    @staticmethod
    def _fill(rnd: Round, n: int) -> None:
        host = factories.HostApplicationFactory(program=rnd.program, seats=3)
        for _ in range(n):
            proposal = factories.ProposalFactory(round=rnd, host_application=host)
            Unplaced.objects.create(
                round=rnd,
                application=proposal.student_application,
                reasons=[{"code": "no_date", "params": {}, "text": "No shared date."}],
            )

    def test_round_detail_does_not_grow_with_proposals(
        self,
        program: Program,
        coordinator_client: APIClient,
        django_assert_num_queries: Any,
    ) -> None:
        small = factories.RoundFactory(program=program)
        large = factories.RoundFactory(program=program)
        self._fill(small, 3)
        self._fill(large, 30)
        # token auth, the round, its proposals (both sides joined), its unplaced (joined)
        with django_assert_num_queries(4):
            response = coordinator_client.get(f"/api/rounds/{small.pk}/")
        assert len(response.data["proposals"]) == 3
        with django_assert_num_queries(4):
            response = coordinator_client.get(f"/api/rounds/{large.pk}/")
        assert len(response.data["proposals"]) == 30
        assert len(response.data["unmatched"]) == 30
        assert all(p["student"]["name"] and p["host"]["name"] for p in response.data["proposals"])

    def test_round_detail_rows_answer_what_the_documented_serializer_says(
        self, program: Program, coordinator_client: APIClient
    ) -> None:
        rnd = factories.RoundFactory(program=program)
        self._fill(rnd, 4)
        # A family without a household name, and an unplaced family, show a person's name.
        family = factories.HostApplicationFactory(program=program, seats=1)
        family.user.host_profile.household_name = ""
        family.user.host_profile.save()
        factories.ProposalFactory(round=rnd, host_application=family)
        Unplaced.objects.create(round=rnd, application=family, reasons=[])
        answer = coordinator_client.get(f"/api/rounds/{rnd.pk}/").json()
        detail = selectors.round_detail(round_id=rnd.pk)
        assert set(answer) == set(RoundDetailOutput().fields)
        for key, output in (("proposals", RoundProposalOutput), ("unmatched", RoundUnplacedOutput)):
            documented = output(getattr(detail, key), many=True).data
            assert answer[key] == json.loads(JSONRenderer().render(documented))
            assert all(set(row) == set(output().fields) for row in answer[key])
        assert len(answer["proposals"]) == 5 and len(answer["unmatched"]) == 5
        assert {u["role"] for u in answer["unmatched"]} == {"student", "host"}
        names = {row["host_application"]: row["host"]["name"] for row in answer["proposals"]}
        assert names[family.pk] == family.user.name
        assert {row["name"] for row in answer["unmatched"] if row["role"] == "host"} == {
            family.user.name
        }

    def test_round_list_does_not_grow_with_rounds(
        self,
        program: Program,
        coordinator_client: APIClient,
        django_assert_num_queries: Any,
    ) -> None:
        factories.RoundFactory(program=program)
        # token auth, the programme, the rounds with their proposal counts
        with django_assert_num_queries(3):
            coordinator_client.get(f"/api/programs/{program.pk}/rounds/")
        for _ in range(5):
            self._fill(factories.RoundFactory(program=program), 1)
        with django_assert_num_queries(3):
            response = coordinator_client.get(f"/api/programs/{program.pk}/rounds/")
        assert len(response.data) == 6
