"""The chat REST API: shapes, status codes, 404 for outsiders, constant query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from accounts.models import User
from chat import services
from chat.api.serializers import MessageOutput
from chat.models import Conversation, Message, Report
from matching.models import Incident
from tests import factories
from tests.chat.conftest import make_conversation

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], APIClient]


def say(conversation: Conversation, user: User, body: str, **kwargs: Any) -> Message:
    return services.message_post(conversation_id=conversation.pk, sender=user, body=body, **kwargs)[
        0
    ]


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.CHAT_RATE_PER_SECOND = 10_000


def test_conversations_list_unread_counts_and_last_message(
    client_for: ClientFor, conversation: Conversation, student: User, host: User
) -> None:
    say(conversation, host, "one")
    say(conversation, host, "two")
    say(conversation, student, "mine")
    say(conversation, host, "three")
    response = client_for(student).get("/api/conversations/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == conversation.pk
    assert row["proposal"] == conversation.proposal_id
    assert {p["id"] for p in row["participants"]} == {student.pk, host.pk}
    # The student's own message marks everything before it read.
    assert row["unread_count"] == 1
    assert row["last_message"]["body"] == "three"
    assert client_for(host).get("/api/conversations/").json()[0]["unread_count"] == 0


def test_each_member_and_a_coordinator_list_their_conversations(
    client_for: ClientFor, conversation: Conversation, student: User, host: User, coordinator: User
) -> None:
    say(conversation, host, "one", client_id="c-1")
    say(conversation, student, "two")
    say(conversation, host, "three")
    silent = make_conversation(student=student)
    rude = say(conversation, host, "rude")
    services.report_create(message_id=rude.pk, reporter=student, reason="rude")
    for user, count in ((student, 2), (host, 1), (coordinator, 1)):
        assert len(client_for(user).get("/api/conversations/").json()) == count
    listed = {row["id"]: row for row in client_for(student).get("/api/conversations/").json()}
    assert listed[silent.pk]["last_message"] is None
    assert listed[conversation.pk]["unread_count"] == 2
    last = listed[conversation.pk]["last_message"]
    assert last == json.loads(JSONRenderer().render(MessageOutput(rude).data))
    (reported,) = client_for(coordinator).get("/api/conversations/").json()
    assert reported["id"] == conversation.pk and reported["unread_count"] == 0


def _list_queries(client: APIClient) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/conversations/")
    assert response.status_code == 200
    return len(queries)


def test_conversations_list_query_count_does_not_grow(client_for: ClientFor, student: User) -> None:
    client = client_for(student)
    for _ in range(2):
        c = make_conversation(student=student)
        say(c, student, "hello")
    few = _list_queries(client)
    for _ in range(18):
        c = make_conversation(student=student)
        say(c, student, "hello")
    assert len(client.get("/api/conversations/").json()) == 20
    assert _list_queries(client) == few


def test_history_pages_both_ways_oldest_first(
    client_for: ClientFor, conversation: Conversation, student: User, host: User
) -> None:
    messages = [say(conversation, host if n % 2 else student, f"m{n}") for n in range(250)]
    client = client_for(student)
    url = f"/api/conversations/{conversation.pk}/messages/"
    newest = client.get(url).json()
    assert [m["body"] for m in newest] == [f"m{n}" for n in range(150, 250)]
    before = client.get(url, {"before": messages[150].pk}).json()
    assert [m["body"] for m in before] == [f"m{n}" for n in range(50, 150)]
    after = client.get(url, {"after": messages[9].pk}).json()
    assert [m["body"] for m in after] == [f"m{n}" for n in range(10, 110)]
    assert client.get(url, {"after": messages[-1].pk}).json() == []
    limited = client.get(url, {"after": 0, "limit": 3}).json()
    assert [m["body"] for m in limited] == ["m0", "m1", "m2"]
    assert set(newest[0]) >= {"id", "sender", "body", "created_at", "client_id"}
    assert client.get(url, {"after": 1, "before": 2}).status_code == 400
    assert client.get(url, {"limit": 101}).status_code == 400


def test_history_query_count_does_not_grow(
    client_for: ClientFor,
    conversation: Conversation,
    student: User,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(student)
    url = f"/api/conversations/{conversation.pk}/messages/"
    first = say(conversation, student, "first")
    for n in range(120):
        say(conversation, student, f"m{n}")
    with django_assert_max_num_queries(6):
        assert len(client.get(url, {"after": first.pk}).json()) == 100


def test_posting_stores_once_per_client_id(
    client_for: ClientFor, conversation: Conversation, student: User
) -> None:
    client = client_for(student)
    url = f"/api/conversations/{conversation.pk}/messages/"
    first = client.post(url, {"body": " hello ", "client_id": "abc"})
    assert first.status_code == 201
    assert first.json()["body"] == "hello"
    again = client.post(url, {"body": "hello", "client_id": "abc"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.filter(conversation=conversation).count() == 1
    no_id = client.post(url, {"body": "hello"})
    assert no_id.status_code == 201
    assert no_id.json()["client_id"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": "   "}, "body"), ({"body": "x" * 2001}, "body"), ({}, "body")],
)
def test_a_bad_body_is_a_400_naming_the_field_and_stores_nothing(
    client_for: ClientFor, conversation: Conversation, student: User, body: dict, field: str
) -> None:
    response = client_for(student).post(f"/api/conversations/{conversation.pk}/messages/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Message.objects.exists()


BAD_INPUT: list[tuple[str, str, dict[str, Any], str]] = [
    ("post", "messages/", {"body": True}, "body"),
    ("post", "messages/", {"body": ["hi"]}, "body"),
    ("post", "messages/", {"body": "hi", "client_id": "x" * 65}, "client_id"),
    ("post", "read/", {"message_id": "last"}, "message_id"),
    ("post", "read/", {"message_id": 0}, "message_id"),
    ("post", "close/", {"reason": "x" * 2001}, "reason"),
    ("get", "messages/?after=-1", {}, "after"),
    ("get", "messages/?limit=101", {}, "limit"),
    ("get", "messages/?after=1&before=9", {}, "before"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"), BAD_INPUT, ids=[f"{p}{f}" for _m, p, _b, f in BAD_INPUT]
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    client_for: ClientFor,
    conversation: Conversation,
    student: User,
    coordinator: User,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    caller = coordinator if path == "close/" else student
    url = f"/api/conversations/{conversation.pk}/{path}"
    response = getattr(client_for(caller), method)(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Message.objects.exists()
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


def test_a_bad_report_reason_is_named_and_files_nothing(
    client_for: ClientFor, conversation: Conversation, student: User, host: User
) -> None:
    message = say(conversation, host, "hello")
    for reason in ("x" * 2001, {"text": "rude"}, ""):
        response = client_for(student).post(
            f"/api/messages/{message.pk}/report/", {"reason": reason}, format="json"
        )
        assert response.status_code == 400, (reason, response.content)
        assert "reason" in response.json()
    assert not Report.objects.exists()


def test_posting_too_fast_is_a_429(
    client_for: ClientFor,
    conversation: Conversation,
    student: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.CHAT_RATE_PER_SECOND = 5
    monkeypatch.setattr(services.time, "time", lambda: 1_900_000_000.0)
    client = client_for(student)
    url = f"/api/conversations/{conversation.pk}/messages/"
    codes = [client.post(url, {"body": f"m{n}"}).status_code for n in range(6)]
    assert codes == [201] * 5 + [429]
    assert Message.objects.count() == 5


def test_outsiders_get_404_everywhere(
    client_for: ClientFor, conversation: Conversation, host: User
) -> None:
    message = say(conversation, host, "private")
    outsider = client_for(factories.StudentProfileFactory().user)
    base = f"/api/conversations/{conversation.pk}"
    assert outsider.get(f"{base}/messages/").status_code == 404
    assert outsider.post(f"{base}/messages/", {"body": "hi"}).status_code == 404
    assert outsider.post(f"{base}/messages/", {"body": ""}).status_code == 404
    assert outsider.post(f"{base}/read/", {"message_id": message.pk}).status_code == 404
    assert outsider.post(f"{base}/block/").status_code == 404
    assert outsider.post(f"/api/messages/{message.pk}/report/", {"reason": "x"}).status_code == 404
    assert outsider.get("/api/conversations/").json() == []
    assert client_for(None).get("/api/conversations/").status_code == 401
    assert Message.objects.count() == 1


def test_read_marks_move_forward_only(
    client_for: ClientFor, conversation: Conversation, student: User, host: User
) -> None:
    first = say(conversation, host, "one")
    second = say(conversation, host, "two")
    client = client_for(student)
    url = f"/api/conversations/{conversation.pk}/read/"
    assert client.post(url, {"message_id": second.pk}).json() == {
        "message_id": second.pk,
        "seq": 2,
    }
    client.post(url, {"message_id": first.pk})
    assert conversation.memberships.get(user=student).last_read_seq == 2
    assert client.get("/api/conversations/").json()[0]["unread_count"] == 0
    assert client.post(url, {"message_id": 999999}).status_code == 400


def test_report_then_coordinator_sees_context_and_resolves(
    client_for: ClientFor,
    conversation: Conversation,
    student: User,
    host: User,
    coordinator: User,
) -> None:
    messages = [say(conversation, host, f"m{n}") for n in range(12)]
    reported = messages[6]
    response = client_for(student).post(
        f"/api/messages/{reported.pk}/report/", {"reason": "insulting"}
    )
    assert response.status_code == 201
    again = client_for(student).post(f"/api/messages/{reported.pk}/report/", {"reason": "again"})
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    blank = client_for(student).post(f"/api/messages/{reported.pk}/report/", {"reason": " "})
    assert blank.status_code == 400
    assert "reason" in blank.json()
    assert (
        client_for(host)
        .post(f"/api/messages/{reported.pk}/report/", {"reason": "mine"})
        .status_code
        == 400
    )  # one's own message

    assert client_for(student).get("/api/reports/").status_code == 403
    reports = client_for(coordinator).get("/api/reports/").json()
    [row] = reports
    assert row["message"]["id"] == reported.pk
    assert [m["body"] for m in row["context"]] == [f"m{n}" for n in range(1, 12)]
    # While the report is open the coordinator may read the conversation.
    history = client_for(coordinator).get(f"/api/conversations/{conversation.pk}/messages/")
    assert history.status_code == 200
    resolved = client_for(coordinator).post(
        f"/api/reports/{row['id']}/resolve/", {"resolution": "warned"}
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == Report.Status.RESOLVED
    assert client_for(coordinator).get("/api/reports/").json() == []
    after = client_for(coordinator).get(f"/api/conversations/{conversation.pk}/messages/")
    assert after.status_code == 404


def test_reports_list_query_count_does_not_grow(
    client_for: ClientFor, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    def report_some(n: int) -> None:
        for _ in range(n):
            c = make_conversation()
            student, host = (m.user for m in c.memberships.select_related("user"))
            message = say(c, host, "rude")
            services.report_create(message_id=message.pk, reporter=student, reason="rude")

    client = client_for(coordinator)
    report_some(2)
    from django.db import connection

    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/reports/").json()) == 2
    report_some(10)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/reports/").json()) == 12
    assert len(many) == len(few)


def test_a_coordinator_closes_a_conversation_read_only(
    client_for: ClientFor,
    conversation: Conversation,
    student: User,
    coordinator: User,
) -> None:
    say(conversation, student, "before")
    base = f"/api/conversations/{conversation.pk}"
    assert client_for(student).post(f"{base}/close/", {}).status_code == 403
    response = client_for(coordinator).post(f"{base}/close/", {"reason": "safety"})
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    refused = client_for(student).post(f"{base}/messages/", {"body": "after"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "conversation_closed"
    assert len(client_for(student).get(f"{base}/messages/").json()) == 1
    assert client_for(coordinator).post("/api/conversations/999999/close/").status_code == 404


def test_a_member_blocks_the_conversation(
    client_for: ClientFor, conversation: Conversation, student: User, host: User
) -> None:
    base = f"/api/conversations/{conversation.pk}"
    assert client_for(host).post(f"{base}/block/").status_code == 200
    assert client_for(host).post(f"{base}/block/").status_code == 200
    refused = client_for(student).post(f"{base}/messages/", {"body": "hi"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "blocked"


def test_the_schema_still_builds(api: APIClient) -> None:
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/conversations/{conversation_id}/messages/" in response.content


@pytest.mark.parametrize(
    ("field", "value"), [("body", "a\x00b"), ("body", "\ud800"), ("client_id", "c\x00")]
)
def test_text_a_database_cannot_store_is_a_400_naming_the_field(
    client_for: ClientFor, conversation: Conversation, student: User, field: str, value: str
) -> None:
    body = json.dumps({"body": "hello", field: value})  # "\\ud800" escaped, as a client sends it
    answer = client_for(student).post(
        f"/api/conversations/{conversation.pk}/messages/", body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert field in answer.json()
    assert not Message.objects.exists()


def test_a_chat_report_opens_an_incident_the_reported_member_does_not_see(
    client_for: ClientFor, conversation: Conversation, student: User, host: User
) -> None:
    rude = say(conversation, host, "rude words")
    answer = client_for(student).post(
        f"/api/messages/{rude.pk}/report/", {"reason": "insulted me"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    incident = Incident.objects.get()
    assert (incident.source, incident.category) == ("chat", "conduct")
    assert incident.proposal_id == conversation.proposal_id
    assert (incident.reporter, incident.subject) == (student, host)
    assert incident.description == "insulted me"
    assert [row["id"] for row in client_for(student).get("/api/incidents/").json()] == [incident.pk]
    assert client_for(host).get("/api/incidents/").json() == []
    assert client_for(host).get(f"/api/incidents/{incident.pk}/").status_code == 404
