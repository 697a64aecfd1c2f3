"""Signals matching sends for the apps downstream of it, so that matching never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# An event for users' live notification streams, sent once the transaction has committed,
# with ``user_ids`` (a list of ints) and ``event`` (a JSON-ready dict, already in each user's
# language); the sender is None. The chat app delivers it to the users' open pages.
live_notification = Signal()
