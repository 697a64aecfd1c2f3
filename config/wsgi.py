"""WSGI entry point: the HTTP server of production (gunicorn with threads). The client's
address behind the proxy is accounts.client's one rule, as under ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
