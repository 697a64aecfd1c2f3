"""The Celery app. Settings come from Django's (``CELERY_*``); tasks are found in each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("engawa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
