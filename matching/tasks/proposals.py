"""Celery tasks for proposals."""
