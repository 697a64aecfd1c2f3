"""The e-mails of accounts: the link that confirms an address and the password-reset link.

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


def password_reset_email_send(*, email: str) -> int:
    """Send a password-reset link to the active account with this address, if there is one
    (that may set a password: not a deleted one); the number of e-mails sent. The request
    that asked for it took the same path either way
    (``accounts.services.password_reset_request``)."""
    users = [
        user
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password()
    ]
    for user in users:
        _send(
            user=user,
            template="password_reset",
            context={
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    return len(users)
