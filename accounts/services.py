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
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from rest_framework.authtoken.models import Token

from accounts.models import (
    Gender,
    GuestGenderPreference,
    HostProfile,
    Language,
    LanguageLevel,
    Pet,
    Role,
    StudentProfile,
    User,
    WsTicket,
)
from accounts.selectors import ReferenceCodes, reference_codes

SELF_REGISTERING_ROLES = (Role.STUDENT, Role.HOST)
MAX_LIST_ITEMS = 30


def _check_email_free(email: str, errors: dict[str, list[str]]) -> None:
    if User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(_("An account with this e-mail already exists."))


def user_register(
    *, email: str, password: str, role: str, name: str, preferred_language: str = "ja"
) -> User:
    """Create a student or host account. Coordinators are never self-registered.

    Raises ValidationError naming each bad field; creates nothing in that case."""
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    name = (name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    else:
        _check_email_free(email, errors)
    if role == Role.COORDINATOR:
        errors["role"] = [_("Coordinator accounts are created by the association, not by sign-up.")]
    elif role not in SELF_REGISTERING_ROLES:
        errors["role"] = [_("Unknown role %(role)r: choose student or host.") % {"role": role}]
    if not name:
        errors["name"] = [_("Enter your name.")]
    elif len(name) > 150:
        errors["name"] = [_("A name has at most 150 characters.")]
    if preferred_language not in Language.values:
        errors["preferred_language"] = [_("Choose ja or en.")]
    candidate = User(email=email, name=name, role=role)
    try:
        password_validation.validate_password(password or "", user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, password, name=name, role=role, preferred_language=preferred_language
            )
    except IntegrityError as exc:  # two sign-ups with one address at the same moment
        raise ValidationError(
            {"email": [_("An account with this e-mail already exists.")]}
        ) from exc


def coordinator_create(*, email: str, name: str, password: str) -> User:
    """Create a coordinator (staff, so the admin is theirs too). Used by ``createcoordinator``."""
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    else:
        _check_email_free(email, errors)
    if not (name or "").strip():
        errors["name"] = [_("Enter your name.")]
    try:
        password_validation.validate_password(password or "", user=User(email=email, name=name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, name=name.strip(), role=Role.COORDINATOR, is_staff=True
        )
        from accounts.permissions import coordinator_group

        user.groups.add(coordinator_group())
    return user


def user_update(
    *, user: User, name: str | None = None, preferred_language: str | None = None
) -> User:
    errors: dict[str, list[str]] = {}
    if name is not None and not name.strip():
        errors["name"] = [_("Enter your name.")]
    if preferred_language is not None and preferred_language not in Language.values:
        errors["preferred_language"] = [_("Choose ja or en.")]
    if errors:
        raise ValidationError(errors)
    if name is not None:
        user.name = name.strip()
    if preferred_language is not None:
        user.preferred_language = preferred_language
    user.save(update_fields=["name", "preferred_language"])
    return user


def token_for(*, user: User) -> str:
    token, _created = Token.objects.get_or_create(user=user)
    return str(token.key)


def token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()


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
MIN_TRAVEL_MINUTES, MAX_TRAVEL_MINUTES = 10, 180
MAX_HOUSEHOLD = 20


class _Errors(dict[str, list[str]]):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _code_list(
    value: Any, field: str, allowed: frozenset[str], errors: _Errors, what: str
) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(field, _("Expected a list of codes."))
        return None
    unknown = sorted(set(value) - allowed)
    if unknown:
        errors.add(
            field, _("Unknown %(what)s: %(codes)s.") % {"what": what, "codes": ", ".join(unknown)}
        )
        return None
    if len(value) > MAX_LIST_ITEMS:
        errors.add(field, _("At most %(n)d items.") % {"n": MAX_LIST_ITEMS})
        return None
    return sorted(set(value))


def _languages(value: Any, codes: ReferenceCodes, errors: _Errors) -> list[dict[str, str]] | None:
    if not isinstance(value, list):
        errors.add("languages", _("Expected a list of {code, level}."))
        return None
    cleaned: dict[str, str] = {}
    for item in value:
        if not isinstance(item, dict) or set(item) - {"code", "level"}:
            errors.add("languages", _("Each language is {code, level}."))
            return None
        code, level = item.get("code"), item.get("level")
        if code not in codes.languages:
            errors.add("languages", _("Unknown language code: %(code)s.") % {"code": code})
            return None
        if level not in LanguageLevel.values:
            errors.add(
                "languages",
                _("Unknown level %(level)s for %(code)s: choose %(levels)s.")
                % {"level": level, "code": code, "levels": ", ".join(LanguageLevel.values)},
            )
            return None
        if code in cleaned:
            errors.add("languages", _("%(code)s is listed twice.") % {"code": code})
            return None
        cleaned[code] = level
    return [{"code": c, "level": lv} for c, lv in cleaned.items()]


def _int_in(value: Any, field: str, low: int, high: int, errors: _Errors) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field, _("Expected a whole number."))
        return None
    if not low <= value <= high:
        errors.add(field, _("Must be between %(low)d and %(high)d.") % {"low": low, "high": high})
        return None
    return value


def _text(value: Any, field: str, limit: int, errors: _Errors) -> str | None:
    if not isinstance(value, str):
        errors.add(field, _("Expected text."))
        return None
    value = value.strip()
    if len(value) > limit:
        errors.add(field, _("At most %(n)d characters.") % {"n": limit})
        return None
    return str(value)


def _bool(value: Any, field: str, errors: _Errors) -> bool | None:
    if not isinstance(value, bool):
        errors.add(field, _("Expected true or false."))
        return None
    return value


def _choice(value: Any, field: str, choices: list[str], errors: _Errors) -> str | None:
    if value not in choices:
        errors.add(
            field,
            _("Unknown value %(value)r: choose %(choices)s.")
            % {"value": value, "choices": ", ".join(choices)},
        )
        return None
    return str(value)


def _clean_profile(role: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate every given field; raise one ValidationError naming all the bad ones."""
    codes = reference_codes()
    errors = _Errors()
    allowed = STUDENT_FIELDS if role == Role.STUDENT else HOST_FIELDS
    unknown_fields = sorted(set(data) - set(allowed))
    for field in unknown_fields:
        errors.add(field, _("Not a field of this profile."))
    out: dict[str, Any] = {}
    this_year = timezone.localdate().year
    for field, value in data.items():
        if field in unknown_fields:
            continue
        v: Any
        if field == "languages":
            v = _languages(value, codes, errors)
        elif field == "interests":
            v = _code_list(value, field, codes.interests, errors, _("interest"))
        elif field in ("diet", "diets_supported"):
            v = _code_list(value, field, codes.diets, errors, _("diet"))
        elif field == "allergies":
            v = _code_list(value, field, codes.allergens, errors, _("allergen"))
        elif field == "allergens_avoidable":
            v = _code_list(value, field, codes.food_allergens, errors, _("food allergen"))
        elif field == "pets":
            v = _code_list(value, field, frozenset(Pet.values), errors, _("pet"))
        elif field == "home_station":
            v = value if value in codes.stations else None
            if v is None:
                errors.add(field, _("Unknown station: %(slug)s.") % {"slug": value})
        elif field == "nationality":
            v = value.upper() if isinstance(value, str) else None
            if v is None or len(v) != 2 or v not in dict(countries):
                errors.add(
                    field,
                    _("Unknown country code: %(code)s (use ISO 3166-1 alpha-2).") % {"code": value},
                )
                v = None
        elif field == "gender":
            v = _choice(value, field, Gender.values, errors)
        elif field == "guest_gender_preference":
            v = _choice(value, field, GuestGenderPreference.values, errors)
        elif field == "birth_year":
            v = _int_in(value, field, this_year - 100, this_year - 12, errors)
        elif field == "max_travel_minutes":
            v = _int_in(value, field, MIN_TRAVEL_MINUTES, MAX_TRAVEL_MINUTES, errors)
        elif field == "household_size":
            v = _int_in(value, field, 1, MAX_HOUSEHOLD, errors)
        elif field in ("needs_non_smoking", "has_children", "smoking"):
            v = _bool(value, field, errors)
        elif field == "phone":
            v = _text(value, field, 30, errors)
            digits = sum(ch.isdigit() for ch in v or "")
            if (
                v is not None
                and v
                and (not 8 <= digits <= 15 or any(ch not in "0123456789+-() " for ch in v))
            ):
                errors.add(field, _("Enter a phone number: 8 to 15 digits, with + - ( ) allowed."))
                v = None
        elif field == "address":
            v = _text(value, field, 300, errors)
        elif field == "bio":
            v = _text(value, field, 2000, errors)
        else:  # school, household_name
            v = _text(value, field, 150 if field == "household_name" else 200, errors)
        out[field] = v
    if errors:
        raise ValidationError(dict(errors))
    return out


def profile_save(
    *, user: User, data: dict[str, Any], partial: bool
) -> StudentProfile | HostProfile:
    """Create or update the user's profile.

    ``partial=False`` (PUT) replaces the whole profile: omitted fields go back to empty.
    Nothing is stored unless every given field is valid."""
    if user.role not in SELF_REGISTERING_ROLES:
        raise ValidationError({"detail": [_("Coordinators have no profile.")]})
    cleaned = _clean_profile(user.role, data)
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
