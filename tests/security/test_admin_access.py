"""What a coordinator may do in the admin, model by model: the table below is the whole answer.

Every model registered in the admin is walked, add/change/delete/view, through the admin's
URLs and through its ModelAdmin's ``has_*_permission`` methods, and compared with ``ALLOWED``.
A model registered later without a line in the table fails here until someone decides."""

from __future__ import annotations

from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import CheckRecord, PartnerSchool, Role, User
from chat.models import Block
from matching.models import Delivery, Feedback, Unplaced
from tests import factories
from tests.accounts.conftest import STRONG_PASSWORD
from tests.security.conftest import World

pytestmark = pytest.mark.django_db

ACTIONS = ("add", "change", "delete", "view")
LOOK = frozenset({"view"})
KEEP_LIST = frozenset({"add", "change", "view"})

# model -> what a coordinator may do with it in the admin.
ALLOWED: dict[str, frozenset[str]] = {
    # People: looked up; name, language and activity changed (the user admin keeps the
    # address, the role, the password and the access fields to superusers).
    "accounts.User": frozenset({"view", "change"}),
    # A profile is its owner's own statement, written through profile_save.
    "accounts.StudentProfile": LOOK,
    "accounts.HostProfile": LOOK,
    # The reference lists: kept by coordinators, never deleted (profiles hold their codes).
    "accounts.SpokenLanguage": KEEP_LIST,
    "accounts.Station": KEEP_LIST,
    "accounts.Diet": KEEP_LIST,
    "accounts.Allergen": KEEP_LIST,
    "accounts.Interest": KEEP_LIST,
    # The registry's lists and policy: kept by coordinators (a check in use is never deleted);
    # each person's standing and checks are written by the registry's services.
    "accounts.VettingCheck": KEEP_LIST,
    "accounts.PartnerSchool": KEEP_LIST,
    # One row (from a migration), changed in place.
    "accounts.RegistryPolicy": frozenset({"view", "change"}),
    "accounts.RegistryRecord": LOOK,
    "accounts.CheckRecord": LOOK,
    # Permissions are a superuser's business.
    "auth.Group": frozenset(),
    # Unlocking a locked-out account deletes its attempts; the logs are a superuser's.
    "axes.AccessAttempt": frozenset({"view", "delete"}),
    "axes.AccessLog": frozenset(),
    "axes.AccessFailureLog": frozenset(),
    # Moderation goes through the reports page and its services; no message bodies here.
    "chat.Conversation": LOOK,
    "chat.Message": frozenset(),
    "chat.Report": LOOK,
    "chat.Block": LOOK,
    # A programme's name and description; its kind, dates and state are program_create's
    # and program_close's.
    "matching.Program": frozenset({"view", "change"}),
    # Everything else matching holds is written by its services: states, results, audit
    # trails, deliveries, what people wrote.
    "matching.Application": LOOK,
    "matching.Round": LOOK,
    "matching.Proposal": LOOK,
    "matching.Unplaced": LOOK,
    "matching.Feedback": LOOK,
    "matching.Delivery": LOOK,
}
# Models shown only inside another's page (read-only there).
INLINE_VIEWS = frozenset(
    {"chat.view_membership", "matching.view_hostday", "matching.view_proposalevent"}
)

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _coordinator() -> User:
    call_command(
        "createcoordinator",
        "--email",
        "kimura@example.org",
        "--name",
        "木村 さくら",
        "--password",
        STRONG_PASSWORD,
        stdout=StringIO(),
    )
    return User.objects.get(email="kimura@example.org")


@pytest.fixture
def coordinator() -> User:
    return _coordinator()


@pytest.fixture
def rows(world: World, coordinator: User) -> dict[str, Model]:
    """One row of every registered model (a student for the user: the row a coordinator
    changes; the coordinators' group is one)."""
    student = world.users["student_party"]
    host = world.users["host_party"]
    assert student is not None and host is not None
    Unplaced.objects.create(round=world.round, application=world.application, reasons=[])
    Feedback.objects.create(
        proposal=world.proposal, author=student, rating=5, would_meet_again=True
    )
    Delivery.objects.create(kind=Delivery.Kind.CONFIRMED, proposal=world.proposal, user=student)
    Block.objects.create(blocker=host, conversation=world.conversation)
    PartnerSchool.objects.create(name_ja="武蔵野大学", name_en="Musashino University")
    CheckRecord.objects.create(
        user=host, vetting_check_id="pledge", done_on=timezone.localdate(), recorded_by=coordinator
    )
    now = timezone.now()
    seen = {"ip_address": "10.0.0.1", "user_agent": "ua", "http_accept": "*/*"}
    AccessAttempt.objects.create(
        username="someone@example.org",
        get_data="",
        post_data="",
        path_info="/login/",
        failures_since_start=1,
        attempt_time=now,
        **seen,
    )
    AccessLog.objects.create(username=student.email, path_info="/login/", attempt_time=now, **seen)
    AccessFailureLog.objects.create(
        username=student.email, path_info="/login/", attempt_time=now, locked_out=False, **seen
    )
    found: dict[str, Model] = {"accounts.User": student}
    for model in REGISTERED:
        row = model._default_manager.first()
        assert row is not None, f"{model._meta.label}: give the fixture `rows` one of these"
        found.setdefault(model._meta.label, row)
    return found


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registered_model_has_a_line_in_the_table() -> None:
    labels = {model._meta.label for model in REGISTERED}
    assert labels - set(ALLOWED) == set(), "decide what a coordinator may do with these"
    assert set(ALLOWED) - labels == set(), "no longer in the admin: drop their lines"


def test_the_coordinators_hold_the_tables_permissions_and_no_other(coordinator: User) -> None:
    expected = {
        f"{label.split('.')[0]}.{action}_{label.split('.')[1].lower()}"
        for label, actions in ALLOWED.items()
        for action in actions
    }
    held = coordinator.get_all_permissions()
    assert held == expected | INLINE_VIEWS
    assert not any("token" in perm or "ticket" in perm for perm in held)
    assert not any(perm.startswith(("auth.", "contenttypes.", "sessions.")) for perm in held)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_the_model_admin_allows_a_coordinator_what_the_table_says(
    coordinator: User, rows: dict[str, Model], model: type[Model]
) -> None:
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = coordinator
    row = rows[model._meta.label]
    allowed = {
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request, row),
        "delete": model_admin.has_delete_permission(request, row),
        "view": model_admin.has_view_permission(request, row),
    }
    assert {action for action in ACTIONS if allowed[action]} == ALLOWED[model._meta.label]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_the_admins_pages_let_a_coordinator_do_what_the_table_says(
    client: Client, coordinator: User, rows: dict[str, Model], model: type[Model]
) -> None:
    client.force_login(coordinator)
    row = rows[model._meta.label]
    allowed = ALLOWED[model._meta.label]
    change_page = client.get(_url(model, "change", row.pk))
    answered = {
        "add": client.get(_url(model, "add")).status_code == 200,
        # A page the coordinator may only look at has no save button.
        "change": change_page.status_code == 200 and b'name="_save"' in change_page.content,
        "delete": client.get(_url(model, "delete", row.pk)).status_code == 200,
        "view": client.get(_url(model, "changelist")).status_code == 200
        and change_page.status_code == 200,
    }
    assert {action for action in ACTIONS if answered[action]} == allowed
    for view, permitted in [
        ("add", "add" in allowed),
        ("delete", "delete" in allowed),
        ("changelist", "view" in allowed),
    ]:
        args = (row.pk,) if view == "delete" else ()
        status = client.get(_url(model, view, *args)).status_code
        assert status == (200 if permitted else 403), (view, status)


def test_the_admin_index_lists_only_what_a_coordinator_may_open(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    listed = {
        f"{app['app_label']}.{entry['object_name']}"
        for app in client.get("/admin/").context["app_list"]
        for entry in app["models"]
    }
    assert listed == {label for label, actions in ALLOWED.items() if actions}


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_a_superuser_opens_every_admin_page(
    client: Client, rows: dict[str, Model], model: type[Model]
) -> None:
    superuser = factories.UserFactory(role=Role.COORDINATOR, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    row = rows[model._meta.label]
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "change", row.pk)).status_code == 200
