"""Shapes of the accounts API. Serializers check each field (types, the model's limits, the
reference tables); the rules across fields and rows live in the services."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django_countries import countries
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from accounts.api.fields import CodeList, ReferenceCode
from accounts.models import HostProfile, LanguageLevel, Pet, StudentProfile, User
from accounts.services import HOST_FIELDS, STUDENT_FIELDS, email_free, role_may_sign_up


class RegisterInput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["email", "password", "role", "name", "preferred_language"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "email": {"validators": []},  # email_free, whatever the case
            "password": {"write_only": True, "trim_whitespace": False},
        }

    def validate_email(self, value: str) -> str:
        return email_free(value)

    def validate_role(self, value: str) -> str:
        return role_may_sign_up(value)

    def validate_password(self, value: str) -> str:
        # Django's password validators; the similarity check compares with the rest of the body.
        given = self.initial_data if isinstance(self.initial_data, dict) else {}
        candidate = User(email=str(given.get("email", "")), name=str(given.get("name", "")))
        password_validation.validate_password(value, user=candidate)
        return value


class UserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "role", "name", "preferred_language"]


class TokenInput(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=User._meta.get_field("email").max_length)
    password = serializers.CharField(
        max_length=User._meta.get_field("password").max_length, trim_whitespace=False
    )


class TokenOutput(serializers.Serializer[Any]):
    token = serializers.CharField()


class TicketOutput(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()


class PasswordChangeInput(serializers.Serializer[Any]):
    current_password = serializers.CharField(
        max_length=User._meta.get_field("password").max_length, trim_whitespace=False
    )
    new_password = serializers.CharField(
        max_length=User._meta.get_field("password").max_length, trim_whitespace=False
    )


class EmailVerifyInput(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=500)


class DetailOutput(serializers.Serializer[Any]):
    detail = serializers.CharField()


class CountryCode(serializers.ChoiceField):
    """An ISO 3166-1 alpha-2 country code, in either case."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[code for code, _name in countries], **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class LanguageSkill(serializers.Serializer[Any]):
    code = ReferenceCode(table="languages")
    level = serializers.ChoiceField(choices=LanguageLevel.choices)

    def to_internal_value(self, data: Any) -> Any:
        # A key other than code and level is a client's mistake, not something to drop.
        if isinstance(data, dict) and set(data) - {"code", "level"}:
            raise serializers.ValidationError(_("Each language is {code, level}."))
        return dict(super().to_internal_value(data))


def _languages(model: type[StudentProfile] | type[HostProfile]) -> serializers.ListSerializer[Any]:
    # The model's rules on the list (each language once) come with it.
    return serializers.ListSerializer(
        child=LanguageSkill(),
        required=False,
        validators=model._meta.get_field("languages").validators,
    )


def _codes(child: serializers.ChoiceField) -> CodeList:
    return CodeList(child=child, required=False)


class _ProfileInput(serializers.ModelSerializer[Any]):
    """A profile's fields with the model's limits (``Meta.model``); lists of codes and the
    station are checked against the reference tables."""

    interests = _codes(ReferenceCode(table="interests"))
    home_station = ReferenceCode(table="stations", required=False)


class StudentProfileInput(_ProfileInput):
    languages = _languages(StudentProfile)
    nationality = CountryCode(required=False)
    diet = _codes(ReferenceCode(table="diets"))
    allergies = _codes(ReferenceCode(table="allergens"))
    avoid_pets = _codes(serializers.ChoiceField(choices=Pet.choices))

    class Meta:
        model = StudentProfile
        fields = list(STUDENT_FIELDS)


class HostProfileInput(_ProfileInput):
    languages = _languages(HostProfile)
    pets = _codes(serializers.ChoiceField(choices=Pet.choices))
    diets_supported = _codes(ReferenceCode(table="diets"))
    # Only foods can be kept out of the food, not a cat.
    allergens_avoidable = _codes(ReferenceCode(table="food_allergens"))

    class Meta:
        model = HostProfile
        fields = list(HOST_FIELDS)
        # A household the API names has a name.
        extra_kwargs: ClassVar[dict[str, Any]] = {"household_name": {"allow_blank": False}}


class _ProfileOutput(serializers.ModelSerializer[Any]):
    home_station = serializers.CharField(source="home_station_id", allow_null=True)
    is_complete = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    def get_missing(self, obj: Any) -> list[str]:
        from accounts.selectors import profile_missing_fields

        return profile_missing_fields(obj, obj.user.role)

    def get_is_complete(self, obj: Any) -> bool:
        return not self.get_missing(obj)


class StudentProfileOutput(_ProfileOutput):
    nationality = serializers.CharField(source="nationality.code", allow_blank=True)

    class Meta:
        model = StudentProfile
        fields = [
            "nationality",
            "gender",
            "birth_year",
            "school",
            "languages",
            "diet",
            "allergies",
            "needs_non_smoking",
            "interests",
            "home_station",
            "max_travel_minutes",
            "bio",
            "avoid_pets",
            "household_preference",
            "children_preference",
            "needs_step_free",
            "needs_alcohol_free",
            "needs_prayer_space",
            "is_complete",
            "missing",
        ]


class HostProfileOutput(_ProfileOutput):
    class Meta:
        model = HostProfile
        fields = [
            "household_name",
            "household_size",
            "has_children",
            "languages",
            "pets",
            "smoking",
            "diets_supported",
            "allergens_avoidable",
            "interests",
            "home_station",
            "guest_gender_preference",
            "address",
            "phone",
            "bio",
            "household_genders",
            "easy_japanese",
            "step_free",
            "alcohol_free",
            "prayer_space",
            "is_complete",
            "missing",
        ]


# The schema of "a student's or a host's profile": the role decides which one a user has.
PROFILE_INPUT = PolymorphicProxySerializer(
    component_name="ProfileInput",
    serializers=[StudentProfileInput, HostProfileInput],
    resource_type_field_name=None,
)
PROFILE_OUTPUT = PolymorphicProxySerializer(
    component_name="Profile",
    serializers=[StudentProfileOutput, HostProfileOutput],
    resource_type_field_name=None,
)


def profile_output(profile: StudentProfile | HostProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    if isinstance(profile, StudentProfile):
        return StudentProfileOutput(profile).data
    return HostProfileOutput(profile).data


class MeOutput(UserOutput):
    profile = serializers.SerializerMethodField()
    # False until the person opened the link sent to their address; they may not apply then.
    email_verified = serializers.BooleanField(read_only=True)

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "profile", "email_verified"]

    @extend_schema_field(
        PolymorphicProxySerializer(
            component_name="Profile",
            serializers=[StudentProfileOutput, HostProfileOutput],
            resource_type_field_name=None,
            allow_null=True,
        )
    )
    def get_profile(self, obj: User) -> dict[str, Any] | None:
        from accounts.selectors import profile_of

        return profile_output(profile_of(obj))


class MeInput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["name", "preferred_language"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "name": {"required": False},
            "preferred_language": {"required": False},
        }


class LanguageReference(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class StationReference(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class DietReference(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class AllergenReference(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["food", "pet"])


class InterestReference(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()


class WeekdayReference(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="mon, tue, wed, thu, fri, sat or sun.")
    name = serializers.CharField()


class DayPartReference(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="am (morning), pm (afternoon) or eve (evening).")
    name = serializers.CharField()


class WeeklySlotReference(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="<weekday>-<part of the day>, such as sat-am: a value an application's "
        "time_slots may hold."
    )
    name = serializers.CharField(help_text='Weekday and part of the day, e.g. "Saturday Morning".')
    weekday = serializers.CharField(help_text="The code of the weekday (weekdays).")
    part = serializers.CharField(help_text="The code of the part of the day (day_parts).")


class ReferenceOutput(serializers.Serializer[Any]):
    languages = LanguageReference(many=True)
    stations = StationReference(many=True)
    diets = DietReference(many=True)
    allergens = AllergenReference(many=True)
    interests = InterestReference(many=True)
    weekdays = WeekdayReference(many=True)
    day_parts = DayPartReference(many=True)
    weekly_slots = WeeklySlotReference(
        many=True,
        help_text="The 21 codes a language-exchange application's time_slots may hold "
        "(7 weekdays x morning, afternoon, evening); partners are paired only when they share "
        "one.",
    )
