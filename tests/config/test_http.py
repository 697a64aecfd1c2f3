"""The ASGI server runs a request's middleware and view in one hop onto its thread."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from typing import Any

import pytest
from asgiref import sync
from asgiref.testing import ApplicationCommunicator
from django.core.signals import request_finished
from django.test import override_settings
from django.urls import path

from config.http import SyncChainASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


async def _get(
    path: str,
    headers: list[tuple[bytes, bytes]] | None = None,
    handler: SyncChainASGIHandler | None = None,
) -> dict[str, Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *(headers or [])],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    app = ApplicationCommunicator(handler or SyncChainASGIHandler(), scope)
    await app.send_input({"type": "http.request", "body": b""})
    start = await app.receive_output(timeout=10)
    body = await app.receive_output(timeout=10)
    await app.wait(timeout=10)
    return {"status": start["status"], "headers": dict(start["headers"]), "body": body["body"]}


async def test_a_request_crosses_into_its_thread_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hops = []
    real_call = sync.SyncToAsync.__call__
    back_calls = []
    real_back = sync.AsyncToSync.__call__

    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await real_call(self, *args, **kwargs)

    def counted_back(self: Any, *args: Any, **kwargs: Any) -> Any:
        back_calls.append(self.awaitable)
        return real_back(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counted)
    monkeypatch.setattr(sync.AsyncToSync, "__call__", counted_back)

    response = await _get("/api/reference/")

    assert response["status"] == 200
    # The request_started receivers, the whole middleware chain with the view, and the
    # response's close (request_finished): Django's default handler made eleven.
    assert len(hops) == 3, hops
    assert back_calls == []


async def test_the_chain_and_request_finished_run_on_the_same_thread() -> None:
    # The database connection is per thread: it goes back to the pool only if
    # request_finished runs where the view used it.
    seen: dict[str, int] = {}

    def finished(**kwargs: Any) -> None:
        seen["finished"] = threading.get_ident()

    request_finished.connect(finished)
    try:
        with override_settings(
            MIDDLEWARE=["tests.config.test_http.ThreadOfTheChain"],
        ):
            response = await _get("/api/reference/")
    finally:
        request_finished.disconnect(finished)
    assert response["status"] == 200
    assert seen["finished"] == ThreadOfTheChain.last
    assert ThreadOfTheChain.last != threading.get_ident()


class ThreadOfTheChain:
    last = 0

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        type(self).last = threading.get_ident()
        return self.get_response(request)


@pytest.fixture
def student_key(student: Any) -> str:
    # Made here, on the test's own thread: a thread of asgiref's would keep its connection.
    from accounts.services import token_for

    return token_for(user=student)


async def test_a_token_request_answers_through_the_handler(student_key: str) -> None:
    response = await _get("/api/me/", [(b"authorization", f"Token {student_key}".encode())])
    assert response["status"] == 200, response["body"][:300]
    assert b'"role":"student"' in response["body"].replace(b" ", b"")


async def test_a_request_leaves_no_reference_cycle_behind(student_key: str) -> None:
    """API requests: the request, the response, the view and the token's user are freed by
    reference counting as the request ends, not left for the garbage collector. (Pages keep
    the cycles of Django's template rendering.)"""
    from django.http import HttpRequest, HttpResponseBase
    from django.views import View
    from rest_framework.request import Request

    from accounts.models import ApiToken, User

    auth = [(b"authorization", f"Token {student_key}".encode())]
    gc.collect()
    gc.disable()
    try:
        for path, headers in [("/api/proposals/", auth), ("/api/reference/", [])]:
            response = await _get(path, headers)
            assert response["status"] == 200, path
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [
            type(one).__qualname__
            for one in gc.garbage
            if isinstance(one, HttpRequest | HttpResponseBase | View | Request | User | ApiToken)
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


class Overlap:
    """A view that holds its thread for a moment and records how many run at once."""

    lock = threading.Lock()
    running = 0
    most = 0

    @classmethod
    def view(cls, request: Any) -> Any:
        from django.http import JsonResponse

        with cls.lock:
            cls.running += 1
            cls.most = max(cls.most, cls.running)
        time.sleep(0.2)
        with cls.lock:
            cls.running -= 1
        return JsonResponse({"ok": True})


urlpatterns = [path("slow/", Overlap.view)]


@pytest.mark.parametrize(("threads", "most"), [(2, 2), (0, 5)])
async def test_requests_beyond_the_thread_limit_wait_their_turn(threads: int, most: int) -> None:
    Overlap.most = 0
    handler = SyncChainASGIHandler(threads=threads)
    with override_settings(ROOT_URLCONF="tests.config.test_http"):
        answers = await asyncio.gather(*(_get("/slow/", handler=handler) for _ in range(5)))
    assert [one["status"] for one in answers] == [200] * 5
    assert Overlap.most == most
