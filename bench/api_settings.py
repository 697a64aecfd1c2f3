"""Bench-only settings: Engawa's, with the bench URL conf (adds the bare endpoint)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
