"""Shapes of the accounts API. Serializers check types only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from accounts.models import HostProfile, StudentProfile, User


class RegisterInput(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    role = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=150)
    preferred_language = serializers.CharField(max_length=5, required=False, default="ja")


class UserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "role", "name", "preferred_language"]


class TokenInput(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenOutput(serializers.Serializer[Any]):
    token = serializers.CharField()


class TicketOutput(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()


class LanguageSkill(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=3)
    level = serializers.CharField(max_length=20)

    def to_internal_value(self, data: Any) -> Any:
        # A key other than code and level is a client's mistake, not something to drop.
        if isinstance(data, dict) and set(data) - {"code", "level"}:
            raise serializers.ValidationError(_("Each language is {code, level}."))
        return super().to_internal_value(data)


class _ProfileInput(serializers.Serializer[Any]):
    languages = LanguageSkill(many=True, required=False)
    interests = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    home_station = serializers.CharField(max_length=50, required=False)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class StudentProfileInput(_ProfileInput):
    nationality = serializers.CharField(max_length=2, required=False)
    gender = serializers.CharField(max_length=12, required=False)
    birth_year = serializers.IntegerField(required=False)
    school = serializers.CharField(max_length=200, required=False, allow_blank=True)
    diet = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    allergies = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    needs_non_smoking = serializers.BooleanField(required=False)
    max_travel_minutes = serializers.IntegerField(required=False)


class HostProfileInput(_ProfileInput):
    household_name = serializers.CharField(max_length=150, required=False)
    household_size = serializers.IntegerField(required=False)
    has_children = serializers.BooleanField(required=False)
    pets = serializers.ListField(child=serializers.CharField(max_length=10), required=False)
    smoking = serializers.BooleanField(required=False)
    diets_supported = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False
    )
    allergens_avoidable = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False
    )
    guest_gender_preference = serializers.CharField(max_length=8, required=False)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


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

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "profile"]

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


class MeInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=150, required=False)
    preferred_language = serializers.CharField(max_length=5, required=False)


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
