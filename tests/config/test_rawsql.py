"""Compiled-once reads: stand-ins in, each call's values out, and a loud failure when the
queryset stops taking a stand-in as a parameter."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from config.rawsql import compiled_with_stand_ins, with_values

STAND_IN_ID, STAND_IN_EMAIL = -9_000_000_001, "\x00email\x00"


def test_the_stand_ins_are_parameters_and_are_swapped() -> None:
    queryset = User.objects.filter(pk=STAND_IN_ID, email=STAND_IN_EMAIL).values_list("pk")
    compiled = compiled_with_stand_ins(queryset, STAND_IN_ID, STAND_IN_EMAIL)
    assert compiled is not None
    sql, params = compiled
    assert str(STAND_IN_ID) not in sql and STAND_IN_EMAIL not in sql
    assert with_values(params, {STAND_IN_ID: 7, STAND_IN_EMAIL: "a@example.org"}) == [
        7 if p == STAND_IN_ID else "a@example.org" for p in params
    ]


def test_a_stand_in_that_is_no_parameter_fails_loudly() -> None:
    queryset = User.objects.filter(pk=STAND_IN_ID)
    with pytest.raises(ImproperlyConfigured, match="no longer takes"):
        compiled_with_stand_ins(queryset, STAND_IN_ID, STAND_IN_EMAIL)


def test_a_queryset_that_matches_nothing_compiles_to_none() -> None:
    assert compiled_with_stand_ins(User.objects.filter(pk__in=[]), STAND_IN_ID) is None


@pytest.mark.django_db
def test_compiled_read_answers_as_the_queryset(student: User) -> None:
    from django.db import connection

    queryset = User.objects.filter(pk=STAND_IN_ID).values_list("email")
    compiled = compiled_with_stand_ins(queryset, STAND_IN_ID)
    assert compiled is not None
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, with_values(params, {STAND_IN_ID: student.pk}))
        assert cursor.fetchall() == [(student.email,)]
