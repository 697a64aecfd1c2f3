"""ASGI entry point: HTTP through Django's own handler, WebSockets through Channels, checked
for the site's own origin and authenticated by the session cookie or a one-time ``?ticket=``."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

# Imports that touch models must follow Django's set-up above.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from accounts.websocket import SiteOriginValidator, TicketOrSessionAuthMiddlewareStack  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

# Outside production, static files under ASGI come from Django's handler, which streams them
# asynchronously; WhiteNoise's response is a sync iterator, which Django warns of under ASGI.
http_app = django_asgi_app if settings.PRODUCTION else ASGIStaticFilesHandler(django_asgi_app)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": SiteOriginValidator(
            TicketOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# What start-up built lives as long as the process: keep it out of every full collection, which
# would otherwise walk it all and hold each socket of the process meanwhile (README,
# Performance notes).
gc.freeze()
