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
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import (
    HostProfile,
    Role,
    StudentProfile,
    User,
    WsTicket,
)

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
    *, email: str, password: str, role: str, name: str, preferred_language: str = "ja"
) -> User:
    """Create a student or host account. Coordinators are never self-registered.

    The caller checked each field (an e-mail no account has, see ``email_free``; a known
    language; a password Django's validators accept). Raises ValidationError naming the field
    when the role may not sign up, or when the address was taken meanwhile; creates nothing
    in that case."""
    try:
        role_may_sign_up(role)
    except ValidationError as exc:
        raise ValidationError({"role": exc.messages}) from exc
    email = email.strip().lower()
    name = name.strip()
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, password, name=name, role=role, preferred_language=preferred_language
            )
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


def token_for(*, user: User) -> str:
    token, _created = Token.objects.get_or_create(user=user)
    return str(token.key)


def _ticket_digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def ws_ticket_issue(*, user: User) -> str:
    """A one-time pass for a WebSocket, valid for ``WS_TICKET_TTL_SECONDS``."""
    ticket = secrets.token_urlsafe(32)
    now = timezone.now()
    WsTicket.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
    WsTicket.objects.create(
        digest=_ticket_digest(ticket),
        user=user,
        expires_at=now + timedelta(seconds=settings.WS_TICKET_TTL_SECONDS),
    )
    return ticket


def ws_ticket_redeem(*, ticket: str) -> User | None:
    """The ticket's user, once: a single conditional UPDATE makes two redemptions race-free."""
    if not ticket or len(ticket) > 200:
        return None
    now = timezone.now()
    digest = _ticket_digest(ticket)
    used = WsTicket.objects.filter(digest=digest, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if not used:
        return None
    user = WsTicket.objects.select_related("user").get(digest=digest).user
    return user if user.is_active else None


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
)
# Lists of codes are stored sorted, each code once, whatever order they were chosen in.
CODE_LIST_FIELDS = frozenset(
    {"interests", "diet", "allergies", "pets", "diets_supported", "allergens_avoidable"}
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
