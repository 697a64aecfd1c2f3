"""Template helpers shared by every page (ours and the coordinator's)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from accounts.formatting import day_label, hours_label, moment_label
from chat.selectors import unread_totals

register = template.Library()


@register.filter
def widget_type(field: BoundField) -> str:
    """``checkbox``, ``checkboxes``, ``radios``, ``select`` or ``input``: picks the markup."""
    name = field.field.widget.__class__.__name__
    return {
        "CheckboxInput": "checkbox",
        "CheckboxSelectMultiple": "checkboxes",
        "WeeklySlotsWidget": "checkboxes",
        "LanguageChipsWidget": "checkboxes",
        "RadioSelect": "radios",
        "Select": "select",
        "SelectMultiple": "select",
        "Textarea": "textarea",
    }.get(name, "input")


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, *names: str) -> str:
    """``aria-current="page"`` when the current URL name is one of ``names``."""
    request: Any = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in names:
        return SafeString(' aria-current="page"')
    return ""


@register.filter
def day(value: Any) -> str:
    """A day (date, ISO string or datetime) with its weekday, in the active language."""
    return day_label(value) if value else ""


@register.filter
def moment(value: Any) -> str:
    """A date and time in Tokyo time, in the active language."""
    return moment_label(value) if value else ""


@register.filter
def hours(value: Any) -> str:
    """A number of hours with its unit, in the active language."""
    return hours_label(int(value)) if value not in (None, "") else ""


@register.simple_tag(takes_context=True)
def new_messages(context: template.Context) -> int:
    """How many messages from others wait unread for the page's user (0 for a visitor or a
    coordinator): the badge on Messages, which the notification stream keeps current."""
    user: Any = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated or user.is_coordinator:
        return 0
    return unread_totals(user_ids=[user.pk])[user.pk]


@register.inclusion_tag("frontend/partials/standing.html")
def standing_badge(status: str) -> dict[str, Any]:
    """A person's registry status as a coloured badge, in the active language."""
    from accounts.registry.selectors import STATUS_LABELS

    return {"status": status, "label": str(STATUS_LABELS.get(status, status)).capitalize()}


@register.filter
def outcome_label(value: Any) -> str:
    """A visit's attendance outcome (``held``, ...) as people read it, in the active language."""
    from matching.models import Attendance

    return str(dict(Attendance.Outcome.choices).get(value, "")) if value else ""
