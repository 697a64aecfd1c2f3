"""Confirming an e-mail address: a signed, timestamped link (Django's signing, no table).

The token names the user and the address it was sent to, so a link stops working if the
address changes; it expires after ``EMAIL_VERIFICATION_DAYS``. Until it is used the account
may fill in its profile but not apply to a programme (``email_verified_required``).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

SALT = "accounts.email-verification"


def verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT, compress=True)


def email_verification_request(*, user: User) -> None:
    """Send ``user`` the link that confirms their address, on commit (by the task
    ``accounts.email_verification_send``). Raises ValidationError when it is confirmed already."""
    if user.email_verified:
        raise ValidationError(_("Your e-mail address is already confirmed."), code="verified")
    from accounts.tasks import email_verification_send

    transaction.on_commit(lambda: email_verification_send.delay(user.pk), robust=True)


def email_verify(*, token: str) -> User:
    """Mark the address the link was sent to as confirmed (again: no change) and return its
    user. Raises ValidationError naming ``token`` when the link has expired, was altered, or
    was sent to an address the account no longer has."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=settings.EMAIL_VERIFICATION_DAYS * 24 * 60 * 60
        )
    except signing.SignatureExpired as exc:
        raise ValidationError(
            {"token": [_("This link has expired. Ask for a new one after logging in.")]}
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError({"token": [_("This link is not valid.")]}) from exc
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(pk=data.get("user"), email=data.get("email"), is_active=True)
            .first()
        )
        if user is None:
            raise ValidationError({"token": [_("This link is not valid.")]})
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
            # A student whose school's domain the address is on is confirmed now.
            from accounts.registry.services import student_confirm_by_domain

            student_confirm_by_domain(user=user)
    return user


def email_verified_required(user: User) -> None:
    """Raise PermissionDenied, saying what to do, unless the user confirmed their address."""
    if not user.email_verified:
        raise PermissionDenied(
            _(
                "Confirm your e-mail address before applying: open the link we sent to "
                "%(email)s, or ask for a new one."
            )
            % {"email": user.email}
        )
