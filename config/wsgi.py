"""WSGI entry point of production's HTTP (gunicorn); client addresses: accounts.client."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
