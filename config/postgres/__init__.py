"""Engawa's PostgreSQL database backend (``ENGINE = "config.postgres"``)."""
