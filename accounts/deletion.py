"""A user deletes their own account (APPI): personal data goes, what coordinators need stays.

Gone: the profile (address, phone, bio, preferences), the name and e-mail (the row is kept,
anonymised, because proposals, audit events and ratings point at it), the password, tokens and
tickets, feedback comments and the reasons the user wrote, unsent e-mails to the user, and the
user's chat messages when the chat app offers ``user_purge``. Open proposals and confirmed
visits still to come are cancelled (the other side is told), active applications withdrawn.
Kept: the anonymised user row, past matches, their statuses and ratings: the programme's
numbers stay right.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import HostProfile, StudentProfile, User, WsTicket

DELETED_NAME = "—"
DELETED_DOMAIN = "deleted.invalid"


def is_deleted(user: User) -> bool:
    return not user.is_active and user.email.endswith("@" + DELETED_DOMAIN)


def user_delete(*, user: User) -> None:
    """Delete ``user``'s personal data and anonymise the account, in one transaction.

    Locks the user row (a double request deletes once), then each proposal and host day that
    is cancelled. On commit: the cancellation e-mails and live events to the other sides.
    Idempotent."""
    from matching.models import Application, Delivery, Feedback, ProposalEvent
    from matching.services.proposals import proposals_cancel_for_user

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if is_deleted(user):
            return
        # Deactivated first, so the cancellations below e-mail only the other sides.
        user.is_active = False
        user.name = DELETED_NAME
        user.email = f"deleted-{user.pk}@{DELETED_DOMAIN}"
        user.set_unusable_password()
        user.save(update_fields=["is_active", "name", "email", "password"])
        proposals_cancel_for_user(user=user, reason=_("The account was deleted."))
        Application.objects.filter(user=user, status=Application.Status.ACTIVE).update(
            status=Application.Status.WITHDRAWN
        )
        Feedback.objects.filter(author=user).exclude(comment="").update(comment="")
        ProposalEvent.objects.filter(actor=user).exclude(reason="").update(reason="")
        Delivery.objects.filter(user=user, sent_at__isnull=True).delete()
        StudentProfile.objects.filter(user=user).delete()
        HostProfile.objects.filter(user=user).delete()
        Token.objects.filter(user=user).delete()
        WsTicket.objects.filter(user=user).delete()
        from chat import services as chat_services

        # The chat app deletes the user's messages and closes their open sockets on commit.
        chat_services.user_purge(user=user)
