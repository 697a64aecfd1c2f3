"""What every coordinator page shares: the access check, the logged-in coordinator, the
programme a page is about; and what every page shares: a service's errors shown on the page
(``service_errors``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import Role, User
from accounts.registry.services import RegistryConflict
from chat.services import ChatRefused
from matching.models import Program
from matching.selectors import programs as program_selectors
from matching.services.groups import GroupConflict
from matching.services.proposals import (
    ProposalConflict,
    ProposalNotFound,
    RoundConflict,
    RoundNotFound,
)

View = Callable[..., HttpResponse]


def coordinator_required(view: View) -> View:
    """Anonymous visitors go to the login page; logged-in non-coordinators get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.COORDINATOR:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def coordinator_of(request: HttpRequest) -> User:
    """The logged-in coordinator (``coordinator_required`` lets nobody else in)."""
    return cast(User, request.user)


def show_service_errors(
    form: forms.BaseForm, exc: ValidationError, field_map: Mapping[str, str | None] | None = None
) -> None:
    """Put each message of a service's ValidationError beside the field it names.

    ``field_map`` renames a service field to a form field (``None``: above the form). A field
    the form does not have is shown above the form, so no message is ever lost."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    field_map = field_map or {}
    for field, errors in exc.message_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


@dataclass
class Outcome:
    """What a service call under ``service_errors`` came to."""

    ok: bool = True
    # The sentence of a refusal by the object's state (a 409 on the API), for the page to show.
    refused: str = ""


@contextmanager
def service_errors(
    form: forms.BaseForm | None = None,
    *,
    request: HttpRequest | None = None,
    field_map: Mapping[str, str | None] | None = None,
) -> Iterator[Outcome]:
    """The pages' one answer to a service's errors (the API's is ``config.api``'s handler).

    A missing or hidden object is a 404. A ValidationError goes beside the form fields it
    names, or without a form into ``request``'s messages (with neither, it propagates). A
    refusal by the object's state leaves its sentence in ``Outcome.refused``: each page shows
    it where it belongs."""
    outcome = Outcome()
    try:
        yield outcome
    except (ObjectDoesNotExist, ProposalNotFound, RoundNotFound) as exc:
        raise Http404 from exc
    except ValidationError as exc:
        if form is not None:
            show_service_errors(form, exc, field_map)
        elif request is not None:
            for message in exc.messages:
                messages.error(request, message)
        else:
            raise  # nowhere to show it: a bug of the page, not the user's mistake
        outcome.ok = False
    except (ProposalConflict, RoundConflict, ChatRefused, RegistryConflict, GroupConflict) as exc:
        outcome.ok = False
        outcome.refused = str(exc)


def mark_accepting(program: Program) -> Program:
    """``program.accepting``: open and before ``apply_until`` (the status badge reads it)."""
    program.accepting = (  # type: ignore[attr-defined]  # for the templates only
        program.status == Program.Status.OPEN and program.apply_until > timezone.now()
    )
    return program


def program_or_404(program_id: int) -> Program:
    return mark_accepting(program_selectors.program_get(program_id=program_id))
