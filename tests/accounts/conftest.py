"""Helpers for the accounts tests: valid profile bodies and a snapshot of stored state."""

from __future__ import annotations

from typing import Any

import pytest
from django.forms.models import model_to_dict

from accounts.models import HostProfile, StudentProfile, User

STRONG_PASSWORD = "a-long-enough-secret-42"


def student_body() -> dict[str, Any]:
    """Every field of API.md's student profile, valid."""
    return {
        "nationality": "vn",
        "gender": "female",
        "birth_year": 2001,
        "school": "Asia University",
        "languages": [{"code": "vi", "level": "native"}, {"code": "ja", "level": "intermediate"}],
        "diet": ["halal", "no_alcohol"],
        "allergies": ["cat", "shrimp"],
        "needs_non_smoking": True,
        "interests": ["cooking", "music"],
        "home_station": "kichijoji",
        "max_travel_minutes": 45,
        "bio": "Xin chào! I study economics.",
        "avoid_pets": ["rabbit", "dog"],
        "household_preference": "woman_at_home",
        "children_preference": "with_children",
        "needs_step_free": True,
        "needs_alcohol_free": True,
        "needs_prayer_space": True,
    }


def host_body() -> dict[str, Any]:
    """Every field of API.md's host profile, valid."""
    return {
        "household_name": "佐藤家 / the Sato family",
        "household_size": 4,
        "has_children": True,
        "languages": [{"code": "ja", "level": "native"}, {"code": "en", "level": "beginner"}],
        "pets": ["dog"],
        "smoking": False,
        "diets_supported": ["vegetarian", "halal"],
        "allergens_avoidable": ["egg", "peanut"],
        "interests": ["gardening", "cooking"],
        "home_station": "mitaka",
        "guest_gender_preference": "any",
        "address": "1-2-3 Naka-chō, Musashino-shi, Tokyo",
        "phone": "+81 422-00-1234",
        "bio": "週末は庭で野菜を育てています。We grow vegetables at the weekend.",
        "household_genders": "women_only",
        "easy_japanese": True,
        "step_free": True,
        "alcohol_free": True,
        "prayer_space": True,
    }


def stored_profile(user: User) -> dict[str, Any] | None:
    """Every stored column of the user's profile, or None when there is none."""
    model = StudentProfile if user.role == "student" else HostProfile
    row = model.objects.filter(user=user).first()
    if row is None:
        return None
    data = model_to_dict(row)
    data["nationality"] = str(data.get("nationality", ""))
    return data


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is slow on purpose; these tests hash hundreds of passwords. The tests that are
    about hashing put Argon2 back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fresh_student(db: None) -> User:
    """A student without a profile yet."""
    return User.objects.create_user(
        "fresh.student@example.org", STRONG_PASSWORD, name="Lan Nguyen", role="student"
    )


@pytest.fixture
def fresh_host(db: None) -> User:
    """A host family without a profile yet."""
    return User.objects.create_user(
        "fresh.host@example.org", STRONG_PASSWORD, name="Sato Hanako", role="host"
    )
