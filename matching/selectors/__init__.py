"""Reads of the matching app shared by the API, the pages and the tasks, one module per part:
``programs``, ``rounds``, ``proposals``."""
