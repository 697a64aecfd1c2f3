"""factory_boy factories shared by the whole suite. Profiles are complete by default."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import HostProfile, RegistryRecord, Role, Station, StudentProfile, User
from matching.models import Application, HostDay, MeetingPoint, Program, Proposal, Round

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.STUDENT
    preferred_language = "en"
    # Most tests are about people who confirmed their address; the verification's own tests
    # pass email_verified_at=None.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


def registry_standing(user: User, standing: str | None) -> RegistryRecord | None:
    """Give ``user`` a registry record in ``standing``: ``approved`` (families) or
    ``confirmed`` (students) for a year, ``expired`` a day ago, ``suspended`` (families), or
    ``pending`` (no record at all)."""
    if standing == "pending":
        return None
    today = timezone.localdate()
    fields: dict[str, object] = {
        "valid_until": today + dt.timedelta(days=365),
        "first_approved_on": today - dt.timedelta(days=30),
    }
    if user.role == Role.STUDENT:
        fields.update(confirmed_at=timezone.now(), confirmed_via="coordinator")
    if standing == "expired":
        fields["valid_until"] = today - dt.timedelta(days=1)
    if standing == "suspended":
        fields.update(suspended_at=timezone.now(), suspended_reason="test")
    return RegistryRecord.objects.update_or_create(user=user, defaults=fields)[0]


class StudentProfileFactory(factory.django.DjangoModelFactory):
    """A complete profile of a student whom a partner school confirmed for the year (rounds
    place them); ``standing="pending"`` or ``"expired"`` for others."""

    class Meta:
        model = StudentProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.STUDENT)
    nationality = "VN"
    gender = "female"
    birth_year = 2002
    school = "Asia University"
    languages = factory.LazyFunction(
        lambda: [{"code": "vi", "level": "native"}, {"code": "ja", "level": "intermediate"}]
    )
    diet = factory.LazyFunction(list)
    allergies = factory.LazyFunction(list)
    needs_non_smoking = False
    interests = factory.LazyFunction(lambda: ["cooking", "music"])
    home_station_id = "kichijoji"
    max_travel_minutes = 60
    bio = "Hello!"

    @factory.post_generation
    def standing(
        obj: StudentProfile, create: bool, extracted: str | None, **kwargs: object
    ) -> None:
        if create:
            registry_standing(obj.user, extracted or "confirmed")


class HostProfileFactory(factory.django.DjangoModelFactory):
    """A complete household, approved for the year (rounds place it); ``standing="pending"``,
    ``"expired"`` or ``"suspended"`` for others."""

    class Meta:
        model = HostProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.HOST)
    household_name = factory.Sequence(lambda n: f"Family {n}")
    household_size = 3
    has_children = True
    languages = factory.LazyFunction(lambda: [{"code": "ja", "level": "native"}])
    pets = factory.LazyFunction(list)
    smoking = False
    diets_supported = factory.LazyFunction(lambda: ["vegetarian", "no_pork"])
    allergens_avoidable = factory.LazyFunction(lambda: ["egg", "milk"])
    interests = factory.LazyFunction(lambda: ["cooking", "gardening"])
    home_station_id = "mitaka"
    guest_gender_preference = "any"
    address = "1-2-3 Naka-chō, Musashino-shi"
    phone = "0422-00-1234"
    bio = "We love cooking."

    @factory.post_generation
    def standing(obj: HostProfile, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create:
            registry_standing(obj.user, extracted or "approved")


def _visit_days() -> list[str]:
    today = timezone.localdate()
    return [
        (today + dt.timedelta(days=30)).isoformat(),
        (today + dt.timedelta(days=37)).isoformat(),
    ]


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Autumn home visits {n}")
    kind = Program.Kind.HOME_VISIT
    dates = factory.LazyFunction(_visit_days)
    apply_until = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    response_hours = 72
    created_by = factory.SubFactory(UserFactory, role=Role.COORDINATOR, is_staff=True)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    program = factory.SubFactory(ProgramFactory)
    user = factory.LazyAttribute(lambda o: StudentProfileFactory().user)
    role = factory.LazyAttribute(lambda o: o.user.role)
    dates = factory.LazyAttribute(lambda o: list(o.program.dates))


class HostApplicationFactory(ApplicationFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    user = factory.LazyAttribute(lambda o: HostProfileFactory().user)

    @factory.post_generation
    def seats(obj: Application, create: bool, extracted: int | None, **kwargs: object) -> None:
        if create:
            for day in obj.dates:
                HostDay.objects.create(application=obj, date=day, seats=extracted or 1)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = Round.Status.DRAFT
    created_by = factory.LazyAttribute(lambda o: o.program.created_by)


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft proposal between a fresh student and family. Publishing is the service's job."""

    class Meta:
        model = Proposal

    round = factory.SubFactory(RoundFactory)
    program = factory.LazyAttribute(lambda o: o.round.program)
    student_application = factory.LazyAttribute(lambda o: ApplicationFactory(program=o.program))
    host_application = factory.LazyAttribute(lambda o: HostApplicationFactory(program=o.program))
    date = factory.LazyAttribute(lambda o: o.program.dates[0])
    score = 10.0
    breakdown = factory.LazyFunction(lambda: {"language": 6.0, "interests": 4.0})
    status = Proposal.Status.DRAFT


class MeetingPointFactory(factory.django.DjangoModelFactory):
    """A visit day's default meeting: 10:30 at Kichijōji's Park exit (``date`` of a visit)."""

    class Meta:
        model = MeetingPoint

    program = factory.SubFactory(ProgramFactory)
    date = factory.LazyAttribute(lambda o: o.program.dates[0])
    time = dt.time(10, 30)
    station = factory.LazyFunction(lambda: Station.objects.get(slug="kichijoji"))
    place_ja = "公園口改札"
    place_en = "Park exit ticket gates"
