"""Every write to accounts data: one function per use case, each in a transaction.

Services raise ``django.core.exceptions.ValidationError`` with a dict that names each bad
field; the API turns it into a 400 and the pages show each message beside its field.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    ApiToken,
    HostProfile,
    Role,
    StudentProfile,
    User,
    WsTicket,
)
from accounts.verification import email_verification_request

SELF_REGISTERING_ROLES = (Role.STUDENT, Role.HOST)


def _email_taken() -> str:
    return _("An account with this e-mail already exists.")


def email_free(email: str) -> str:
    """The address lower-cased, when no account has it in any case; else ValidationError.
    Sign-up's serializer and form call it, so that a taken address is named with the other
    bad fields."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_email_taken(), code="taken")
    return email


def role_may_sign_up(role: str) -> str:
    """``role``, when it may sign up (students and families); else ValidationError."""
    if role not in SELF_REGISTERING_ROLES:
        raise ValidationError(
            _("Coordinator accounts are created by the association, not by sign-up."),
            code="coordinator",
        )
    return role


def user_register(
    *,
    email: str,
    password: str,
    role: str,
    name: str,
    preferred_language: str = "ja",
    email_verified: bool = False,
) -> User:
    """Create a student or host account. Coordinators are never self-registered.

    The caller checked each field (an e-mail no account has, see ``email_free``; a known
    language; a password Django's validators accept). Raises ValidationError naming the field
    when the role may not sign up, or when the address was taken meanwhile; creates nothing
    in that case. On commit, the link that confirms the address goes out
    (``accounts.verification``), unless ``email_verified`` says the address is known good
    (the demo accounts)."""
    try:
        role_may_sign_up(role)
    except ValidationError as exc:
        raise ValidationError({"role": exc.messages}) from exc
    email = email.strip().lower()
    name = name.strip()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                name=name,
                role=role,
                preferred_language=preferred_language,
                email_verified_at=timezone.now() if email_verified else None,
            )
            if not email_verified:
                email_verification_request(user=user)
            return user
    except IntegrityError as exc:  # the address is taken (by a sign-up at the same moment)
        raise ValidationError({"email": [_email_taken()]}) from exc


def coordinator_create(*, email: str, name: str, password: str) -> User:
    """Create a coordinator (staff, so the admin is theirs too) from clean values: the
    ``createcoordinator`` command's form checked the address (free, see ``email_free``), the
    name and the password (Django's validators). Raises ValidationError on ``email`` when the
    address was taken meanwhile; creates nothing then."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email.strip().lower(),
                password,
                name=name.strip(),
                role=Role.COORDINATOR,
                is_staff=True,
                # The association makes its coordinators: their addresses need no link.
                email_verified_at=timezone.now(),
            )
            from accounts.permissions import coordinator_group

            user.groups.add(coordinator_group())
    except IntegrityError as exc:  # the address is taken (by another account at this moment)
        raise ValidationError({"email": [_email_taken()]}) from exc
    return user


def user_update(
    *, user: User, name: str | None = None, preferred_language: str | None = None
) -> User:
    """Change the account's name or language (values checked by the caller's serializer)."""
    if name is not None:
        user.name = name.strip()
    if preferred_language is not None:
        user.preferred_language = preferred_language
    user.save(update_fields=["name", "preferred_language"])
    return user


def password_reset_request(*, email: str) -> None:
    """Send a password-reset link to ``email`` if an account has it, by the task
    ``accounts.password_reset_send`` on commit. The task looks the account up, so this request
    takes the same path, and the same time, whether one exists or not."""
    from accounts.tasks import password_reset_send

    address = email.strip()
    transaction.on_commit(lambda: password_reset_send.delay(address), robust=True)


def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Replace the user's password, after checking the current one.

    The save revokes every API token and WebSocket ticket of the user and closes their sockets
    on commit (``accounts.credentials``). Raises ValidationError naming ``current_password``
    (wrong) or ``new_password`` (refused by the password validators); changes nothing then."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": [_("This is not your current password.")]})
    try:
        password_validation.validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# A token's last use is written at most this often, so that a client's requests do not each
# cost a write; the idle expiry is measured from it.
TOKEN_REFRESH_EVERY = timedelta(hours=1)


def token_for(*, user: User) -> str:
    """A new API token for ``user`` (each log-in gets its own, so that logging out one client
    leaves the others); only its digest is stored."""
    key = secrets.token_hex(20)
    ApiToken.objects.create(digest=_digest(key), user=user)
    return key


def token_authenticate(*, key: str) -> ApiToken | None:
    """The live token with this key, its user loaded; None for an unknown key, an inactive
    user, or a token idle past ``API_TOKEN_IDLE_DAYS`` (deleted then). Records the use at most
    once per ``TOKEN_REFRESH_EVERY``."""
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at <= now - timedelta(days=settings.API_TOKEN_IDLE_DAYS):
        token.delete()
        return None
    if token.last_used_at <= now - TOKEN_REFRESH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken) -> None:
    """Log one client out: its token dies, the user's other tokens live on."""
    ApiToken.objects.filter(pk=token.pk).delete()


def user_credentials_revoke(*, user_id: int) -> None:
    """Every API token and unused WebSocket ticket of the user dies. Called by
    ``accounts.signals`` whenever the password changes or the account is deactivated (a change,
    a reset, the admin, a deletion), inside that save's transaction."""
    ApiToken.objects.filter(user_id=user_id).delete()
    WsTicket.objects.filter(user_id=user_id, used_at__isnull=True).delete()


def ws_ticket_issue(*, user: User) -> str:
    """A one-time pass for a WebSocket, valid for ``WS_TICKET_TTL_SECONDS``."""
    ticket = secrets.token_urlsafe(32)
    now = timezone.now()
    WsTicket.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
    WsTicket.objects.create(
        digest=_digest(ticket),
        user=user,
        expires_at=now + timedelta(seconds=settings.WS_TICKET_TTL_SECONDS),
    )
    return ticket


def ws_ticket_redeem(*, ticket: str) -> User | None:
    """The ticket's user, once: a single conditional UPDATE makes two redemptions race-free."""
    if not ticket or len(ticket) > 200:
        return None
    now = timezone.now()
    digest = _digest(ticket)
    used = WsTicket.objects.filter(digest=digest, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if not used:
        return None
    user = WsTicket.objects.select_related("user").get(digest=digest).user
    return user if user.is_active else None


def api_tokens_purge(*, now: datetime | None = None) -> int:
    """Delete the API tokens idle past ``API_TOKEN_IDLE_DAYS`` (a use deletes one too, but a
    token never used again would stay); return how many went. Run daily by Celery beat."""
    idle_since = (now or timezone.now()) - timedelta(days=settings.API_TOKEN_IDLE_DAYS)
    deleted, _per_model = ApiToken.objects.filter(last_used_at__lte=idle_since).delete()
    return deleted


def ws_tickets_purge(*, now: datetime | None = None) -> int:
    """Delete the tickets that have expired (used or not); return how many went.

    Housekeeping run by Celery beat (``accounts.ws_tickets_purge``); a redeemed ticket is
    useless once expired too, so expiry alone decides."""
    deleted, _per_model = WsTicket.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# --- Profiles ------------------------------------------------------------------------------------

COMMON_FIELDS = ("languages", "interests", "home_station", "bio")
STUDENT_FIELDS = (
    *COMMON_FIELDS,
    "nationality",
    "gender",
    "birth_year",
    "school",
    "diet",
    "allergies",
    "needs_non_smoking",
    "max_travel_minutes",
    "avoid_pets",
    "household_preference",
    "children_preference",
    "needs_step_free",
    "needs_alcohol_free",
    "needs_prayer_space",
)
HOST_FIELDS = (
    *COMMON_FIELDS,
    "household_name",
    "household_size",
    "has_children",
    "pets",
    "smoking",
    "diets_supported",
    "allergens_avoidable",
    "guest_gender_preference",
    "address",
    "phone",
    "household_genders",
    "easy_japanese",
    "step_free",
    "alcohol_free",
    "prayer_space",
)
# Lists of codes are stored sorted, each code once, whatever order they were chosen in.
CODE_LIST_FIELDS = frozenset(
    {
        "interests",
        "diet",
        "allergies",
        "avoid_pets",
        "pets",
        "diets_supported",
        "allergens_avoidable",
    }
)


def profile_save(
    *, user: User, data: dict[str, Any], partial: bool
) -> StudentProfile | HostProfile:
    """Create or update the user's profile.

    ``partial=False`` (PUT) replaces the whole profile: omitted fields go back to empty.
    ``data`` holds clean values of the role's fields (the API's serializer or the page's form
    checked each one against the model's limits and the reference tables)."""
    if user.role not in SELF_REGISTERING_ROLES:
        raise ValidationError({"detail": [_("Coordinators have no profile.")]})
    cleaned = {
        field: sorted(set(value)) if field in CODE_LIST_FIELDS else value
        for field, value in data.items()
    }
    model: type[StudentProfile] | type[HostProfile] = (
        StudentProfile if user.role == Role.STUDENT else HostProfile
    )
    with transaction.atomic():
        profile, _created = model.objects.select_for_update().get_or_create(user=user)
        if not partial:
            # No user= here: building a profile for the user would put this empty one in the
            # user's cached reverse relation, and profile_of(user) would then read it.
            fresh = model()
            for field in STUDENT_FIELDS if user.role == Role.STUDENT else HOST_FIELDS:
                attname = "home_station_id" if field == "home_station" else field
                setattr(profile, attname, getattr(fresh, attname))
        for field, value in cleaned.items():
            attname = "home_station_id" if field == "home_station" else field
            setattr(profile, attname, value)
        profile.save()
    # Later reads through this user object (profile_of, completeness) see what was stored.
    if isinstance(profile, StudentProfile):
        user.student_profile = profile
    else:
        user.host_profile = profile
    return profile
