"""The e-mails of accounts: the link that confirms an address, the password-reset link and the
invitation of a person the registry import created.

They are sent by accounts' own Celery tasks (``accounts.tasks``), with the same retry policy as
matching's ``delivery_send``: the ``Delivery`` rows and their registry live in matching, which
accounts may not import (apps depend one way), and either e-mail is asked for again by the
person who misses it, so a row to resend it from is not worth moving that model down here.
Each is written in the recipient's language.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.languages import supported
from accounts.models import User
from accounts.verification import verification_token


def _language(user: User) -> str:
    return supported(user.preferred_language)


def _send(*, user: User, template: str, context: dict[str, object]) -> None:
    language = _language(user)
    context = {"user": user, "site_url": settings.SITE_URL.rstrip("/"), **context}
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    ).send()


def verification_email_send(*, user_id: int) -> bool:
    """Send the link that confirms the user's address; False (nothing sent) when the account
    is gone, inactive or already verified."""
    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return False
    _send(
        user=user,
        template="verify",
        context={"token": verification_token(user), "days": settings.EMAIL_VERIFICATION_DAYS},
    )
    return True


def _password_link(user: User) -> dict[str, object]:
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def _invited(user: User) -> bool:
    """An imported person who has not chosen a password yet (a deleted account has none
    either, but is inactive)."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


def invitation_email_send(*, user_id: int) -> bool:
    """Invite a person the registry import created to choose a password; False (nothing sent)
    when the account is gone, inactive or has a password already."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not _invited(user):
        return False
    _send(
        user=user,
        template="invite",
        context={**_password_link(user), "days": settings.PASSWORD_RESET_TIMEOUT // 86400},
    )
    return True


def password_reset_email_send(*, email: str) -> int:
    """Send a password-reset link to the active account with this address, if there is one
    (that may set a password: not a deleted one), or the invitation again to an imported
    person whose first link expired; the number of e-mails sent. The request that asked for
    it took the same path either way (``accounts.services.password_reset_request``)."""
    sent = 0
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        if user.has_usable_password():
            _send(user=user, template="password_reset", context=_password_link(user))
        elif _invited(user):
            invitation_email_send(user_id=user.pk)
        else:
            continue
        sent += 1
    return sent
