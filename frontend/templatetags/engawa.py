"""Template helpers shared by every page (ours and the coordinator's)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget_type(field: BoundField) -> str:
    """``checkbox``, ``checkboxes``, ``radios``, ``select`` or ``input``: picks the markup."""
    name = field.field.widget.__class__.__name__
    return {
        "CheckboxInput": "checkbox",
        "CheckboxSelectMultiple": "checkboxes",
        "WeeklySlotsWidget": "checkboxes",
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
    """A visit day (date or ISO string) with its weekday, in the active language."""
    from frontend.formatting import day_label

    return day_label(value) if value else ""


@register.filter
def moment(value: Any) -> str:
    """A date and time in Tokyo time, in the active language."""
    from frontend.formatting import moment_label

    return moment_label(value) if value else ""
