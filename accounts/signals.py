"""What accounts tells the apps that build on it. accounts knows nothing of them (apps depend one
way: accounts <- matching <- chat); each downstream app connects its receivers in its
``AppConfig.ready()``.

Receivers run inside the sender's transaction, so a receiver that fails undoes the whole
write, and a receiver's own events still go out on commit only.
"""

from __future__ import annotations

from django.dispatch import Signal

# ``user``: the account being deleted, already deactivated and anonymised, its profile not yet
# gone. Sent inside ``accounts.deletion.user_delete``'s transaction, after the user row's lock.
user_deleted = Signal()

# ``user_id``: an account whose password changed or which was deactivated (see
# ``accounts.credentials``); its tokens and tickets are already revoked. Sent inside the save's
# transaction.
credentials_changed = Signal()

# ``user``, ``reason``, ``by``: a coordinator suspended a host family (its record is saved).
# Sent inside ``accounts.registry.services.person_suspend``'s transaction.
person_suspended = Signal()
