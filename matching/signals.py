"""What matching tells the apps downstream of it, and how it hears from accounts.

matching imports no app downstream of it (apps depend one way: accounts <- matching <- chat);
chat connects its receivers to these signals in its ``AppConfig.ready()``. Each signal is sent
inside the sender's transaction: a receiver that fails undoes the write, and a receiver that
sends events does so on commit.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from accounts.signals import person_suspended, user_deleted

# ``proposal``: both sides accepted; sent in the confirming transaction (its conversation opens).
match_confirmed = Signal()
# ``proposal``, ``reason``: a confirmed match was cancelled (its conversation closes).
match_cancelled = Signal()
# ``program_id``: retention purges a closed programme (its chat messages go too).
program_purged = Signal()
# ``user_ids``, ``event``: push ``event`` to each user's live notification stream on commit.
live_event = Signal()


def _delete_users_matching_data(sender: Any, user: Any, **kwargs: Any) -> None:
    # Imported here: the services import this module to send the signals above.
    from matching.services.deletion import user_matching_data_delete

    user_matching_data_delete(user=user)


def _cancel_suspended_familys_proposals(sender: Any, user: Any, by: Any, **kwargs: Any) -> None:
    from matching.services.registry import family_proposals_cancel

    family_proposals_cancel(user=user, by=by)


def connect() -> None:
    user_deleted.connect(_delete_users_matching_data, dispatch_uid="matching.user_deleted")
    person_suspended.connect(
        _cancel_suspended_familys_proposals, dispatch_uid="matching.person_suspended"
    )
