"""Users, their profiles, and the reference data that profiles point at."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts import reference_data as rd


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    HOST = "host", _("Host family")
    COORDINATOR = "coordinator", _("Coordinator")


class Language(models.TextChoices):
    JA = "ja", "日本語"
    EN = "en", "English"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.COORDINATOR)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address; the role decides what they may do."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.JA
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # When the person opened the link sent to their address; until then they may not apply.
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_host(self) -> bool:
        return self.role == Role.HOST

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class BilingualLabel(models.Model):
    """A reference row with a Japanese and an English name."""

    name_ja = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        language = language or get_language() or "ja"
        return self.name_ja if language.startswith("ja") else self.name_en


class SpokenLanguage(BilingualLabel):
    code = models.CharField(max_length=3, primary_key=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")


class Station(BilingualLabel):
    slug = models.SlugField(max_length=50, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    lines = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")


class Diet(BilingualLabel):
    code = models.CharField(max_length=20, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("diet")
        verbose_name_plural = _("diets")


class Allergen(BilingualLabel):
    class Kind(models.TextChoices):
        FOOD = "food", _("Food")
        PET = "pet", _("Pet")

    code = models.CharField(max_length=20, primary_key=True)
    kind = models.CharField(max_length=4, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("allergen")
        verbose_name_plural = _("allergens")


class Interest(BilingualLabel):
    slug = models.SlugField(max_length=50, primary_key=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NONBINARY = "nonbinary", _("Non-binary")
    UNSPECIFIED = "unspecified", _("Prefer not to say")


class GuestGenderPreference(models.TextChoices):
    ANY = "any", _("Any")
    FEMALE = "female", _("Female students only")
    MALE = "male", _("Male students only")


class HouseholdGenders(models.TextChoices):
    """Who lives in a family's home (what a student's ``household_preference`` is checked on)."""

    MIXED = "mixed", _("Women and men")
    WOMEN_ONLY = "women_only", _("Women only")
    MEN_ONLY = "men_only", _("Men only")


class HouseholdPreference(models.TextChoices):
    ANY = "any", _("Any household")
    WOMAN_AT_HOME = "woman_at_home", _("A woman lives there")
    WOMEN_ONLY = "women_only", _("Only women live there")
    MAN_AT_HOME = "man_at_home", _("A man lives there")
    MEN_ONLY = "men_only", _("Only men live there")


class ChildrenPreference(models.TextChoices):
    ANY = "any", _("Either")
    WITH_CHILDREN = "with_children", _("With children")
    WITHOUT_CHILDREN = "without_children", _("Without children")


class LanguageLevel(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    NATIVE = "native", _("Native")


def _reference_label(row: rd.Choice) -> Any:
    """The row's name in the active language, read when shown (like ``BilingualLabel.label``)."""
    return lazy(
        lambda: row.name_ja if (get_language() or "ja").startswith("ja") else row.name_en, str
    )()


# The pets come from the reference data (``rd.PETS``), the one list of them; a pet allergen
# (``rd.ALLERGENS``, kind "pet") carries the code of the pet it excludes.
Pet = models.TextChoices(  # type: ignore[call-overload]  # django-stubs types only the class syntax
    "Pet", [(row.code.upper(), (row.code, _reference_label(row))) for row in rd.PETS]
)


# Field limits of the profiles, declared here once: the API's serializers and the pages' forms
# read them from these fields.


@deconstructible
class Between:
    """A whole number from ``low`` to ``high``, both included."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __call__(self, value: int) -> None:
        if not self.low <= value <= self.high:
            raise ValidationError(
                _("Must be between %(low)d and %(high)d."),
                code="out_of_range",
                params={"low": self.low, "high": self.high},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Between) and (self.low, self.high) == (other.low, other.high)

    def __hash__(self) -> int:
        return hash((self.low, self.high))


def validate_birth_year(value: int) -> None:
    """Students are 12 to 100 years old: the range moves with the calendar."""
    this_year = timezone.localdate().year
    Between(this_year - 100, this_year - 12)(value)


def validate_phone(value: str) -> None:
    """8 to 15 digits, with the separators people write (+ - ( ) and spaces)."""
    digits = sum(ch.isdigit() for ch in value)
    if not 8 <= digits <= 15 or any(ch not in "0123456789+-() " for ch in value):
        raise ValidationError(
            _("Enter a phone number: 8 to 15 digits, with + - ( ) allowed."), code="phone"
        )


def validate_languages_once(value: list[dict[str, str]]) -> None:
    """A language is listed once, with one level."""
    seen: set[str] = set()
    for item in value:
        code = item.get("code", "")
        if code in seen:
            raise ValidationError(
                _("%(code)s is listed twice."), code="duplicate", params={"code": code}
            )
        seen.add(code)


class StudentProfile(models.Model):
    """What a student tells the association. Filled in steps; complete when every required
    field is set (see ``accounts.selectors.profile_missing_fields``)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="student_profile")
    nationality = CountryField(_("nationality"), blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, validators=[validate_birth_year]
    )
    school = models.CharField(_("school"), max_length=200, blank=True)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, validators=[validate_languages_once]
    )
    diet = models.JSONField(_("diet"), default=list, blank=True)
    allergies = models.JSONField(_("allergies"), default=list, blank=True)
    needs_non_smoking = models.BooleanField(_("needs a smoke-free home"), default=False)
    # The student's own wishes, hard rules of the matcher like the allergies.
    avoid_pets = models.JSONField(_("pets I would rather not live with"), default=list, blank=True)
    household_preference = models.CharField(
        _("household I would feel at home in"),
        max_length=16,
        choices=HouseholdPreference.choices,
        default=HouseholdPreference.ANY,
    )
    children_preference = models.CharField(
        _("children at home"),
        max_length=16,
        choices=ChildrenPreference.choices,
        default=ChildrenPreference.ANY,
    )
    needs_step_free = models.BooleanField(_("needs step-free access"), default=False)
    needs_alcohol_free = models.BooleanField(_("needs an alcohol-free home"), default=False)
    needs_prayer_space = models.BooleanField(_("needs a space for prayer"), default=False)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    home_station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    max_travel_minutes = models.PositiveSmallIntegerField(
        _("longest travel time (minutes)"), null=True, blank=True, validators=[Between(10, 180)]
    )
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")

    def __str__(self) -> str:
        return f"{self.user.name} (student)"


class HostProfile(models.Model):
    """A host family's household. ``address`` and ``phone`` are private: only coordinators and
    students confirmed with the family may see them."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="host_profile")
    household_name = models.CharField(_("household name"), max_length=150, blank=True)
    household_size = models.PositiveSmallIntegerField(
        _("household size"), null=True, blank=True, validators=[Between(1, 20)]
    )
    has_children = models.BooleanField(_("children at home"), default=False)
    household_genders = models.CharField(
        _("who lives at home"),
        max_length=12,
        choices=HouseholdGenders.choices,
        default=HouseholdGenders.MIXED,
    )
    # Lets a student with beginner Japanese visit (the programme's language rule).
    easy_japanese = models.BooleanField(_("we can speak slowly, in easy Japanese"), default=False)
    step_free = models.BooleanField(_("step-free access"), default=False)
    alcohol_free = models.BooleanField(_("no alcohol at home"), default=False)
    prayer_space = models.BooleanField(_("a quiet space for prayer"), default=False)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, validators=[validate_languages_once]
    )
    pets = models.JSONField(_("pets"), default=list, blank=True)
    smoking = models.BooleanField(_("someone smokes at home"), default=False)
    diets_supported = models.JSONField(_("diets we can cater for"), default=list, blank=True)
    allergens_avoidable = models.JSONField(
        _("allergens we can keep out of the food"), default=list, blank=True
    )
    interests = models.JSONField(_("interests"), default=list, blank=True)
    home_station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    guest_gender_preference = models.CharField(
        _("guest gender preference"),
        max_length=8,
        choices=GuestGenderPreference.choices,
        default=GuestGenderPreference.ANY,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    bio = models.TextField(_("about our family"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("host profile")
        verbose_name_plural = _("host profiles")

    def __str__(self) -> str:
        return f"{self.household_name or self.user.name} (host)"


class WsTicket(models.Model):
    """A one-time, short-lived pass for opening a WebSocket without the session cookie.
    Only the SHA-256 of the ticket is stored, so a database leak does not leak tickets."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"ticket for user {self.user_id}"


class ApiToken(models.Model):
    """An API token (``Authorization: Token <key>``), one per log-in. Only the key's SHA-256 is
    stored; the token dies when its user logs out with it, changes or resets the password, is
    deactivated or deleted, or leaves it unused for ``API_TOKEN_IDLE_DAYS``."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(default=timezone.now)
    # Refreshed at most once per ``accounts.tokens.REFRESH_EVERY``, not on every request.
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["last_used_at"])]

    def __str__(self) -> str:
        return f"API token of user {self.user_id}"
