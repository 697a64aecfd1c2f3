"""ASGI entry point: HTTP through Django, WebSockets through Channels.

WebSockets are checked for an allowed Origin, then authenticated by the session cookie or a
one-time ticket (``?ticket=``), before a consumer sees them. Each socket is counted, so that
the heap's free pages go back to the OS after a wave of sockets has left (config/memory.py).
Once everything is imported, the process's garbage collection is set for a server (``gc_tune``).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from config.http import get_asgi_application

django_asgi_app = get_asgi_application()

# Imports that touch models must follow Django's set-up above.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.websocket import TicketOrSessionAuthMiddlewareStack  # noqa: E402
from config.memory import HeapTrimmer, TrimAfterSocketWaves, gc_tune  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": TrimAfterSocketWaves(
            AllowedHostsOriginValidator(
                TicketOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
            HeapTrimmer(min_peak=settings.WEBSOCKET_TRIM_MIN_PEAK),
        ),
    }
)

gc_tune(settings.GC_THRESHOLD0)
