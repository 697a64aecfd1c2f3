"""A user deletes their own account (APPI): personal data goes, what coordinators need stays.

Gone: the profile (address, phone, bio, preferences), the name and e-mail (the row is kept,
anonymised, because proposals, audit events and ratings point at it), the password, tokens and
tickets. What other apps hold about the user (proposals, applications, feedback, messages)
their receivers of ``accounts.signals.user_deleted`` remove: matching cancels open proposals and
confirmed visits still to come (the other side is told), withdraws active applications and
blanks what the user wrote; chat deletes the user's messages. The deactivation revokes every
token and closes every socket (``accounts.credentials``).
Kept: the anonymised user row, past matches, their statuses and ratings, the registry's dates
(without the coordinators' notes and the reason of a suspension): the programme's and the
city's numbers stay right.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import (
    CheckRecord,
    HostProfile,
    RegistryRecord,
    StudentProfile,
    User,
    WsTicket,
)
from accounts.signals import user_deleted

DELETED_NAME = "—"
DELETED_DOMAIN = "deleted.invalid"


def is_deleted(user: User) -> bool:
    return not user.is_active and user.email.endswith("@" + DELETED_DOMAIN)


def user_delete(*, user: User) -> None:
    """Delete ``user``'s personal data and anonymise the account, in one transaction.

    Locks the user row (a double request deletes once); sends ``user_deleted`` before the
    profile goes, so that the receivers' e-mails to the other sides can still read it (their
    locks and on-commit events are theirs). Idempotent."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if is_deleted(user):
            return
        # Deactivated first, so that the receivers e-mail only the other sides.
        user.is_active = False
        user.name = DELETED_NAME
        user.email = f"deleted-{user.pk}@{DELETED_DOMAIN}"
        user.set_unusable_password()
        user.save(update_fields=["is_active", "name", "email", "password"])
        user_deleted.send(sender=User, user=user)
        StudentProfile.objects.filter(user=user).delete()
        HostProfile.objects.filter(user=user).delete()
        # The registry keeps the dates (the city's yearly numbers), not what was written.
        CheckRecord.objects.filter(user=user).exclude(note="").update(note="")
        RegistryRecord.objects.filter(user=user).update(suspended_reason="")
        # The tokens went with the save above (accounts.credentials); used tickets too.
        WsTicket.objects.filter(user=user).delete()
