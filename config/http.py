"""How the ASGI server runs an HTTP request: the middleware and the view in one thread hop.

Every Engawa view is synchronous (DRF's and the pages'). Django's ASGI handler builds the
middleware chain async wherever a middleware can be, so a request crossed between the event
loop and its thread at each sync-only middleware (WhiteNoise, the language middleware) and
at each ``process_request``/``process_response`` of the others: eleven hops for one API
request. Built sync, the chain runs as it does under WSGI, in one hop onto the request's thread. The
request still gets a thread of its own (Django's ThreadSensitiveContext), so a slow request
holds up no other while fewer than ``HTTP_THREADS`` run, and its database connection goes
back to the pool at its end in that same thread. bench/api_load.py, one process: the bare
endpoint 426 -> 609 requests a second, the list endpoints 1.4-1.75x.
"""

from __future__ import annotations

import asyncio
import weakref

import django
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    """``threads``: how many requests run their middleware and view at once (0: no limit).
    Beyond that a request waits on the event loop, which costs nothing, instead of on a
    thread of its own: threads beyond the process's database connections only queue on the
    pool, and every thread in the race for the GIL costs CPU. bench/api_load.py-style load,
    50 clients, limit 10 against none: server CPU per list request -3 to -14 %, bare -2 %."""

    def __init__(self, threads: int = 0) -> None:
        super().__init__()
        self.threads = threads
        # One per event loop (a semaphore belongs to the loop it first waits on; tests and
        # live servers may run this handler on several loops in one process).
        self._running: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._running = weakref.WeakKeyDictionary()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        if not self.threads:
            response = await self._response_on_thread(request)
        else:
            loop = asyncio.get_running_loop()
            running = self._running.get(loop)
            if running is None:
                running = self._running[loop] = asyncio.Semaphore(self.threads)
            async with running:
                response = await self._response_on_thread(request)
        # Middleware leave the request in reference cycles: the lazy user's closure,
        # ``auser``, the messages storage and the CSP nonce all hold the request they hang on.
        # Only the garbage collector frees those, in pauses that grow with the requests in
        # flight. Once the response is closed (after the request's own closer) nothing reads
        # the request again, so its attributes go and reference counting frees the rest.
        response._resource_closers.append(vars(request).clear)  # type: ignore[attr-defined]
        return response

    async def _response_on_thread(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> SyncChainASGIHandler:
    """Django's ``get_asgi_application``, with this handler."""
    django.setup(set_prefix=False)
    return SyncChainASGIHandler(threads=settings.HTTP_THREADS)
