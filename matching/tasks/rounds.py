"""Celery tasks for rounds."""
