"""Accounts reads the pages share: a person's display name and reference names."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import HostProfile, Role, User
from accounts.selectors import display_name, reference_labels
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_family_is_named_by_its_household_and_anyone_else_by_their_name(
    student: User, host: User, coordinator: User
) -> None:
    assert display_name(host) == host.host_profile.household_name
    assert display_name(student) == student.name
    assert display_name(coordinator) == coordinator.name
    HostProfile.objects.filter(user=host).update(household_name="")
    assert display_name(User.objects.get(pk=host.pk)) == host.name
    without_profile = factories.UserFactory(role=Role.HOST)
    assert display_name(without_profile) == without_profile.name


def test_a_listed_familys_name_costs_no_query(host: User, django_assert_num_queries: Any) -> None:
    loaded = User.objects.select_related("host_profile").get(pk=host.pk)
    with django_assert_num_queries(0):
        assert display_name(loaded) == host.host_profile.household_name


def test_reference_labels_name_each_code_in_the_language_asked(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(2):
        names = reference_labels(kinds=("languages", "diets"), language="en")
    assert set(names) == {"languages", "diets"}
    assert names["languages"]["ja"] == "Japanese"
    assert reference_labels(kinds=("languages",), language="ja")["languages"]["ja"] == "日本語"
