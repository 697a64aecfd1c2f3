"""The bench server's WSGI entry: Engawa's production HTTP application under the bench settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.api_settings")

from config.wsgi import application

__all__ = ["application"]
