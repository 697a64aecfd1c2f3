"""WSGI entry point: the HTTP server of production (gunicorn with threads)."""

import os

from django.core.wsgi import get_wsgi_application
from werkzeug.middleware.proxy_fix import ProxyFix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Behind the TLS proxy, the client is the address the proxy appended to X-Forwarded-For: the
# log-in lockout and the forms' limits count by it (daphne's --proxy-headers does it for /ws/).
application = ProxyFix(get_wsgi_application(), x_for=1)
