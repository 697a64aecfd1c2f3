"""The bench server's ASGI entry: Engawa's application under the bench settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.api_settings")

from config.asgi import application

__all__ = ["application"]
