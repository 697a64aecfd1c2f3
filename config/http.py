"""How the ASGI server runs an HTTP request: the middleware and the view in one thread hop.

Every Engawa view is synchronous (DRF's and the pages'). Django's ASGI handler builds the
middleware chain async wherever a middleware can be, so a request crossed between the event
loop and its thread at each sync-only middleware (WhiteNoise, the language middleware) and
at each ``process_request``/``process_response`` of the others: eleven hops for one API
request. Built sync, the chain runs as it does under WSGI, in one hop onto the request's thread. The
request still gets a thread of its own (Django's ThreadSensitiveContext), so a slow request
never holds up another, and its database connection goes back to the pool at its end in
that same thread. bench/api_load.py, one process: the bare endpoint 426 -> 609 requests a second,
the list endpoints 1.4-1.75x.
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        # Middleware leave the request in reference cycles: the lazy user's closure,
        # ``auser``, the messages storage and the CSP nonce all hold the request they hang on.
        # Only the garbage collector frees those, in pauses that grow with the requests in
        # flight. Once the response is closed (after the request's own closer) nothing reads
        # the request again, so its attributes go and reference counting frees the rest.
        response._resource_closers.append(vars(request).clear)  # type: ignore[attr-defined]
        return response


def get_asgi_application() -> SyncChainASGIHandler:
    """Django's ``get_asgi_application``, with this handler."""
    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
